import { MAX_EVENT_BYTES } from '../../src/events/event-record';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { sampleEvent } from '../helpers/events';

/**
 * POST /ingest gives the same answer and stores the same rows whether bodies are parsed on the
 * request thread or in parser threads: line numbers across chunks, CRLF and blank lines, an
 * over-long line streamed in pieces, and more errors than the response lists.
 */
describe.each([['0'], ['2']])('POST /ingest with INGEST_PARSER_THREADS=%s', (threads) => {
  let app: TestApp;
  let token: string;

  beforeAll(async () => {
    app = await startTestApp({ INGEST_PARSER_THREADS: threads, INGEST_BATCH_SIZE: '700' });
    token = await app.login({ accessKeyId: app.admin.accessKeyId, secretAccessKey: app.admin.secretAccessKey });
  });
  afterAll(async () => app?.close());

  it('numbers lines across chunks and reports every kind of bad line in body order', async () => {
    const good = 4000; // ~2.5 MB: several 1 MB chunks
    const enc = new TextEncoder();
    async function* body() {
      for (let i = 1; i <= good; i++) {
        if (i === 2500)
          yield enc.encode('{"eventName": \r\n'); // line 2500: bad JSON, CRLF
        else if (i === 3000)
          yield enc.encode('\n'); // line 3000: blank
        else
          yield enc.encode(`${JSON.stringify(sampleEvent({ eventName: 'Chunked', requestParameters: { i, pad: 'p'.repeat(400) } }))}\r\n`);
      }
      // line 4001: over-long, streamed in 64 KB pieces, then one more good line (4002)
      for (let sent = 0; sent <= MAX_EVENT_BYTES + 2048; sent += 65_536) yield enc.encode('x'.repeat(65_536));
      yield enc.encode(`\n${JSON.stringify(sampleEvent({ eventName: 'Chunked', requestParameters: { i: 'last' } }))}\n`);
      // lines 4003…5202: 1,200 events with an unknown region
      for (let i = 0; i < 1200; i++) yield enc.encode(`${JSON.stringify(sampleEvent({ eventName: 'Chunked', awsRegion: 'mars-1' }))}\n`);
    }
    const res = await fetch(`${app.baseUrl}/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${token}` },
      body: body() as any,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(200);
    const summary: any = await res.json();
    expect(summary).toMatchObject({ accepted: good - 2 + 1, duplicates: 0, failed: 1 + 1 + 1200, errorsTruncated: true });
    expect(summary.errors).toHaveLength(1000);
    expect(summary.errors.slice(0, 3)).toEqual([
      { line: 2500, errorCode: 'InvalidData', errorMessage: 'The line is not valid JSON.' },
      { line: 4001, errorCode: 'FieldTooLong', errorMessage: `The event is larger than ${MAX_EVENT_BYTES} bytes.` },
      { line: 4003, errorCode: 'InvalidData', errorMessage: expect.stringContaining('mars-1') },
    ]);
    expect(summary.errors[999].line).toBe(4003 + 997);
    const { rows } = await app.db.pool.query(
      `SELECT count(*)::int AS n, count(DISTINCT record::jsonb -> 'requestParameters' ->> 'i')::int AS distinct_i,
              bool_and(record NOT LIKE '%' || chr(13) || '%') AS no_cr
       FROM events WHERE event_name = 'Chunked'`,
    );
    expect(rows[0]).toEqual({ n: good - 1, distinct_i: good - 1, no_cr: true });
    expect(app.services.ingestParsers.running).toBe(Number(threads));
  });
});
