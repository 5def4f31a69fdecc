import { randomUUID } from 'node:crypto';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { RECORD, limitedUser, sampleEvent, storedRecords } from '../helpers/events';

describe('recordEvents over HTTP', () => {
  let app: TestApp;
  let token: string;

  beforeAll(async () => {
    app = await startTestApp();
    token = await app.login({ accessKeyId: app.admin.accessKeyId, secretAccessKey: app.admin.secretAccessKey });
  });
  afterAll(async () => app?.close());

  it('stores valid events and reports per-event failures by input index', async () => {
    const good = sampleEvent({ eventName: 'GoodOne' });
    const noId = sampleEvent({ eventName: 'NoId' });
    delete noId.eventID;
    const res = await app.gql(
      RECORD,
      { input: { events: [good, { eventSource: 'x' }, noId, sampleEvent({ awsRegion: 'mars-1' })] } },
      { token },
    );
    expect(res.errors).toBeUndefined();
    const { successful, failed } = res.data.recordEvents;
    expect(successful.map((s: any) => s.id)).toEqual(['0', '2']);
    expect(successful[0].eventId).toBe(good.eventID);
    expect(successful[1].eventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(failed).toEqual([
      { id: '1', errorCode: 'FieldNotFound', errorMessage: expect.stringContaining('eventTime') },
      { id: '3', errorCode: 'InvalidData', errorMessage: expect.stringContaining('mars-1') },
    ]);
    const stored = await storedRecords(app, `event_name IN ('GoodOne','NoId')`);
    expect(stored).toHaveLength(2);
    const noIdRecord = stored.find((r) => r.eventName === 'NoId');
    expect(noIdRecord).toMatchObject({
      eventID: successful[1].eventId,
      eventVersion: '1.11',
      eventType: 'AwsApiCall',
      eventCategory: 'Management',
      managementEvent: true,
      recipientAccountId: app.admin.accountId,
    });
    const outbox = await app.db.pool.query(`SELECT count(*)::int AS n FROM event_outbox WHERE $1 = ANY(event_ids)`, [good.eventID]);
    expect(outbox.rows[0].n).toBe(1);
  });

  it('stores a repeated eventID once and still reports it successful', async () => {
    const event = sampleEvent({ eventName: 'Repeated' });
    const first = await app.gql(RECORD, { input: { events: [event, event] } }, { token });
    const second = await app.gql(RECORD, { input: { events: [event] } }, { token });
    expect(first.data.recordEvents.successful).toEqual([
      { id: '0', eventId: event.eventID },
      { id: '1', eventId: event.eventID },
    ]);
    expect(second.data.recordEvents.successful).toEqual([{ id: '0', eventId: event.eventID }]);
    expect(await storedRecords(app, `event_id = $1`, [event.eventID])).toHaveLength(1);
  });

  it('rejects a foreign recipientAccountId per event', async () => {
    const res = await app.gql(
      RECORD,
      {
        input: { events: [sampleEvent({ recipientAccountId: '999999999999' }), sampleEvent({ recipientAccountId: app.admin.accountId })] },
      },
      { token },
    );
    expect(res.data.recordEvents.failed).toEqual([{ id: '0', errorCode: 'InvalidRecipient', errorMessage: expect.any(String) }]);
    expect(res.data.recordEvents.successful).toHaveLength(1);
  });

  it('refuses more than 100 events, an empty list, or more than 1 MB, storing nothing', async () => {
    const marker = `TooMany${randomUUID().slice(0, 8)}`;
    const tooMany = Array.from({ length: 101 }, () => sampleEvent({ eventName: marker }));
    const res = await app.gql(RECORD, { input: { events: tooMany } }, { token });
    expect(res.errors?.[0].extensions?.code).toBe('InvalidParameterException');
    const empty = await app.gql(RECORD, { input: { events: [] } }, { token });
    expect(empty.errors?.[0].extensions?.code).toBe('InvalidParameterException');
    const big = Array.from({ length: 5 }, () => sampleEvent({ eventName: marker, requestParameters: { blob: 'x'.repeat(250_000) } }));
    const tooBig = await app.gql(RECORD, { input: { events: big } }, { token });
    expect(tooBig.errors?.[0].extensions?.code).toBe('InvalidParameterException');
    expect(await storedRecords(app, `event_name = $1`, [marker])).toHaveLength(0);
  });

  it('denies a caller without cloudtrail:RecordEvents and audits the denial', async () => {
    const reader = await limitedUser(app, 'reader', 'arn:aws:iam::aws:policy/AWSCloudTrail_ReadOnlyAccess');
    const res = await app.gql(RECORD, { input: { events: [sampleEvent({ eventName: 'Denied' })] } }, { token: reader.token });
    expect(res.errors?.[0].extensions?.code).toBe('AccessDeniedException');
    expect(await storedRecords(app, `event_name = 'Denied'`)).toHaveLength(0);
    const audit = await storedRecords(app, `event_name = 'RecordEvents' AND username = 'reader'`);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      errorCode: 'AccessDeniedException',
      readOnly: false,
      eventSource: 'cloudtrail.amazonaws.com',
      requestParameters: { eventCount: 1 },
    });
  });
});
