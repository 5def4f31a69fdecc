import { Writable } from 'node:stream';
import { createLogger } from '../../src/observability/logger';
import { RepeatedLog, errorSummary } from '../../src/observability/repeated-log';

function capture() {
  const lines: Array<Record<string, any>> = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, logger: createLogger('info', stream) };
}

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('RepeatedLog', () => {
  test('writes the first of a kind, counts the rest and summarises each window that counted some', async () => {
    const { lines, logger } = capture();
    const log = new RepeatedLog(logger, 200);
    for (let i = 0; i < 50; i++) log.warn('redis:ECONNREFUSED', { attempt: i }, 'Redis connection error');
    log.warn('pg:idle', { attempt: 0 }, 'PostgreSQL connection lost');
    await tick(20);
    expect(lines.map((l) => l.msg)).toEqual(['Redis connection error', 'PostgreSQL connection lost']);
    await tick(300);
    const summary = lines.find((l) => l.repeated);
    expect(summary).toMatchObject({
      level: 'warn',
      repeated: 49,
      attempt: 49,
      msg: 'Redis connection error (49 more like this in the last 0.2 s)',
    });
    // The other kind repeated nothing: no summary for it.
    expect(lines.filter((l) => l.msg.startsWith('PostgreSQL'))).toHaveLength(1);
    log.flush();
  });

  test('a quiet window ends the burst: the next occurrence is written in full again', async () => {
    const { lines, logger } = capture();
    const log = new RepeatedLog(logger, 100);
    log.error('job-failed:x', {}, 'job failed');
    await tick(350);
    log.error('job-failed:x', {}, 'job failed');
    await tick(20);
    expect(lines.map((l) => l.msg)).toEqual(['job failed', 'job failed']);
    log.flush();
  });

  test('flush writes the pending summaries at once', async () => {
    const { lines, logger } = capture();
    const log = new RepeatedLog(logger, 60_000);
    log.warn('k', {}, 'm');
    log.warn('k', {}, 'm');
    log.flush();
    await tick(20);
    expect(lines.map((l) => l.msg)).toEqual(['m', 'm (1 more like this in the last 60 s)']);
  });
});

test('errorSummary: one line, the code kept, an AggregateError described by its first error', () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' });
  expect(errorSummary(refused)).toEqual({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:6379' });
  expect(errorSummary(new AggregateError([refused], ''))).toEqual({ message: 'connect ECONNREFUSED 127.0.0.1:6379' });
});
