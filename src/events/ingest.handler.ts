import type { Request, RequestHandler } from 'express';
import { OpenTrailError } from '../common/errors';
import { type RequestContext, tenantOf } from '../common/request-context';
import type { ApiCallRecorder } from '../common/api-call';
import type { Config } from '../config';
import { MAX_ROWS_PER_INSERT } from './event.repository';
import type { CopyBatch, EventWriter, WriteResult } from './event-writer';
import { type AccountLimits, EVENTS_WRITTEN_PER_POINT } from '../common/account-limits';
import { asClientError, authorizeHttp, type HttpAuthServices, sendError } from './http-auth';
import { MAX_LINE_BYTES, type ParsedChunk, tooLongLine } from './ingest-parser';
import type { IngestParserPool } from './ingest-parser-pool';
import { ndjsonChunks } from './ndjson-chunks';

const CONTENT_TYPES = [
  'application/x-ndjson',
  'application/ndjson',
  'application/jsonl',
  'application/x-jsonlines',
  'application/json-lines',
];
/** Per-line errors listed in the response; the counts cover all of them. */
export const MAX_REPORTED_ERRORS = 1000;
/** Two inserts in flight keep PostgreSQL busy while the next batch is parsed (measured-limits). */
const MAX_INSERTS_IN_FLIGHT = 2;
/** Bytes of whole lines handed to a parser at a time (~500 events of 2 KB). */
const CHUNK_BYTES = 1024 * 1024;

export interface IngestSummary {
  accepted: number;
  duplicates: number;
  failed: number;
  errors: Array<{ line: number; errorCode: string; errorMessage: string }>;
  errorsTruncated: boolean;
}

/** What ingestStream uses. */
export interface IngestStreamServices {
  config: Config;
  eventWriter: EventWriter;
  ingestParsers: IngestParserPool;
}

/** What POST /ingest uses. */
export interface IngestServices extends HttpAuthServices, IngestStreamServices {
  apiCallRecorder: ApiCallRecorder;
  accountLimits: Pick<AccountLimits, 'charge' | 'chargeIngest'>;
}

/**
 * Streams an NDJSON body into the event store with bounded memory. The body is cut into chunks
 * of whole lines that the parser threads turn into COPY text while up to two batch inserts run;
 * results are taken in body order, so line numbers and batches are as if read line by line.
 * When parsers and inserts are all busy, reading stops and TCP backpressure holds the client.
 */
export async function ingestStream(
  ctx: RequestContext,
  body: AsyncIterable<Uint8Array>,
  services: IngestStreamServices,
): Promise<IngestSummary> {
  const { config, eventWriter, ingestParsers } = services;
  const summary: IngestSummary = { accepted: 0, duplicates: 0, failed: 0, errors: [], errorsTruncated: false };
  const scope = tenantOf(ctx);
  const batchRows = Math.min(config.ingestBatchSize, MAX_ROWS_PER_INSERT);
  const parseOpts = {
    accountId: ctx.caller.accountId,
    now: Date.now(),
    retentionDays: config.eventHistoryRetentionDays,
    maxRowsPerPart: batchRows,
  };
  const parsing: Array<Promise<ParsedChunk>> = [];
  const maxParsing = Math.max(2, ingestParsers.size * 2);
  const inserting: Array<Promise<WriteResult>> = [];
  let linesBefore = 0;
  let batch: CopyBatch = { copyText: [], rows: 0, minTime: Infinity, maxTime: -Infinity };

  const collect = (r: WriteResult) => {
    summary.accepted += r.inserted;
    summary.duplicates += r.duplicates;
  };
  const flush = async () => {
    if (batch.rows === 0) return;
    const pending = eventWriter.writeCopy(scope, batch, 'ingest');
    pending.catch(() => undefined); // awaited below; this only prevents an unhandled rejection meanwhile
    inserting.push(pending);
    batch = { copyText: [], rows: 0, minTime: Infinity, maxTime: -Infinity };
    if (inserting.length >= MAX_INSERTS_IN_FLIGHT) collect(await inserting.shift()!);
  };
  const take = async (chunk: ParsedChunk) => {
    summary.failed += chunk.failed;
    for (const e of chunk.errors) {
      if (summary.errors.length < MAX_REPORTED_ERRORS) summary.errors.push({ ...e, line: linesBefore + e.line });
    }
    if (summary.failed > summary.errors.length) summary.errorsTruncated = true;
    linesBefore += chunk.lines;
    for (const part of chunk.parts) {
      if (batch.rows + part.rows > batchRows) await flush();
      batch.copyText.push(Buffer.from(part.copyText.buffer, part.copyText.byteOffset, part.copyText.byteLength));
      batch.rows += part.rows;
      batch.minTime = Math.min(batch.minTime, part.minTime);
      batch.maxTime = Math.max(batch.maxTime, part.maxTime);
      if (batch.rows >= batchRows) await flush();
    }
  };

  try {
    for await (const chunk of ndjsonChunks(body, { chunkBytes: CHUNK_BYTES, maxLineBytes: MAX_LINE_BYTES })) {
      const parsed = chunk.kind === 'tooLong' ? Promise.resolve(tooLongLine()) : ingestParsers.parse(chunk.data, parseOpts);
      parsed.catch(() => undefined); // taken in order below
      parsing.push(parsed);
      if (parsing.length >= maxParsing) await take(await parsing.shift()!);
    }
    while (parsing.length > 0) await take(await parsing.shift()!);
    await flush();
    while (inserting.length > 0) collect(await inserting.shift()!);
  } finally {
    // On failure, let inserts already sent settle before the request ends.
    await Promise.allSettled([...parsing, ...inserting]);
  }
  return summary;
}

function contentTypeOk(req: Request): boolean {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  return CONTENT_TYPES.includes(type);
}

/** POST /ingest: NDJSON records for the caller's account; self-audited as a data event. */
export function ingestHandler(services: IngestServices): RequestHandler {
  return async (req, res) => {
    const auth = await authorizeHttp(req, res, services, 'cloudtrail:RecordEvents');
    const audit = async (outcome: { error?: OpenTrailError; response?: Record<string, unknown> }) => {
      if (!auth.subject) return;
      await services.apiCallRecorder
        .recordApiCalls([
          {
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
          },
        ])
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
      const events = summary.accepted + summary.duplicates + summary.failed;
      // Charged before the answer: a client that uploads again on a 200 meets its budget, not a race.
      await services.accountLimits.charge(auth.ctx.caller.accountId, Math.ceil(events / EVENTS_WRITTEN_PER_POINT) - 1);
      await services.accountLimits.chargeIngest(auth.ctx.caller.accountId, events);
      await audit({ response: { accepted: summary.accepted, duplicates: summary.duplicates, failed: summary.failed } });
      res.json(summary);
    } catch (err) {
      const clientError = asClientError(err, services);
      await audit({ error: clientError });
      if (!res.headersSent) sendError(res, clientError);
    }
  };
}
