import fs from 'node:fs';
import path from 'node:path';
import { AwsClients, awsKeys } from '../helpers/aws-cli';
import { RECORD, sampleEvent } from '../helpers/events';
import { lakeCall } from '../helpers/lake-store';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { createTrailBucket } from '../helpers/trails';

jest.setTimeout(120_000);

/**
 * `aws cloudtrail …` (the AWS CLI v1 of this machine, signing with SigV4 itself) against the
 * real server with default settings: the CloudTrail face answers the CLI's own requests, its
 * paging, its error handling and its output, for the same caller and data as GraphQL.
 */
describe('aws cloudtrail against OpenTrail', () => {
  let app: TestApp;
  let clients: AwsClients;
  let env: Record<string, string>;
  const aws = async (...args: string[]) => {
    const result = await clients.cli(['cloudtrail', ...args], env);
    return { ...result, json: result.code === 0 && result.stdout.trim() ? JSON.parse(result.stdout) : null };
  };

  beforeAll(async () => {
    app = await startTestApp();
    clients = new AwsClients(app.baseUrl);
    env = awsKeys(app.admin.accessKeyId, app.admin.secretAccessKey);
    const token = await app.login(app.admin);
    const events = Array.from({ length: 30 }, (_, i) => sampleEvent({ eventName: 'RunInstances' }, 100 + i));
    const recorded = await app.gql(RECORD, { input: { events } }, { token });
    expect(recorded.data.recordEvents.failed).toEqual([]);
    await createTrailBucket(app, { token, region: 'us-east-1' }, 'cli-trail-logs', [app.admin.accountId]);
  });

  afterAll(async () => {
    await app?.close();
    clients?.close();
  });

  it('lookup-events finds the recorded events, paging through them as the CLI does', async () => {
    const all = await aws('lookup-events', '--lookup-attributes', 'AttributeKey=EventName,AttributeValue=RunInstances');
    expect(all.stderr).toBe('');
    // The CLI follows NextToken itself: 30 events over pages of 50 and its own page size below.
    expect(all.json.Events).toHaveLength(30);
    expect(all.json.Events[0]).toMatchObject({ EventName: 'RunInstances', EventSource: 'ec2.amazonaws.com' });
    expect(typeof JSON.parse(all.json.Events[0].CloudTrailEvent).eventID).toBe('string');
    const paged = await aws(
      'lookup-events',
      '--lookup-attributes',
      'AttributeKey=EventName,AttributeValue=RunInstances',
      '--page-size',
      '7',
    );
    expect(paged.json.Events.map((e: any) => e.EventId)).toEqual(all.json.Events.map((e: any) => e.EventId));
    const first = await aws(
      'lookup-events',
      '--lookup-attributes',
      'AttributeKey=EventName,AttributeValue=RunInstances',
      '--max-items',
      '5',
    );
    expect(first.json.Events).toHaveLength(5);
    expect(typeof first.json.NextToken).toBe('string');
  });

  it('creates a trail, starts and stops it, and reads its status, as against AWS', async () => {
    const created = await aws('create-trail', '--name', 'cli-trail', '--s3-bucket-name', 'cli-trail-logs', '--is-multi-region-trail');
    expect(created.stderr).toBe('');
    expect(created.json).toMatchObject({
      Name: 'cli-trail',
      S3BucketName: 'cli-trail-logs',
      IsMultiRegionTrail: true,
      TrailARN: `arn:aws:cloudtrail:us-east-1:${app.admin.accountId}:trail/cli-trail`,
    });
    expect((await aws('start-logging', '--name', 'cli-trail')).code).toBe(0);
    const status = await aws('get-trail-status', '--name', 'cli-trail');
    expect(status.json.IsLogging).toBe(true);
    // Timestamps are epoch seconds on the wire, which the CLI v1 prints as they came.
    expect(Math.abs(status.json.StartLoggingTime - Date.now() / 1000)).toBeLessThan(120);
    const described = await aws('describe-trails');
    expect(described.json.trailList.map((t: any) => t.Name)).toEqual(['cli-trail']);
    expect((await aws('stop-logging', '--name', 'cli-trail')).code).toBe(0);
    expect((await aws('get-trail-status', '--name', 'cli-trail')).json.IsLogging).toBe(false);
  });

  it('puts advanced event selectors from a file:// argument', async () => {
    const file = path.join(clients.dir, 'selectors.json');
    fs.writeFileSync(
      file,
      JSON.stringify([
        { Name: 'Management events', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] },
        {
          Name: 'S3 objects',
          FieldSelectors: [
            { Field: 'eventCategory', Equals: ['Data'] },
            { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
          ],
        },
      ]),
    );
    const put = await aws('put-event-selectors', '--trail-name', 'cli-trail', '--advanced-event-selectors', `file://${file}`);
    expect(put.stderr).toBe('');
    const got = await aws('get-event-selectors', '--trail-name', 'cli-trail');
    expect(got.json.AdvancedEventSelectors.map((s: any) => s.Name)).toEqual(['Management events', 'S3 objects']);
  });

  it('create-event-data-store, list-public-keys and put/get-insight-selectors behave as against AWS', async () => {
    const store = await aws('create-event-data-store', '--name', 'cli-store', '--retention-period', '30');
    expect(store.stderr).toBe('');
    expect(store.json).toMatchObject({ Name: 'cli-store', RetentionPeriod: 30, Status: 'CREATED' });
    expect(store.json.EventDataStoreArn).toMatch(new RegExp(`^arn:aws:cloudtrail:us-east-1:${app.admin.accountId}:eventdatastore/`));
    const listed = await aws('list-event-data-stores');
    expect(listed.json.EventDataStores.map((s: any) => s.EventDataStoreArn)).toContain(store.json.EventDataStoreArn);

    const keys = await aws('list-public-keys');
    expect(keys.stderr).toBe('');
    expect(keys.json.PublicKeyList.length).toBeGreaterThan(0);
    // Blobs are base64 on the wire; the CLI prints them as they came: a DER public key.
    const key = keys.json.PublicKeyList[0];
    expect(Buffer.from(key.Value, 'base64')[0]).toBe(0x30);
    expect(key.Fingerprint).toMatch(/^[0-9a-f]{32}$/);
    expect(typeof key.ValidityStartTime).toBe('number');

    const put = await aws(
      'put-insight-selectors',
      '--trail-name',
      'cli-trail',
      '--insight-selectors',
      JSON.stringify([{ InsightType: 'ApiCallRateInsight' }]),
    );
    expect(put.stderr).toBe('');
    expect(put.json.InsightSelectors).toEqual([{ InsightType: 'ApiCallRateInsight' }]);
    const got = await aws('get-insight-selectors', '--trail-name', 'cli-trail');
    expect(got.json.InsightSelectors).toEqual([{ InsightType: 'ApiCallRateInsight' }]);
  });

  it('AWS_ENDPOINT_URL points the CLI at OpenTrail for every service at once', async () => {
    const run = (service: string, command: string) =>
      clients.python(['-m', 'awscli', service, command, '--region', 'us-east-1', '--output', 'json'], {
        ...env,
        AWS_ENDPOINT_URL: app.baseUrl,
      });
    const trails = await run('cloudtrail', 'describe-trails');
    expect(trails.stderr).toBe('');
    expect(JSON.parse(trails.stdout).trailList.map((t: any) => t.Name)).toContain('cli-trail');
    const identity = await run('sts', 'get-caller-identity');
    expect(JSON.parse(identity.stdout).Account).toBe(app.admin.accountId);
    const keys = await run('kms', 'list-keys');
    expect(keys.stderr).toBe('');
    expect(Array.isArray(JSON.parse(keys.stdout).Keys)).toBe(true);
  });

  it("answers with CloudTrail's errors, which the CLI prints and exits on", async () => {
    const missing = await aws('get-trail', '--name', 'no-such-trail');
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/TrailNotFoundException/);
    const invalid = await aws('create-trail', '--name', 'a b', '--s3-bucket-name', 'cli-trail-logs');
    expect(invalid.stderr).toMatch(/InvalidTrailNameException/);
  });

  it('records the calls in the event history with the CLI as the user agent', async () => {
    const token = await app.login(app.admin);
    const result = await app.gql(
      '{ lookupEvents(input: {lookupAttributes: [{attributeKey: EventName, attributeValue: "CreateTrail"}]}, first: 5) { edges { node { cloudTrailEvent } } } }',
      {},
      { token },
    );
    const records = result.data.lookupEvents.edges.map((e: any) => JSON.parse(e.node.cloudTrailEvent));
    expect(records.length).toBeGreaterThan(0);
    expect(records[0]).toMatchObject({ eventSource: 'cloudtrail.amazonaws.com', eventName: 'CreateTrail' });
    expect(records[0].userAgent).toMatch(/^aws-cli\//);
  });

  it("aws cloudtrail-data put-audit-events (REST-JSON) lands the events in the channel's store, with per-event errors", async () => {
    const session = { token: await app.login(app.admin) };
    const selectors = [{ fieldSelectors: [{ field: 'eventCategory', equals: ['ActivityAuditLog'] }] }];
    const store = await lakeCall(app, 'createEventDataStore', { name: 'cli-integrations', advancedEventSelectors: selectors }, session);
    const channel = await lakeCall(
      app,
      'createChannel',
      { name: 'cli-app', source: 'Custom', destinations: [{ type: 'EVENT_DATA_STORE', location: store.eventDataStoreArn }] },
      session,
    );
    const eventData = JSON.stringify({
      version: '1.0',
      UID: 'cli-1',
      userIdentity: { type: 'CustomUserIdentity', principalId: 'alice' },
      eventTime: '2026-11-20T12:13:14Z',
      eventName: 'DeleteUser',
      eventSource: 'app.example.com',
      recipientAccountId: app.admin.accountId,
    });
    const file = path.join(clients.dir, 'audit-events.json');
    fs.writeFileSync(
      file,
      JSON.stringify([
        { id: 'one', eventData },
        { id: 'two', eventData: '{"not json' },
      ]),
    );
    const result = await clients.cli(
      ['cloudtrail-data', 'put-audit-events', '--channel-arn', channel.channelArn, '--audit-events', `file://${file}`],
      env,
    );
    expect(result.stderr).toBe('');
    const answer = JSON.parse(result.stdout);
    expect(answer.successful).toEqual([{ id: 'one', eventID: expect.any(String) }]);
    expect(answer.failed).toEqual([{ id: 'two', errorCode: expect.any(String), errorMessage: expect.any(String) }]);
    const { rows } = await app.db.pool.query('SELECT event_id FROM lake_events WHERE event_data_store_id = $1', [
      store.eventDataStoreArn.split('/')[1],
    ]);
    expect(rows.map((r: { event_id: string }) => r.event_id)).toEqual([answer.successful[0].eventID]);

    const missing = await clients.cli(
      [
        'cloudtrail-data',
        'put-audit-events',
        '--channel-arn',
        channel.channelArn.replace(/[0-9a-f]{4}$/, '0000'),
        '--audit-events',
        `file://${file}`,
      ],
      env,
    );
    expect(missing.stderr).toMatch(/ChannelNotFound|ChannelInsufficientPermission/);
  });

  it('is the tenant wall it is in GraphQL: another account sees none of it', async () => {
    const { createOrganizationWithAdmin } = await import('../../src/organizations/organization-bootstrap');
    const other = await app.db.dataSource.transaction((m) => createOrganizationWithAdmin(m, 'Other', 'other@example.com'));
    // A key created outside the API gains its SigV4 secret at its first sign-in.
    await app.login(other);
    const otherEnv = awsKeys(other.accessKeyId, other.secretAccessKey);
    const trails = await clients.cli(['cloudtrail', 'describe-trails'], otherEnv);
    expect(JSON.parse(trails.stdout).trailList).toEqual([]);
    const events = await clients.cli(
      ['cloudtrail', 'lookup-events', '--lookup-attributes', 'AttributeKey=EventName,AttributeValue=RunInstances'],
      otherEnv,
    );
    expect(JSON.parse(events.stdout).Events).toEqual([]);
  });
});
