import express from 'express';
import { type ExportServices, exportHandler } from './export.handler';
import { type IngestServices, ingestHandler } from './ingest.handler';

/** What the events module's HTTP endpoints use. */
export type EventHttpServices = IngestServices & ExportServices;

/** The events module's plain HTTP endpoints (bodies are streamed, so no JSON body parser here). */
export function eventHttpRouter(services: EventHttpServices): express.Router {
  const router = express.Router();
  router.post('/ingest', ingestHandler(services));
  router.get('/event-history/export', exportHandler(services));
  return router;
}
