import { lookup } from 'node:dns/promises';
import os from 'node:os';
import { REFUSED_BY_POLICY } from '../../src/common/webhooks/webhook-sender';
import { startWorkers } from '../../workers/main';
import { RECORD, sampleEvent } from '../helpers/events';
import { eventually, type Receiver, startReceiver, streamingCall, streamingFails } from '../helpers/streaming';
import { startTestApp, type TestApp } from '../helpers/test-app';

/**
 * The webhook policy users get: WEBHOOK_ALLOWED_HOSTS empty (the default). Rules and topics refuse
 * internal destinations in every spelling; a name that passes validation but resolves to an
 * internal address is refused at connect time, and the tenant learns only "refused by policy".
 */
describe('streaming: webhooks cannot reach internal services by default (SSRF)', () => {
  let app: TestApp;
  let workers: { close(): Promise<void> };
  let token: string;
  let receiver: Receiver;

  beforeAll(async () => {
    app = await startTestApp({ WEBHOOK_ALLOWED_HOSTS: '', WEBHOOK_MAX_ATTEMPTS: '1', OUTBOX_SWEEP_INTERVAL_SECONDS: '1' });
    workers = await startWorkers(app.services);
    token = await app.login(app.admin);
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver?.close();
    await workers?.close();
    await app?.close();
  });

  it('the default configuration opens nothing internal', () => {
    expect(app.config.webhookAllowedHosts).toEqual([]);
  });

  const internal = [
    'http://127.0.0.1:6379/',
    'http://[::1]/',
    'http://[::ffff:127.0.0.1]:4399/',
    'http://127.1/',
    'http://0x7f000001/',
    'http://localhost:5432/',
    'http://[::a9fe:a9fe]/',
    'http://[64:ff9b::a9fe:a9fe]/',
    'http://10.0.0.1/',
    'http://172.20.0.1/',
    'http://192.168.0.1/',
    'http://100.64.1.1/',
    'http://[fd00::1]/',
    'http://169.254.169.254/latest/meta-data/',
  ];

  it.each(internal)('putEventRule refuses %s and stores nothing', async (webhookUrl) => {
    const failure = await streamingFails(
      app,
      'putEventRule',
      {
        input: { name: 'ssrf', eventPattern: JSON.stringify({ source: ['aws.ec2'] }), webhookUrl },
      },
      token,
    );
    expect(failure).toMatchObject({ code: 'InvalidParameterException', message: expect.stringContaining('Invalid webhook URL') });
    expect(await streamingCall<any[]>(app, 'listEventRules', {}, token)).toEqual([]);
  });

  it.each(internal)('createTopic refuses %s and stores nothing', async (endpoint) => {
    const failure = await streamingFails(app, 'createTopic', { input: { name: 'ssrf', endpoint } }, token);
    expect(failure).toMatchObject({ code: 'InvalidParameterException', message: expect.stringContaining('Invalid webhook URL') });
    expect(await streamingCall<any[]>(app, 'listTopics', {}, token)).toEqual([]);
  });

  it('refuses at connect time a name that resolves to loopback; the dead letter says only "refused by policy"', async () => {
    // The machine's own name: a host name (so validation cannot judge it) that resolves to loopback.
    const name = os.hostname().toLowerCase();
    expect((await lookup(name)).address).toMatch(/^127\.|^::1$/);
    const port = new URL(receiver.url).port;
    await streamingCall(
      app,
      'putEventRule',
      {
        input: {
          name: 'rebound',
          eventPattern: JSON.stringify({ detail: { eventName: ['ReboundCall'] } }),
          webhookUrl: `http://${name}:${port}/hook`,
        },
      },
      token,
    );
    const result = await app.gql(RECORD, { input: { events: [sampleEvent({ eventName: 'ReboundCall' })] } }, { token });
    expect(result.data.recordEvents.failed).toEqual([]);
    const letters = await eventually('a dead letter', async () => {
      const page = await streamingCall(app, 'listDeadLetters', { input: { ruleName: 'rebound' } }, token);
      return page.edges.length === 1 ? page.edges.map((e: any) => e.node) : null;
    });
    expect(letters[0].lastError).toBe(REFUSED_BY_POLICY);
    expect(letters[0].lastError).not.toContain('127.0.0.1');
    expect(receiver.received).toHaveLength(0);
  });
});
