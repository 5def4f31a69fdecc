import { startTestApp, type TestApp } from '../helpers/test-app';
import { LOOKUP, RECORD, sampleEvent } from '../helpers/events';

// Records as real producers send them (issue 16 §2): an old-format data event, an oversized
// errorMessage, resources: null. Each is accepted and kept as CloudTrail would have kept it.
describe('records kept as CloudTrail keeps them', () => {
  let app: TestApp;
  let token: string;
  const lookupNames = async (eventName: string) =>
    (
      await app.gql(LOOKUP, { input: { lookupAttributes: [{ attributeKey: 'EventName', attributeValue: eventName }] } }, { token })
    ).data.lookupEvents.edges.map((e: any) => JSON.parse(e.node.cloudTrailEvent));

  beforeAll(async () => {
    app = await startTestApp();
    token = await app.login({ accessKeyId: app.admin.accessKeyId, secretAccessKey: app.admin.secretAccessKey });
  });
  afterAll(async () => app?.close());

  it('keeps a pre-1.07 data event out of event history, as a Data event', async () => {
    const copy = sampleEvent({
      eventVersion: '1.05',
      eventSource: 's3.amazonaws.com',
      eventName: 'CopyObject',
      managementEvent: false,
      eventType: 'AwsApiCall',
    });
    delete copy.eventCategory;
    const res = await app.gql(RECORD, { input: { events: [copy] } }, { token });
    expect(res.data.recordEvents.failed).toEqual([]);
    expect(await lookupNames('CopyObject')).toEqual([]);
    const { rows } = await app.db.pool.query(`SELECT event_category, management_event, record FROM events WHERE event_id = $1`, [
      copy.eventID,
    ]);
    expect(rows[0]).toMatchObject({ event_category: 'Data', management_event: false });
    const record = typeof rows[0].record === 'string' ? JSON.parse(rows[0].record) : rows[0].record;
    expect(record.eventVersion).toBe('1.05');
    expect(record).not.toHaveProperty('eventCategory'); // 1.05 records have none
  });

  it('stores a RunInstances failure with a 4 KB errorMessage, truncated to 1 KB', async () => {
    const failure = sampleEvent({
      errorCode: 'Client.UnauthorizedOperation',
      errorMessage: `You are not authorized to perform this operation. Encoded authorization failure message: ${'x'.repeat(4000)}`,
      resources: null,
    });
    const res = await app.gql(RECORD, { input: { events: [failure] } }, { token });
    expect(res.data.recordEvents.failed).toEqual([]);
    const found = (await lookupNames('RunInstances')).find((r: any) => r.eventID === failure.eventID);
    expect(Buffer.byteLength(found.errorMessage)).toBe(1024);
    expect(found.errorMessage.startsWith('You are not authorized')).toBe(true);
    expect(found.resources).toBeNull();
    expect(found).toMatchObject({ eventCategory: 'Management', managementEvent: true, eventVersion: '1.11' });
  });
});
