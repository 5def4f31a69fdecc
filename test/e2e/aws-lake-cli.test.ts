import { createOrganizationWithAdmin, type TenantCredentials } from '../../src/organizations/organization-bootstrap';
import { AwsClients, awsKeys } from '../helpers/aws-cli';
import { kms } from '../helpers/kms';
import { allRows, createStore, lakeEvent, seed } from '../helpers/lake-query';
import { lakeCall, type LakeSession } from '../helpers/lake-store';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { createTrailBucket, trailCall } from '../helpers/trails';

jest.setTimeout(120_000);

/**
 * CloudTrail Lake through the AWS face with the real clients (issue 14): a query started with
 * `aws cloudtrail start-query` gives through `get-query-results` the rows GraphQL gives; boto3's
 * `cloudtrail-data` client lands events in a store; and another account, signing with its own
 * key, finds none of this account's trails, stores, queries or keys, answered as CloudTrail and
 * KMS answer a name they do not know.
 */
describe('CloudTrail Lake and tenant walls through the AWS CLI and boto3', () => {
  let app: TestApp;
  let clients: AwsClients;
  let session: LakeSession;
  let env: Record<string, string>;
  let store: { id: string; arn: string };
  let other: TenantCredentials;
  let otherEnv: Record<string, string>;

  const aws = async (args: string[], as = env) => {
    const result = await clients.cli(args, as);
    return { ...result, json: result.code === 0 && result.stdout.trim() ? JSON.parse(result.stdout) : null };
  };

  beforeAll(async () => {
    app = await startTestApp();
    clients = new AwsClients(app.baseUrl);
    env = awsKeys(app.admin.accessKeyId, app.admin.secretAccessKey);
    session = { token: await app.login(app.admin) };
    store = await createStore(app, session, 'cli-lake');
    const account = app.admin.accountId;
    await seed(
      app,
      store.id,
      account,
      Array.from({ length: 12 }, (_, i) =>
        lakeEvent({
          eventName: i % 3 === 0 ? 'DeleteBucket' : 'CreateBucket',
          eventTime: `2023-01-22T10:${String(i).padStart(2, '0')}:00Z`,
          recipientAccountId: account,
        }),
      ),
    );
    other = await app.db.dataSource.transaction((m) => createOrganizationWithAdmin(m, 'Other', 'other@example.com'));
    // A key created outside the API gains its SigV4 secret at its first sign-in.
    await app.login(other);
    otherEnv = awsKeys(other.accessKeyId, other.secretAccessKey);
  });

  afterAll(async () => {
    await app?.close();
    clients?.close();
  });

  it('start-query, describe-query and get-query-results give the rows GraphQL gives', async () => {
    const statement = `SELECT eventName, eventTime, eventID FROM ${store.id} WHERE eventName = 'CreateBucket' ORDER BY eventTime`;
    const started = await aws(['cloudtrail', 'start-query', '--query-statement', statement]);
    expect(started.stderr).toBe('');
    const queryId: string = started.json.QueryId;
    expect(queryId).toMatch(/^[0-9a-f-]{36}$/);
    // What the lake-query worker does with the queued query, in-process.
    expect(await app.services.lakeQueries.run(queryId)).toBe('FINISHED');

    const described = await aws(['cloudtrail', 'describe-query', '--event-data-store', store.arn, '--query-id', queryId]);
    expect(described.json).toMatchObject({ QueryId: queryId, QueryString: statement, QueryStatus: 'FINISHED' });
    expect(described.json.QueryStatistics.EventsScanned).toEqual(expect.any(Number));

    // Pages of 3, NextToken to NextToken, as a script over the CLI reads them.
    const rows: unknown[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await aws([
        'cloudtrail',
        'get-query-results',
        '--query-id',
        queryId,
        '--max-query-results',
        '3',
        ...(nextToken ? ['--next-token', nextToken] : []),
      ]);
      expect(page.stderr).toBe('');
      expect(page.json.QueryStatus).toBe('FINISHED');
      rows.push(...page.json.QueryResultRows);
      nextToken = page.json.NextToken;
      pages++;
    } while (nextToken && pages < 10);
    expect(pages).toBe(3);
    const viaGraphQL = await allRows(app, session, queryId);
    expect(viaGraphQL).toHaveLength(8);
    expect(rows).toEqual(viaGraphQL);
    expect(rows[0]).toEqual([{ eventName: 'CreateBucket' }, { eventTime: expect.any(String) }, { eventID: expect.any(String) }]);

    // Another account knows neither the query nor the store.
    const foreign = await aws(['cloudtrail', 'get-query-results', '--query-id', queryId], otherEnv);
    expect(foreign.code).not.toBe(0);
    expect(foreign.stderr).toMatch(/\((QueryIdNotFoundException|EventDataStoreNotFoundException)\)/);
  });

  it("boto3's cloudtrail-data client lands audit events in the channel's store", async () => {
    const selectors = [{ fieldSelectors: [{ field: 'eventCategory', equals: ['ActivityAuditLog'] }] }];
    const target = await lakeCall(app, 'createEventDataStore', { name: 'boto3-integrations', advancedEventSelectors: selectors }, session);
    const channel = await lakeCall(
      app,
      'createChannel',
      { name: 'boto3-app', source: 'Custom', destinations: [{ type: 'EVENT_DATA_STORE', location: target.eventDataStoreArn }] },
      session,
    );
    const script = [
      'import boto3, json, os',
      'data = boto3.client("cloudtrail-data", endpoint_url=os.environ["ENDPOINT"], region_name="us-east-1")',
      'event = {"version": "1.0", "UID": "boto3-1", "userIdentity": {"type": "CustomUserIdentity", "principalId": "bob"},',
      '    "eventTime": "2026-11-20T12:13:14Z", "eventName": "UpdateUser", "eventSource": "app.example.com",',
      '    "recipientAccountId": os.environ["ACCOUNT"]}',
      'answer = data.put_audit_events(channelArn=os.environ["CHANNEL"], auditEvents=[{"id": "e1", "eventData": json.dumps(event)}])',
      'print(json.dumps({"successful": answer["successful"], "failed": answer["failed"]}))',
    ].join('\n');
    const run = await clients.python(
      ['-'],
      { ...env, ENDPOINT: app.baseUrl, ACCOUNT: app.admin.accountId, CHANNEL: channel.channelArn },
      `${script}\n`,
    );
    expect(run.stderr).toBe('');
    const answer = JSON.parse(run.stdout);
    expect(answer.failed).toEqual([]);
    expect(answer.successful).toEqual([{ id: 'e1', eventID: expect.any(String) }]);
    const { rows } = await app.db.pool.query('SELECT event_id FROM lake_events WHERE event_data_store_id = $1', [
      target.eventDataStoreArn.split('/').pop(),
    ]);
    expect(rows.map((r: { event_id: string }) => r.event_id)).toEqual([answer.successful[0].eventID]);

    // Another account's boto3 cannot put into this channel.
    const refused = await clients.python(
      ['-'],
      { ...otherEnv, ENDPOINT: app.baseUrl, ACCOUNT: other.accountId, CHANNEL: channel.channelArn },
      `${script}\n`,
    );
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/ChannelNotFound|ChannelInsufficientPermission/);
  });

  it("another account finds none of this account's trails, stores or keys", async () => {
    await createTrailBucket(app, { token: session.token, region: 'us-east-1' }, 'walled-trail-logs', [app.admin.accountId]);
    const trail = await trailCall(app, 'createTrail', { name: 'walled', s3BucketName: 'walled-trail-logs' }, session);
    const key = await kms(app, 'createKey', { description: 'walled key' }, session.token);
    // The owner sees them through the same face.
    expect((await aws(['cloudtrail', 'get-trail', '--name', trail.trailARN])).json.Trail.Name).toBe('walled');
    expect((await aws(['kms', 'describe-key', '--key-id', key.keyMetadata.arn])).json.KeyMetadata.KeyId).toBe(key.keyMetadata.keyId);

    const byArn = await aws(['cloudtrail', 'get-trail', '--name', trail.trailARN], otherEnv);
    expect(byArn.stderr).toMatch(/\(TrailNotFoundException\)/);
    const status = await aws(['cloudtrail', 'get-trail-status', '--name', trail.trailARN], otherEnv);
    expect(status.stderr).toMatch(/\(TrailNotFoundException\)/);
    const started = await aws(['cloudtrail', 'start-logging', '--name', trail.trailARN], otherEnv);
    expect(started.stderr).toMatch(/\(TrailNotFoundException\)/);
    expect((await aws(['cloudtrail', 'describe-trails'], otherEnv)).json.trailList).toEqual([]);

    const eds = await aws(['cloudtrail', 'get-event-data-store', '--event-data-store', store.arn], otherEnv);
    expect(eds.stderr).toMatch(/\(EventDataStoreNotFoundException\)/);
    const query = await aws(['cloudtrail', 'start-query', '--query-statement', `SELECT eventID FROM ${store.id}`], otherEnv);
    expect(query.stderr).toMatch(/\(EventDataStoreNotFoundException\)/);
    expect((await aws(['cloudtrail', 'list-event-data-stores'], otherEnv)).json.EventDataStores).toEqual([]);

    const described = await aws(['kms', 'describe-key', '--key-id', key.keyMetadata.arn], otherEnv);
    expect(described.stderr).toMatch(/\(NotFoundException\)/);
    const disabled = await aws(['kms', 'disable-key', '--key-id', key.keyMetadata.arn], otherEnv);
    expect(disabled.stderr).toMatch(/\(NotFoundException\)/);
    expect((await aws(['kms', 'list-keys'], otherEnv)).json.Keys).toEqual([]);
    // And nothing changed for the owner.
    expect((await aws(['kms', 'describe-key', '--key-id', key.keyMetadata.keyId])).json.KeyMetadata.Enabled).toBe(true);
    expect((await aws(['cloudtrail', 'get-trail-status', '--name', 'walled'])).json.IsLogging).toBe(false);
  });
});
