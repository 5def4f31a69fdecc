import {
  CloudTrailClient,
  CreateTrailCommand,
  DescribeTrailsCommand,
  GetTrailCommand,
  GetTrailStatusCommand,
  paginateLookupEvents,
  StartLoggingCommand,
  TrailNotFoundException,
  type Event as CloudTrailEvent,
} from '@aws-sdk/client-cloudtrail';
import { CreateKeyCommand, DescribeKeyCommand, KMSClient, NotFoundException } from '@aws-sdk/client-kms';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { RECORD, sampleEvent } from '../helpers/events';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { createTrailBucket } from '../helpers/trails';

jest.setTimeout(120_000);

/**
 * The npm AWS SDK v3 clients (issue 14) against the real server on loopback: the SDK builds,
 * signs (SigV4, with X-Amz-Security-Token for temporary credentials), sends and parses every
 * request itself, and OpenTrail's errors reach the caller as the SDK's typed exceptions.
 */
describe('the AWS SDK for JavaScript v3 against OpenTrail', () => {
  let app: TestApp;
  type Credentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  const config = (credentials: Credentials) => ({ endpoint: app.baseUrl, region: 'us-east-1', credentials, maxAttempts: 1 });
  let admin: Credentials;

  beforeAll(async () => {
    app = await startTestApp();
    admin = { accessKeyId: app.admin.accessKeyId, secretAccessKey: app.admin.secretAccessKey };
    const token = await app.login(app.admin);
    const events = Array.from({ length: 23 }, (_, i) => sampleEvent({ eventName: 'RunInstances' }, 100 + i));
    const recorded = await app.gql(RECORD, { input: { events } }, { token });
    expect(recorded.data.recordEvents.failed).toEqual([]);
    await createTrailBucket(app, { token, region: 'us-east-1' }, 'sdk-trail-logs', [app.admin.accountId]);
  });

  afterAll(async () => {
    await app?.close();
  });

  it("LookupEvents pages with the SDK's own paginator, NextToken to NextToken", async () => {
    const cloudtrail = new CloudTrailClient(config(admin));
    const pages: CloudTrailEvent[][] = [];
    for await (const page of paginateLookupEvents(
      { client: cloudtrail, pageSize: 10 },
      { LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'RunInstances' }] },
    )) {
      pages.push(page.Events ?? []);
    }
    expect(pages.map((p) => p.length)).toEqual([10, 10, 3]);
    const events = pages.flat();
    expect(new Set(events.map((e) => e.EventId)).size).toBe(23);
    // The SDK parsed the epoch-seconds timestamps into Dates.
    expect(events[0].EventTime).toBeInstanceOf(Date);
    expect(events[0]).toMatchObject({ EventName: 'RunInstances', EventSource: 'ec2.amazonaws.com' });
    const times = events.map((e) => e.EventTime!.getTime());
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  it('creates and starts a trail and reads its status; a missing trail is a TrailNotFoundException', async () => {
    const cloudtrail = new CloudTrailClient(config(admin));
    const created = await cloudtrail.send(new CreateTrailCommand({ Name: 'sdk-trail', S3BucketName: 'sdk-trail-logs' }));
    expect(created).toMatchObject({
      Name: 'sdk-trail',
      S3BucketName: 'sdk-trail-logs',
      TrailARN: `arn:aws:cloudtrail:us-east-1:${app.admin.accountId}:trail/sdk-trail`,
    });
    await cloudtrail.send(new StartLoggingCommand({ Name: 'sdk-trail' }));
    const status = await cloudtrail.send(new GetTrailStatusCommand({ Name: 'sdk-trail' }));
    expect(status.IsLogging).toBe(true);
    expect(status.StartLoggingTime).toBeInstanceOf(Date);

    const missing = await cloudtrail.send(new GetTrailCommand({ Name: 'no-such-trail' })).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(TrailNotFoundException);
    expect((missing as TrailNotFoundException).$metadata.httpStatusCode).toBe(400);
    expect((missing as TrailNotFoundException).message).toMatch(/no-such-trail/);

    // Self-audit names the SDK as the user agent.
    const token = await app.login(app.admin);
    const result = await app.gql(
      '{ lookupEvents(input: {lookupAttributes: [{attributeKey: EventName, attributeValue: "CreateTrail"}]}, first: 5) { edges { node { cloudTrailEvent } } } }',
      {},
      { token },
    );
    const records = result.data.lookupEvents.edges.map((e: any) => JSON.parse(e.node.cloudTrailEvent));
    expect(records[0]).toMatchObject({ eventSource: 'cloudtrail.amazonaws.com', eventName: 'CreateTrail' });
    expect(records[0].userAgent).toMatch(/aws-sdk-js\/3/);
    // The GraphQL operation's own record: its arguments, as a /graphql call's are.
    expect(records[0].requestParameters).toMatchObject({ input: { name: 'sdk-trail', s3BucketName: 'sdk-trail-logs' } });
  });

  it('STS AssumeRole gives temporary credentials that a CloudTrail client then signs with (X-Amz-Security-Token)', async () => {
    const token = await app.login(app.admin);
    const account = app.admin.accountId;
    const trust = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'sts:AssumeRole' }],
    });
    const role = await app.gql(
      'mutation($input: CreateRoleInput!) { createRole(input: $input) { arn } }',
      { input: { roleName: 'sdk-reader', assumeRolePolicyDocument: trust } },
      { token },
    );
    expect(role.errors).toBeUndefined();
    const attached = await app.gql(
      'mutation($input: AttachRolePolicyInput!) { attachRolePolicy(input: $input) }',
      { input: { roleName: 'sdk-reader', policyArn: 'arn:aws:iam::aws:policy/AWSCloudTrail_ReadOnlyAccess' } },
      { token },
    );
    expect(attached.errors).toBeUndefined();

    const sts = new STSClient(config(admin));
    const assumed = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/sdk-reader`, RoleSessionName: 'sdk' }));
    const c = assumed.Credentials!;
    expect(c.AccessKeyId).toMatch(/^ASIA/);
    expect(c.Expiration).toBeInstanceOf(Date);
    const temporary = { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };

    const identity = await new STSClient(config(temporary)).send(new GetCallerIdentityCommand({}));
    expect(identity.Arn).toBe(`arn:aws:sts::${account}:assumed-role/sdk-reader/sdk`);
    const asRole = new CloudTrailClient(config(temporary));
    const trails = await asRole.send(new DescribeTrailsCommand({}));
    expect(trails.trailList?.map((t) => t.Name)).toContain('sdk-trail');
    // The same credentials without their session token are not a key OpenTrail knows.
    const tokenless = new CloudTrailClient(config({ accessKeyId: temporary.accessKeyId, secretAccessKey: temporary.secretAccessKey }));
    const refused = await tokenless.send(new DescribeTrailsCommand({})).catch((e: unknown) => e as Error);
    expect((refused as Error).name).toBe('UnrecognizedClientException');
  });

  it('KMS CreateKey and DescribeKey; an unknown key is a NotFoundException', async () => {
    const kms = new KMSClient(config(admin));
    const created = await kms.send(new CreateKeyCommand({ Description: 'sdk key' }));
    const keyId = created.KeyMetadata!.KeyId!;
    expect(created.KeyMetadata).toMatchObject({
      Description: 'sdk key',
      KeyState: 'Enabled',
      Enabled: true,
      AWSAccountId: app.admin.accountId,
    });
    expect(created.KeyMetadata!.CreationDate).toBeInstanceOf(Date);
    const described = await kms.send(new DescribeKeyCommand({ KeyId: keyId }));
    expect(described.KeyMetadata).toMatchObject({ KeyId: keyId, Arn: created.KeyMetadata!.Arn, Description: 'sdk key' });
    const missing = await kms.send(new DescribeKeyCommand({ KeyId: '00000000-0000-4000-8000-000000000000' })).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(NotFoundException);
  });
});
