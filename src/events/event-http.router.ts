import express from 'express';
import type { Services } from '../app/services';
import { exportHandler } from './export.handler';
import { ingestHandler } from './ingest.handler';

/** The events module's plain HTTP endpoints (bodies are streamed, so no JSON body parser here). */
export function eventHttpRouter(services: Services): express.Router {
  const router = express.Router();
  router.post('/ingest', ingestHandler(services));
  router.get('/event-history/export', exportHandler(services));
  return router;
}
