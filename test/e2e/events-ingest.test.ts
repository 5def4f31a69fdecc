import { startTestApp, type TestApp } from '../helpers/test-app';
import { limitedUser, sampleEvent, storedRecords } from '../helpers/events';

describe('POST /ingest and self-audit', () => {
  let app: TestApp;
  let token: string;
  const ingest = (body: string | AsyncIterable<Uint8Array>, headers: Record<string, string> = {}) =>
    fetch(`${app.baseUrl}/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${token}`, ...headers },
      body: body as any,
      duplex: 'half',
    } as RequestInit);

  beforeAll(async () => {
    app = await startTestApp({ INGEST_BATCH_SIZE: '500' });
    token = await app.login({ accessKeyId: app.admin.accessKeyId, secretAccessKey: app.admin.secretAccessKey });
  });
  afterAll(async () => app?.close());

  it('streams a large body in batches, reporting per-line errors and duplicates', async () => {
    const total = 5000;
    const dup = sampleEvent({ eventName: 'Bulk' });
    async function* body() {
      const enc = new TextEncoder();
      for (let i = 0; i < total; i++) {
        const line =
          i === 10
            ? '{not json'
            : i === 20
              ? JSON.stringify(sampleEvent({ awsRegion: 'nowhere' }))
              : i === 30
                ? JSON.stringify(dup)
                : JSON.stringify(sampleEvent({ eventName: 'Bulk' }));
        yield enc.encode(line + '\n');
      }
      yield enc.encode(JSON.stringify(dup) + '\n\n');
    }
    const res = await ingest(body());
    expect(res.status).toBe(200);
    const summary: any = await res.json();
    expect(summary).toMatchObject({ accepted: total - 2, duplicates: 1, failed: 2, errorsTruncated: false });
    expect(summary.errors).toEqual([
      { line: 11, errorCode: 'InvalidData', errorMessage: expect.stringContaining('JSON') },
      { line: 21, errorCode: 'InvalidData', errorMessage: expect.stringContaining('nowhere') },
    ]);
    const { rows } = await app.db.pool.query(`SELECT count(*)::int AS n FROM events WHERE event_name = 'Bulk'`);
    expect(rows[0].n).toBe(total - 2);
    const audit = await storedRecords(app, `event_name = 'IngestEvents'`);
    expect(audit[0]).toMatchObject({
      eventSource: 'cloudtrail-data.amazonaws.com',
      eventCategory: 'Data',
      managementEvent: false,
      readOnly: false,
      responseElements: { accepted: total - 2, duplicates: 1, failed: 2 },
    });
  });

  it('answers auth, permission, region and content-type errors as JSON with a status', async () => {
    const line = JSON.stringify(sampleEvent()) + '\n';
    const none = await fetch(`${app.baseUrl}/ingest`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: line });
    expect(none.status).toBe(401);
    expect(((await none.json()) as any).errorCode).toBe('UnrecognizedClientException');
    const bad = await ingest(line, { authorization: 'Bearer forged' });
    expect(bad.status).toBe(401);
    const region = await ingest(line, { 'x-region': 'nowhere-1' });
    expect(region.status).toBe(400);
    expect(((await region.json()) as any).errorCode).toBe('InvalidRegionException');
    const type = await ingest(line, { 'content-type': 'text/html' });
    expect(type.status).toBe(415);
    const reader = await limitedUser(app, 'ingest-reader', 'arn:aws:iam::aws:policy/AWSCloudTrail_ReadOnlyAccess');
    const denied = await ingest(line, { authorization: `Bearer ${reader.token}` });
    expect(denied.status).toBe(403);
    expect(((await denied.json()) as any).errorCode).toBe('AccessDeniedException');
    const audit = await storedRecords(app, `event_name = 'IngestEvents' AND username = 'ingest-reader'`);
    expect(audit[0]).toMatchObject({ errorCode: 'AccessDeniedException' });
  });

  it('self-audits GraphQL calls with identity, redacted secrets and errors; a failed createSession lands in the key owner account as a failed ConsoleLogin', async () => {
    const wrong = await app.gql(
      `mutation($input: CreateSessionInput!) { createSession(input: $input) { token } }`,
      {
        input: { accessKeyId: app.admin.accessKeyId, secretAccessKey: 'wrong-secret-value' },
      },
      { headers: { 'user-agent': 'jest-agent/1.0' } },
    );
    expect(wrong.errors?.[0].extensions?.code).toBe('SignatureDoesNotMatch');
    // Recorded as CloudTrail records a failed console sign-in (spec §2.5), never with the secret.
    const records = await storedRecords(app, `account_id = $1 AND event_name = 'ConsoleLogin'`, [app.admin.accountId]);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      eventVersion: '1.11',
      eventSource: 'signin.amazonaws.com',
      readOnly: false,
      errorMessage: 'Failed authentication',
      userAgent: 'jest-agent/1.0',
      sourceIPAddress: '127.0.0.1',
      awsRegion: app.config.homeRegion,
      recipientAccountId: app.admin.accountId,
      userIdentity: { type: 'IAMUser', userName: 'admin', accountId: app.admin.accountId },
      requestParameters: null,
      responseElements: { ConsoleLogin: 'Failure' },
      eventType: 'AwsConsoleSignIn',
      managementEvent: true,
      eventCategory: 'Management',
    });
    expect(records[0].eventTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(JSON.stringify(records[0])).not.toContain('wrong-secret-value');

    // A NUL in the caller's parameters is recorded as U+FFFD: the record stays storable as jsonb.
    const nul = await app.gql(
      `mutation($input: CreateUserInput!) { createUser(input: $input) { userName } }`,
      { input: { userName: 'nul\u0000user' } },
      { token },
    );
    expect(nul.errors?.[0].extensions?.code).toBeDefined();
    const [nulRecord] = await storedRecords(app, `event_name = 'CreateUser' AND error_code IS NOT NULL`);
    expect(nulRecord.requestParameters.input.userName).toBe('nul\ufffduser');
    expect(
      (
        await app.db.pool.query(
          `SELECT record::jsonb IS NOT NULL AS ok FROM events WHERE event_name = 'CreateUser' AND error_code IS NOT NULL`,
        )
      ).rows[0].ok,
    ).toBe(true);

    const regions = await app.gql(`{ listRegions { regionName } }`, {}, { token, region: 'eu-west-1' });
    expect(regions.errors).toBeUndefined();
    const [read] = await storedRecords(app, `event_name = 'ListRegions'`);
    expect(read).toMatchObject({ awsRegion: 'eu-west-1', readOnly: true, responseElements: null, eventSource: 'account.amazonaws.com' });
  });
});
