import { eventCopyLine } from './event-copy';
import { MAX_EVENT_BYTES, normaliseRecord, type RecordErrorCode } from './event-record';

/**
 * The CPU-bound half of POST /ingest, for one chunk of whole NDJSON lines (ndjson-chunks.ts):
 * decode, JSON.parse, validate and normalise each event, and format the good ones as COPY text.
 * Pure and synchronous, so it runs the same on the request's thread and in a parser thread
 * (ingest-parser.worker.ts); line numbers are the chunk's own, from 1.
 */

/** Longest line read at all: an event may be at most MAX_EVENT_BYTES (normaliseRecord checks exactly). */
export const MAX_LINE_BYTES = MAX_EVENT_BYTES + 1024;
/** Per-line errors a chunk reports in full; `failed` counts all of them. */
export const MAX_CHUNK_ERRORS = 1000;

export interface IngestParseOptions {
  accountId: string;
  /** Epoch ms of the request, the reference for eventTime's window. */
  now: number;
  retentionDays: number;
  /** Rows per part at most: each part becomes one transaction and one outbox batch. */
  maxRowsPerPart: number;
}

export interface ParsedPart {
  /** UTF-8 COPY text of `rows` rows (eventCopyLine). */
  copyText: Uint8Array;
  rows: number;
  minTime: number;
  maxTime: number;
}

export interface LineError {
  line: number;
  errorCode: RecordErrorCode;
  errorMessage: string;
}

export interface ParsedChunk {
  /** Lines in the chunk, blank ones included (the next chunk's numbering starts after them). */
  lines: number;
  parts: ParsedPart[];
  failed: number;
  /** The first MAX_CHUNK_ERRORS errors. */
  errors: LineError[];
}

const NEWLINE = 0x0a;
const CR = 0x0d;
// Each part's bytes get an ArrayBuffer of their own (never Buffer's shared pool), so a parser
// thread can transfer them without copying.
const utf8 = new TextEncoder();

/** The result standing for one line that was too long to be read (ndjsonChunks dropped it). */
export function tooLongLine(): ParsedChunk {
  return {
    lines: 1,
    parts: [],
    failed: 1,
    errors: [{ line: 1, errorCode: 'FieldTooLong', errorMessage: `The event is larger than ${MAX_EVENT_BYTES} bytes.` }],
  };
}

export function parseIngestChunk(bytes: Uint8Array, opts: IngestParseOptions): ParsedChunk {
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const now = new Date(opts.now);
  const normaliseOpts = { accountId: opts.accountId, now, retentionDays: opts.retentionDays, sizeBytes: 0, ownsRaw: true };
  const result: ParsedChunk = { lines: 0, parts: [], failed: 0, errors: [] };
  const reject = (line: number, errorCode: RecordErrorCode, errorMessage: string) => {
    result.failed++;
    if (result.errors.length < MAX_CHUNK_ERRORS) result.errors.push({ line, errorCode, errorMessage });
  };
  let copy: string[] = [];
  let minTime = Infinity;
  let maxTime = -Infinity;
  const endPart = () => {
    if (copy.length === 0) return;
    result.parts.push({ copyText: utf8.encode(copy.join('')), rows: copy.length, minTime, maxTime });
    copy = [];
    minTime = Infinity;
    maxTime = -Infinity;
  };

  for (let start = 0; start < data.length;) {
    const newline = data.indexOf(NEWLINE, start);
    const lineEnd = newline === -1 ? data.length : newline;
    const end = lineEnd > start && data[lineEnd - 1] === CR ? lineEnd - 1 : lineEnd;
    const from = start;
    start = lineEnd + 1;
    const line = ++result.lines;
    const size = end - from;
    if (size > MAX_LINE_BYTES) {
      reject(line, 'FieldTooLong', `The event is larger than ${MAX_EVENT_BYTES} bytes.`);
      continue;
    }
    const text = data.toString('utf8', from, end);
    if (text.trim() === '') {
      continue; // blank lines are numbered but are not events
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      reject(line, 'InvalidData', 'The line is not valid JSON.');
      continue;
    }
    normaliseOpts.sizeBytes = size;
    const normalised = normaliseRecord(raw, normaliseOpts);
    if ('error' in normalised) {
      reject(line, normalised.error.errorCode, normalised.error.errorMessage);
      continue;
    }
    const row = normalised.row;
    const time = row.eventTime.getTime();
    if (time < minTime) minTime = time;
    if (time > maxTime) maxTime = time;
    copy.push(eventCopyLine(row));
    if (copy.length >= opts.maxRowsPerPart) endPart();
  }
  endPart();
  return result;
}
