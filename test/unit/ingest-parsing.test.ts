import { randomUUID } from 'node:crypto';
import { eventCopyLine } from '../../src/events/event-copy';
import { normaliseRecord } from '../../src/events/event-record';
import { MAX_CHUNK_ERRORS, MAX_LINE_BYTES, parseIngestChunk } from '../../src/events/ingest-parser';
import { type NdjsonChunk, ndjsonChunks } from '../../src/events/ndjson-chunks';
import { sampleEvent } from '../helpers/events';

const ACCOUNT = '111122223333';
const opts = (over: Partial<Parameters<typeof parseIngestChunk>[1]> = {}) => ({
  accountId: ACCOUNT,
  now: Date.now(),
  retentionDays: 90,
  maxRowsPerPart: 1000,
  ...over,
});

async function chunksOf(inputs: Array<string | Uint8Array>, chunkBytes: number, maxLineBytes: number): Promise<Array<string | 'TOO LONG'>> {
  async function* stream() {
    for (const input of inputs) yield input;
  }
  const out: Array<string | 'TOO LONG'> = [];
  for await (const c of ndjsonChunks(stream(), { chunkBytes, maxLineBytes }) as AsyncGenerator<NdjsonChunk>)
    out.push(c.kind === 'tooLong' ? 'TOO LONG' : c.data.toString('utf8'));
  return out;
}

describe('ndjsonChunks', () => {
  it('cuts whole lines only, joining lines split across reads', async () => {
    expect(await chunksOf(['a\nb', 'c\nd', 'e\n'], 3, 100)).toEqual(['a\nbc\n', 'de\n']);
    expect(await chunksOf(['a\nb', 'c\n'], 2, 100)).toEqual(['a\n', 'bc\n']);
    expect(await chunksOf(['one\ntwo'], 100, 100)).toEqual(['one\ntwo']); // the last line may lack its newline
    expect(await chunksOf([], 10, 100)).toEqual([]);
  });

  it('never splits a UTF-8 character, even when a read ends inside one', async () => {
    const bytes = Buffer.from('é𝄞\nü\n');
    const parts = [bytes.subarray(0, 1), bytes.subarray(1, 3), bytes.subarray(3, 7), bytes.subarray(7)];
    expect((await chunksOf(parts, 1, 100)).join('')).toBe('é𝄞\nü\n');
  });

  it('drops a line that outgrows the limit as it streams in, and reports it in its place', async () => {
    expect(await chunksOf(['ok\n', 'x'.repeat(6), 'x'.repeat(6), 'xx\nafter\n'], 1000, 10)).toEqual(['ok\n', 'TOO LONG', 'after\n']);
    expect(await chunksOf(['ok\nxxxxxxxxxxxxxxxx'], 1000, 10)).toEqual(['ok\n', 'TOO LONG']); // at the end of the body
  });

  it('holds at most a chunk and one line however long the body', async () => {
    let held = 0;
    async function* endless() {
      for (let i = 0; i < 2000; i++) yield `${'y'.repeat(99)}\n`;
    }
    for await (const c of ndjsonChunks(endless(), { chunkBytes: 1000, maxLineBytes: 200 }))
      held = Math.max(held, c.kind === 'lines' ? c.data.length : 0);
    expect(held).toBeLessThanOrEqual(1000 + 100);
  });
});

describe('parseIngestChunk', () => {
  it('numbers every line, blank and CRLF ones included, and reports each bad one', async () => {
    const good = sampleEvent();
    const body =
      [
        JSON.stringify(good),
        '',
        '{not json',
        '   ',
        JSON.stringify(sampleEvent({ awsRegion: 'nowhere' })) + '\r',
        JSON.stringify(sampleEvent({ readOnly: 'yes' })),
      ].join('\n') + '\n';
    const r = parseIngestChunk(Buffer.from(body), opts());
    expect(r.lines).toBe(6);
    expect(r.failed).toBe(3);
    expect(r.errors.map((e) => [e.line, e.errorCode])).toEqual([
      [3, 'InvalidData'],
      [5, 'InvalidData'],
      [6, 'InvalidData'],
    ]);
    expect(r.parts).toHaveLength(1);
    const expected = normaliseRecord(JSON.parse(JSON.stringify(good)), { accountId: ACCOUNT, now: new Date(), retentionDays: 90 });
    if (!('row' in expected)) throw new Error('sample event rejected');
    expect(Buffer.from(r.parts[0].copyText).toString('utf8')).toBe(eventCopyLine(expected.row));
  });

  it('measures events in bytes: a line over the limit is refused unread, one just under is read', () => {
    const over = parseIngestChunk(Buffer.from(`${'x'.repeat(MAX_LINE_BYTES + 1)}\n`), opts());
    expect(over.errors).toEqual([{ line: 1, errorCode: 'FieldTooLong', errorMessage: expect.stringContaining('larger than') }]);
    const big = sampleEvent({ requestParameters: { note: 'é'.repeat(131_000) } }); // ~262 KB of UTF-8 in 131k characters
    const tooBig = parseIngestChunk(Buffer.from(JSON.stringify(big)), opts());
    expect(tooBig.errors[0]).toMatchObject({
      errorCode: 'FieldTooLong',
      errorMessage: expect.stringContaining(`${Buffer.byteLength(JSON.stringify(big))} bytes`),
    });
  });

  it('splits the rows into parts of at most maxRowsPerPart, each with its time range', () => {
    const times = [300, 100, 200, 50, 400].map((s) => sampleEvent({}, s));
    const r = parseIngestChunk(Buffer.from(times.map((e) => JSON.stringify(e)).join('\n')), opts({ maxRowsPerPart: 2 }));
    expect(r.parts.map((p) => p.rows)).toEqual([2, 2, 1]);
    const epoch = (e: Record<string, unknown>) => Date.parse(e.eventTime as string);
    expect(r.parts[0]).toMatchObject({ minTime: epoch(times[0]), maxTime: epoch(times[1]) });
    expect(r.parts[1]).toMatchObject({ minTime: epoch(times[2]), maxTime: epoch(times[3]) });
    expect(r.parts[2]).toMatchObject({ minTime: epoch(times[4]), maxTime: epoch(times[4]) });
    // Each part owns its memory: a parser thread transfers it without copying.
    for (const p of r.parts) expect(p.copyText.byteLength).toBe(p.copyText.buffer.byteLength);
  });

  it('lists the first errors of a chunk and counts them all', () => {
    const bad = Array.from({ length: MAX_CHUNK_ERRORS + 5 }, () => '[]').join('\n');
    const r = parseIngestChunk(Buffer.from(bad), opts());
    expect(r.failed).toBe(MAX_CHUNK_ERRORS + 5);
    expect(r.errors).toHaveLength(MAX_CHUNK_ERRORS);
  });

  it('formats COPY text that escapes what the columns carry and keeps the record intact', () => {
    const nasty = sampleEvent({
      eventID: randomUUID(),
      userAgent: 'tab\there\\N',
      errorCode: 'a\nb',
      resources: [{ ARN: 'arn:"q"\\', type: 't' }],
    });
    const r = parseIngestChunk(Buffer.from(JSON.stringify(nasty)), opts());
    const line = Buffer.from(r.parts[0].copyText).toString('utf8');
    expect(line.split('\n')).toHaveLength(2); // one row, ended by its newline
    const fields = line.slice(0, -1).split('\t');
    expect(fields).toHaveLength(19);
    expect(fields[13]).toBe('tab\\there\\\\N');
    expect(fields[15]).toBe('a\\nb');
    expect(fields[17]).toBe('{"arn:\\\\"q\\\\"\\\\\\\\"}');
    expect(JSON.parse(fields[18].replace(/\\\\/g, '\\'))).toMatchObject({ userAgent: 'tab\there\\N', errorCode: 'a\nb' });
  });
});
