import type { AwsServiceFace } from '../../src/aws/aws-face';
import { buildOpenTrailSchema } from '../../src/graphql/schema';
import { cloudTrailFace } from '../../src/aws/json-service-face';
import type { GraphQLContext } from '../../src/graphql/context';
import {
  botocoreAvailable,
  botocoreModel,
  botocoreParse,
  conformanceProblems,
  jsonRequest,
  runOverHttp,
  sessionContext,
  wireResponse,
  type BotocoreModel,
  type WireResponse,
} from '../helpers/aws-json';
import { RECORD, sampleEvent } from '../helpers/events';
import { LIST_PUBLIC_KEYS } from '../helpers/integrity';
import { createTrailBucket } from '../helpers/trails';
import { startTestApp, type TestApp } from '../helpers/test-app';

jest.setTimeout(120_000);

const PREFIX = 'CloudTrail_20131101';
const epoch = (iso: string) => Date.parse(iso) / 1000;

/**
 * CloudTrail's own API (AWS JSON 1.1) through the face; where python3 has botocore, every body is
 * also checked against botocore's model and parsed by botocore's own parser.
 */
describe('CloudTrail face', () => {
  let app: TestApp;
  let token: string;
  let context: GraphQLContext;
  let face: AwsServiceFace;
  let model: BotocoreModel | null = null;
  const seen: Array<WireResponse & { json: any }> = [];

  async function send(operation: string, body: Record<string, unknown> | string = {}, prefix = PREFIX) {
    const response = wireResponse(operation, await face(jsonRequest(context, 'cloudtrail', prefix, operation, body)));
    expect(response.headers['content-type']).toBe('application/x-amz-json-1.1');
    expect(response.headers['x-amzn-RequestId']).toMatch(/^[0-9a-f-]{36}$/);
    seen.push(response);
    return response;
  }

  /** A call that must succeed, with a body conforming to the operation's output shape. */
  async function ok(operation: string, body: Record<string, unknown> = {}): Promise<any> {
    const response = await send(operation, body);
    expect({ operation, status: response.status, error: response.status === 200 ? null : response.json }).toEqual({
      operation,
      status: 200,
      error: null,
    });
    if (model) expect(conformanceProblems(model, model.operations[operation].output!.shape, response.json)).toEqual([]);
    return response.json;
  }

  async function fails(operation: string, body: Record<string, unknown> | string, code: string, prefix = PREFIX): Promise<string> {
    const response = await send(operation, body, prefix);
    expect({ status: response.status, type: response.json.__type }).toEqual({ status: 400, type: code });
    expect(Object.keys(response.json).sort()).toEqual(['Message', '__type']);
    return response.json.Message;
  }

  beforeAll(async () => {
    if (botocoreAvailable) model = botocoreModel('cloudtrail', '2013-11-01');
    app = await startTestApp();
    token = await app.login(app.admin);
    context = await sessionContext(app, token);
    face = cloudTrailFace(runOverHttp(app, token), await buildOpenTrailSchema());
  });

  afterAll(async () => {
    await app?.close();
  });

  it('looks up events by attribute and time range, paging with NextToken', async () => {
    const times = [300, 200, 100].map((ago) => new Date(Date.now() - ago * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'));
    const events = times.map((eventTime) => sampleEvent({ eventName: 'RunInstances', eventTime }));
    const recorded = await app.gql(RECORD, { input: { events: [...events, sampleEvent({ eventName: 'StopInstances' })] } }, { token });
    expect(recorded.data.recordEvents.failed).toEqual([]);

    const query = { LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'RunInstances' }], StartTime: epoch(times[0]) - 1 };
    const first = await ok('LookupEvents', { ...query, MaxResults: 2 });
    expect(first.Events.map((e: any) => e.EventTime)).toEqual([epoch(times[2]), epoch(times[1])]);
    expect(first.Events[0]).toMatchObject({
      EventName: 'RunInstances',
      EventSource: 'ec2.amazonaws.com',
      ReadOnly: 'false',
      Username: 'alice',
    });
    expect(JSON.parse(first.Events[0].CloudTrailEvent).eventID).toBe(events[2].eventID);
    expect(typeof first.NextToken).toBe('string');

    const second = await ok('LookupEvents', { ...query, MaxResults: 2, NextToken: first.NextToken });
    expect(second.Events.map((e: any) => e.EventId)).toEqual([events[0].eventID]);
    expect(second.NextToken).toBeUndefined();

    // The time range is inclusive at both ends: the middle event alone.
    const middle = await ok('LookupEvents', { ...query, StartTime: epoch(times[1]), EndTime: epoch(times[1]) });
    expect(middle.Events.map((e: any) => e.EventId)).toEqual([events[1].eventID]);
  });

  it('creates, reads, logs, selects for and deletes a trail', async () => {
    await createTrailBucket(app, { token }, 'aws-face-trails', [app.admin.accountId]);
    const created = await ok('CreateTrail', {
      Name: 'face-trail',
      S3BucketName: 'aws-face-trails',
      IsMultiRegionTrail: true,
      EnableLogFileValidation: true,
      TagsList: [{ Key: 'team', Value: 'audit' }],
    });
    const arn = `arn:aws:cloudtrail:${app.config.homeRegion}:${app.admin.accountId}:trail/face-trail`;
    expect(created).toMatchObject({ Name: 'face-trail', S3BucketName: 'aws-face-trails', TrailARN: arn, IsMultiRegionTrail: true });
    expect(created).toMatchObject({ LogFileValidationEnabled: true, IncludeGlobalServiceEvents: true, IsOrganizationTrail: false });

    const { Trail } = await ok('GetTrail', { Name: 'face-trail' });
    expect(Trail).toMatchObject({ Name: 'face-trail', TrailARN: arn, HomeRegion: app.config.homeRegion, HasCustomEventSelectors: false });
    const described = await ok('DescribeTrails', { trailNameList: [arn] });
    expect(described.trailList.map((t: any) => t.TrailARN)).toEqual([arn]);
    const tags = await ok('ListTags', { ResourceIdList: [arn] });
    expect(tags.ResourceTagList).toEqual([{ ResourceId: arn, TagsList: [{ Key: 'team', Value: 'audit' }] }]);

    const before = Date.now() / 1000;
    expect(await ok('StartLogging', { Name: arn })).toEqual({});
    const logging = await ok('GetTrailStatus', { Name: 'face-trail' });
    expect(logging.IsLogging).toBe(true);
    expect(logging.StartLoggingTime).toBeGreaterThanOrEqual(Math.floor(before));
    expect(await ok('StopLogging', { Name: 'face-trail' })).toEqual({});
    const stopped = await ok('GetTrailStatus', { Name: 'face-trail' });
    expect(stopped.IsLogging).toBe(false);
    expect(stopped.StopLoggingTime).toBeGreaterThanOrEqual(logging.StartLoggingTime);

    const advanced = [
      {
        Name: 'S3 writes',
        FieldSelectors: [
          { Field: 'eventCategory', Equals: ['Data'] },
          { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
          { Field: 'readOnly', Equals: ['false'] },
        ],
      },
    ];
    const put = await ok('PutEventSelectors', { TrailName: 'face-trail', AdvancedEventSelectors: advanced });
    expect(put).toEqual({ TrailARN: arn, AdvancedEventSelectors: advanced });
    expect(await ok('GetEventSelectors', { TrailName: arn })).toEqual(put);

    expect(await ok('DeleteTrail', { Name: 'face-trail' })).toEqual({});
    expect(await fails('GetTrail', { Name: 'face-trail' }, 'TrailNotFoundException')).toMatch(/face-trail/);
  });

  it('answers bad input with CloudTrail exceptions, and unknown operations as AWS does', async () => {
    await fails('CreateTrail', { Name: 'no spaces allowed', S3BucketName: 'aws-face-trails' }, 'InvalidTrailNameException');
    // In the model but not in OpenTrail, and in neither.
    await fails(
      'EnableFederation',
      { EventDataStore: 'x', FederationRoleArn: 'arn:aws:iam::111122223333:role/r' },
      'UnknownOperationException',
    );
    await fails('MakeCoffee', {}, 'UnknownOperationException');
    await fails('ListTrails', {}, 'UnknownOperationException', 'KinesisStreams_20131202');
    await fails('ListTrails', '{"not json', 'SerializationException');
    // A member OpenTrail does not serve is refused, not ignored.
    expect(await fails('ListTags', { ResourceIdList: [], NextToken: 'x' }, 'InvalidParameterException')).toMatch(/NextToken/);
    // botocore's model names the full Smithy id as the prefix: both forms are served.
    expect(await ok('ListTrails', {})).toHaveProperty('Trails');
    const full = await send('ListTrails', {}, `com.amazonaws.cloudtrail.v20131101.${PREFIX}`);
    expect(full.status).toBe(200);
  });

  it('creates and lists event data stores, and starts and describes a query', async () => {
    const selectors = [{ Name: 'Management', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] }];
    const before = Math.floor(Date.now() / 1000);
    const store = await ok('CreateEventDataStore', {
      Name: 'face-store',
      RetentionPeriod: 30,
      TerminationProtectionEnabled: false,
      AdvancedEventSelectors: selectors,
    });
    expect(store).toMatchObject({ Name: 'face-store', RetentionPeriod: 30, TerminationProtectionEnabled: false, Status: 'CREATED' });
    expect(store.AdvancedEventSelectors).toEqual(selectors);
    expect(store.CreatedTimestamp).toBeGreaterThanOrEqual(before);
    expect(store.EventDataStoreArn).toMatch(
      new RegExp(`^arn:aws:cloudtrail:${app.config.homeRegion}:${app.admin.accountId}:eventdatastore/`),
    );

    const listed = await ok('ListEventDataStores', { MaxResults: 10 });
    expect(listed.EventDataStores).toEqual([{ EventDataStoreArn: store.EventDataStoreArn, Name: 'face-store' }]);

    const id = store.EventDataStoreArn.split('/').pop();
    const statement = `SELECT eventID FROM ${id}`;
    const started = await ok('StartQuery', { QueryStatement: statement });
    expect(started.QueryId).toMatch(/^[0-9a-f-]{36}$/);
    const described = await ok('DescribeQuery', { QueryId: started.QueryId });
    expect(described).toMatchObject({ QueryId: started.QueryId, QueryString: statement });
    expect(['QUEUED', 'RUNNING', 'FINISHED']).toContain(described.QueryStatus);
    expect(described.QueryStatistics.CreationTime).toBeGreaterThanOrEqual(before);
  });

  it('lists the public keys the GraphQL face lists, with epoch validity times', async () => {
    const input = { startTime: new Date(Date.now() - 86_400_000).toISOString() };
    const graphql = (await app.gql(LIST_PUBLIC_KEYS, { input }, { token })).data.listPublicKeys.publicKeyList;
    expect(graphql.length).toBeGreaterThan(0);
    const keys = await ok('ListPublicKeys', { StartTime: epoch(input.startTime) });
    expect(keys.PublicKeyList).toEqual(
      graphql.map((k: any) => ({
        Value: k.value,
        Fingerprint: k.fingerprint,
        ValidityStartTime: epoch(k.validityStartTime),
        ValidityEndTime: epoch(k.validityEndTime),
      })),
    );
  });

  (botocoreAvailable ? it : it.skip)("parses every response with botocore's own JSON parser to the values sent", () => {
    expect(seen.length).toBeGreaterThan(20);
    const parsed = botocoreParse('cloudtrail', seen);
    seen.forEach((response, i) => {
      const expected =
        response.status === 200
          ? response.json
          : { Error: { Code: response.json.__type.split('#').pop(), Message: response.json.Message } };
      expect({ operation: response.operation, parsed: parsed[i] }).toEqual({ operation: response.operation, parsed: expected });
    });
  });
});
