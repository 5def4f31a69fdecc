import http from 'node:http';
import { RECORD, sampleEvent } from '../helpers/events';
import { startTestApp, type TestApp } from '../helpers/test-app';

jest.setTimeout(120_000);

/** opentrail_event_exports_running as /metrics reports it. */
async function exportsRunning(app: TestApp): Promise<number> {
  const text = await (await fetch(`${app.baseUrl}/metrics`)).text();
  const line = /^opentrail_event_exports_running (\d+)$/m.exec(text);
  if (!line) throw new Error('opentrail_event_exports_running is not in /metrics');
  return Number(line[1]);
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * A client that stops reading an export and goes away: the server's write waits for a 'drain'
 * that never comes, which held the handler (and its page of records) for the life of the process.
 */
describe('an export its client abandons', () => {
  let app: TestApp;
  let token: string;

  beforeAll(async () => {
    app = await startTestApp();
    token = await app.login(app.admin);
    // 150 events of ~100 KB: ~15 MB of export, far more than the sockets buffer.
    const blob = 'x'.repeat(100_000);
    for (let batch = 0; batch < 25; batch++) {
      const events = Array.from({ length: 6 }, (_, i) =>
        sampleEvent({ eventName: 'Big', requestParameters: { blob } }, 100 + batch * 6 + i),
      );
      const recorded = await app.gql(RECORD, { input: { events } }, { token });
      expect(recorded.errors).toBeUndefined();
      expect(recorded.data.recordEvents.failed).toEqual([]);
    }
  });

  afterAll(async () => {
    await app?.close();
  });

  it('ends on the server once its client has gone mid-download', async () => {
    expect(await exportsRunning(app)).toBe(0);
    const url = new URL(`${app.baseUrl}/event-history/export?format=json&attributeKey=EventName&attributeValue=Big`);
    const request = http.get(url, { headers: { authorization: `Bearer ${token}` } });
    const response = await new Promise<http.IncomingMessage>((resolve, reject) => request.on('response', resolve).on('error', reject));
    expect(response.statusCode).toBe(200);
    response.pause(); // stop reading: the server's buffers fill and its writes wait for 'drain'
    await until('the export is streaming', async () => (await exportsRunning(app)) === 1);
    await new Promise((r) => setTimeout(r, 500));
    request.on('error', () => undefined);
    request.destroy();
    await until('the abandoned export has ended on the server', async () => (await exportsRunning(app)) === 0);

    // A whole export still completes.
    const whole = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    expect(((await whole.json()) as { Records: unknown[] }).Records).toHaveLength(150);
    expect(await exportsRunning(app)).toBe(0);
  });
});
