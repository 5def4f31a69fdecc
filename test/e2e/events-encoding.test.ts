import { randomUUID } from 'node:crypto';
import { startTestApp, type TestApp } from '../helpers/test-app';

// Values chosen to break naive COPY, CSV or SQL handling: tabs, newlines, backslashes, quotes,
// array-literal syntax, NULL look-alikes and non-ASCII text.
const NASTY = ['tab\there', 'new\nline\r\n', 'back\\slash\\N', 'quote"d\'s', '{curly,comma}', 'NULL', '\\N', 'ünïcødé ✓ 𝄞', ' '];

function nastyEvent(accountId: string, i: number): Record<string, unknown> {
  const text = NASTY[i % NASTY.length];
  return {
    eventID: randomUUID(),
    eventTime: new Date(Date.now() - 60_000 - i * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventSource: 'app.example.com',
    eventName: `Name${i}`,
    awsRegion: 'us-east-1',
    userAgent: `agent ${text}`,
    userIdentity: {
      type: 'IAMUser',
      userName: `user ${text}`,
      arn: `arn:aws:iam::${accountId}:user/u${i}`,
      accessKeyId: 'AKIAEXAMPLEEXAMPLE12',
    },
    requestParameters: { value: text, nested: { list: [text, i] } },
    resources: [{ ARN: `arn:aws:s3:::bucket/${text}`, type: `AWS::S3::${i % 2 ? 'Object' : 'Bucket'}` }],
  };
}

describe('event encoding through both write paths', () => {
  let app: TestApp;
  let token: string;

  beforeAll(async () => {
    app = await startTestApp();
    token = await app.login({ accessKeyId: app.admin.accessKeyId, secretAccessKey: app.admin.secretAccessKey });
  });
  afterAll(() => app.close());

  async function stored(eventId: string) {
    const { rows } = await app.db.pool.query(
      'SELECT username, user_agent, resource_types, resource_names, record FROM events WHERE account_id = $1 AND event_id = $2',
      [app.admin.accountId, eventId],
    );
    expect(rows).toHaveLength(1);
    return rows[0];
  }

  function expectExact(row: any, event: Record<string, any>) {
    const record = JSON.parse(row.record);
    expect(record.requestParameters).toEqual(event.requestParameters);
    expect(record.userAgent).toBe(event.userAgent);
    expect(row.user_agent).toBe(event.userAgent);
    expect(row.username).toBe(event.userIdentity.userName);
    expect(row.resource_names).toEqual([event.resources[0].ARN]);
    expect(row.resource_types).toEqual([event.resources[0].type]);
  }

  it('stores a large /ingest batch (COPY staging path) byte for byte', async () => {
    const events = Array.from({ length: 150 }, (_, i) => nastyEvent(app.admin.accountId, i));
    const res = await fetch(`${app.baseUrl}/ingest`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' },
      body: events.map((e) => JSON.stringify(e)).join('\n'),
    });
    expect(await res.json()).toMatchObject({ accepted: 150, failed: 0 });
    for (const i of [0, 1, 2, 3, 4, 5, 6, 7, 8, 149]) expectExact(await stored(events[i].eventID as string), events[i]);
  });

  it('stores a small recordEvents batch (parameter path) byte for byte, and a re-sent batch once', async () => {
    const events = Array.from({ length: 9 }, (_, i) => nastyEvent(app.admin.accountId, i));
    const mutation = 'mutation($e: [JSON!]!) { recordEvents(input: {events: $e}) { successful { id eventId } failed { id errorCode } } }';
    const first = await app.gql(mutation, { e: events }, { token });
    expect(first.data.recordEvents.failed).toEqual([]);
    for (const e of events) expectExact(await stored(e.eventID as string), e);
    // The same large batch twice through ingest: the second stores nothing new.
    const big = Array.from({ length: 100 }, (_, i) => nastyEvent(app.admin.accountId, i + 1000));
    const body = big.map((e) => JSON.stringify(e)).join('\n');
    const send = () =>
      fetch(`${app.baseUrl}/ingest`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' },
        body,
      }).then((r) => r.json());
    expect(await send()).toMatchObject({ accepted: 100, duplicates: 0 });
    expect(await send()).toMatchObject({ accepted: 0, duplicates: 100 });
  });

  it('rejects NUL characters in indexed fields per event, keeping the rest of the batch', async () => {
    const good = nastyEvent(app.admin.accountId, 1);
    const bad = { ...nastyEvent(app.admin.accountId, 2), eventName: 'Bad\u0000Name' };
    const lines = [good, bad, ...Array.from({ length: 80 }, (_, i) => nastyEvent(app.admin.accountId, 2000 + i))];
    const res = await fetch(`${app.baseUrl}/ingest`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' },
      body: lines.map((e) => JSON.stringify(e)).join('\n'),
    });
    const summary = (await res.json()) as any;
    expect(summary).toMatchObject({ accepted: 81, failed: 1 });
    expect(summary.errors).toEqual([{ line: 2, errorCode: 'InvalidData', errorMessage: expect.stringMatching(/NUL/) }]);
  });
});
