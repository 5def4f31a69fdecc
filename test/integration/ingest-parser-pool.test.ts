import pino from 'pino';
import { IngestParserPool } from '../../src/events/ingest-parser-pool';
import { parseIngestChunk } from '../../src/events/ingest-parser';
import { sampleEvent } from '../helpers/events';

const opts = { accountId: '111122223333', now: Date.now(), retentionDays: 90, maxRowsPerPart: 50 };
const body = () =>
  Buffer.from(Array.from({ length: 120 }, (_, i) => (i === 7 ? '{bad' : JSON.stringify(sampleEvent({ eventName: `E${i}` })))).join('\n'));
const text = (r: { parts: Array<{ copyText: Uint8Array }> }) => r.parts.map((p) => Buffer.from(p.copyText).toString('utf8'));

describe('IngestParserPool (real threads)', () => {
  const logger = pino({ level: 'silent' });

  it('parses in threads exactly as on the calling thread, the caller keeping its bytes', async () => {
    const pool = new IngestParserPool(2, logger);
    try {
      const input = body();
      const [a, b] = await Promise.all([pool.parse(input, opts), pool.parse(input.subarray(0, input.indexOf('\n', 1000)), opts)]);
      const inline = parseIngestChunk(input, opts);
      expect(a.lines).toBe(120);
      expect(a.errors).toEqual(inline.errors);
      expect(a.parts.map((p) => p.rows)).toEqual([50, 50, 19]);
      expect(text(a)).toEqual(text(inline));
      expect(b.lines).toBeLessThan(120);
      expect(input.length).toBeGreaterThan(0); // not detached by the transfer
      expect(input.toString('utf8', 0, 1)).toBe('{');
    } finally {
      await pool.close();
    }
  });

  it('has the chunks of a dying thread parsed again by its replacement, and refuses a chunk that outlives two', async () => {
    const pool = new IngestParserPool(1, logger);
    const threads = () => (pool as unknown as { threads: Array<{ worker: { terminate(): Promise<number> } }> }).threads;
    const nextThread = async (previous: unknown) => {
      for (let i = 0; i < 200 && (threads().length === 0 || threads()[0].worker === previous); i++)
        await new Promise((r) => setTimeout(r, 10));
      return threads()[0].worker;
    };
    try {
      await pool.parse(body(), opts); // the thread is up
      // A chunk that takes a thread ~100 ms: terminating interrupts it long before it is done.
      const large = Buffer.from(`${JSON.stringify(sampleEvent())}\n`.repeat(20_000));
      const held = pool.parse(large, opts);
      const first = threads()[0].worker;
      await first.terminate();
      expect((await held).lines).toBe(20_000);

      const doomed = pool.parse(large, opts);
      const second = await nextThread(first);
      await second.terminate();
      const third = await nextThread(second);
      await third.terminate();
      await expect(doomed).rejects.toThrow(/exited/);
      expect((await pool.parse(body(), opts)).lines).toBe(120);
    } finally {
      await pool.close();
    }
  });

  it('parses on the calling thread with no threads, and refuses work once closed', async () => {
    const inline = new IngestParserPool(0, logger);
    expect((await inline.parse(body(), opts)).lines).toBe(120);
    const pool = new IngestParserPool(1, logger);
    await pool.close();
    await expect(pool.parse(body(), opts)).rejects.toThrow(/closed/);
  });
});
