import type { Request, RequestHandler } from 'express';
import { OpenTrailError } from '../common/errors';
import { type RequestContext, tenantOf } from '../common/request-context';
import type { Services } from '../app/services';
import { type EventRow, MAX_EVENT_BYTES, normaliseRecord } from './event-record';
import type { WriteResult } from './event-writer';
import { asClientError, authorizeHttp, sendError } from './http-auth';
import { ndjsonLines } from './ndjson-lines';

const CONTENT_TYPES = ['application/x-ndjson', 'application/ndjson', 'application/jsonl', 'application/x-jsonlines', 'application/json-lines'];
/** Per-line errors listed in the response; the counts cover all of them. */
export const MAX_REPORTED_ERRORS = 1000;
/** Two inserts in flight keep PostgreSQL busy while the next batch is parsed (measured-limits). */
const MAX_INSERTS_IN_FLIGHT = 2;

export interface IngestSummary {
  accepted: number;
  duplicates: number;
  failed: number;
  errors: Array<{ line: number; errorCode: string; errorMessage: string }>;
  errorsTruncated: boolean;
}

/**
 * Streams an NDJSON body into the event store with bounded memory: lines are parsed while up to
 * two batch inserts run; when both are busy, reading stops and TCP backpressure holds the client.
 */
export async function ingestStream(ctx: RequestContext, body: AsyncIterable<Buffer>, services: Services): Promise<IngestSummary> {
  const { config, eventWriter } = services;
  const summary: IngestSummary = { accepted: 0, duplicates: 0, failed: 0, errors: [], errorsTruncated: false };
  const inFlight: Array<Promise<WriteResult>> = [];
  const collect = (r: WriteResult) => {
    summary.accepted += r.inserted;
    summary.duplicates += r.duplicates;
  };
  const reject = (line: number, errorCode: string, errorMessage: string) => {
    summary.failed++;
    if (summary.errors.length < MAX_REPORTED_ERRORS) summary.errors.push({ line, errorCode, errorMessage });
    else summary.errorsTruncated = true;
  };
  let batch: EventRow[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const pending = eventWriter.write(tenantOf(ctx), batch, 'ingest');
    pending.catch(() => undefined); // awaited below; this only prevents an unhandled rejection meanwhile
    inFlight.push(pending);
    batch = [];
    if (inFlight.length >= MAX_INSERTS_IN_FLIGHT) collect(await inFlight.shift()!);
  };

  try {
    const now = new Date();
    const opts = { accountId: ctx.caller.accountId, now, retentionDays: config.eventHistoryRetentionDays };
    for await (const { line, text } of ndjsonLines(body, MAX_EVENT_BYTES + 1024)) {
      if (text === null) {
        reject(line, 'FieldTooLong', `The event is larger than ${MAX_EVENT_BYTES} bytes.`);
        continue;
      }
      let raw: unknown;
      try {
        raw = JSON.parse(text);
      } catch {
        reject(line, 'InvalidData', 'The line is not valid JSON.');
        continue;
      }
      // UTF-8 needs at most 3 bytes per UTF-16 unit: a short line's exact size is not needed.
      const sizeBytes = text.length * 3 <= MAX_EVENT_BYTES ? text.length : Buffer.byteLength(text);
      const result = normaliseRecord(raw, { ...opts, sizeBytes });
      if ('error' in result) reject(line, result.error.errorCode, result.error.errorMessage);
      else batch.push(result.row);
      if (batch.length >= config.ingestBatchSize) await flush();
    }
    await flush();
    while (inFlight.length > 0) collect(await inFlight.shift()!);
  } finally {
    // On failure, let inserts already sent settle before the request ends.
    await Promise.allSettled(inFlight);
  }
  return summary;
}

function contentTypeOk(req: Request): boolean {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  return CONTENT_TYPES.includes(type);
}

/** POST /ingest: NDJSON records for the caller's account; self-audited as a data event. */
export function ingestHandler(services: Services): RequestHandler {
  return async (req, res) => {
    const auth = await authorizeHttp(req, res, services, 'cloudtrail:RecordEvents');
    const audit = async (outcome: { error?: OpenTrailError; response?: Record<string, unknown> }) => {
      if (!auth.subject) return;
      await services.apiCallRecorder
        .recordApiCalls([{
          meta: auth.meta,
          subject: auth.subject,
          eventTime: new Date(),
          eventSource: 'cloudtrail-data.amazonaws.com',
          eventName: 'IngestEvents',
          readOnly: false,
          managementEvent: false,
          requestParameters: { contentType: req.headers['content-type'] ?? null, contentLength: req.headers['content-length'] ?? null },
          responseElements: outcome.response ?? null,
          errorCode: outcome.error?.code,
          errorMessage: outcome.error?.message.slice(0, 1024),
        }])
        .catch((err) => services.logger.error({ err }, 'self-audit could not record an ingest call'));
    };
    let error = auth.error;
    if (!error && !contentTypeOk(req)) {
      error = new OpenTrailError('UnsupportedMediaTypeException', `Send the events as NDJSON (Content-Type: ${CONTENT_TYPES[0]}).`, 415);
    }
    if (error || !auth.ctx) {
      await audit({ error: error! });
      res.setHeader('connection', 'close'); // the unread body is not worth draining
      return sendError(res, error!);
    }
    try {
      const summary = await ingestStream(auth.ctx, req, services);
      await audit({ response: { accepted: summary.accepted, duplicates: summary.duplicates, failed: summary.failed } });
      res.json(summary);
    } catch (err) {
      const clientError = asClientError(err, services);
      await audit({ error: clientError });
      if (!res.headersSent) sendError(res, clientError);
    }
  };
}
