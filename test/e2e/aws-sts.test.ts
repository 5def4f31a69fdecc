import { AwsClients, awsKeys } from '../helpers/aws-cli';
import { startTestApp, type TestApp } from '../helpers/test-app';

/**
 * The AWS face with the real clients (issue 14): the AWS CLI v1 and boto3 of this machine, on
 * loopback, signing with SigV4 themselves. Nothing here hand-writes a signed request.
 */
let app: TestApp;
let clients: AwsClients;

const keys = awsKeys;
const cli = (args: string[], env: Record<string, string>) => clients.cli(args, env);

/**
 * boto3 from a script on stdin: `sts` is a client of the endpoint; the script prints JSON. With
 * SKEW_SECONDS, botocore's own clock (the one its signer reads) runs that far behind.
 */
async function boto3(script: string, env: Record<string, string>): Promise<any> {
  const prelude = [
    'import boto3, botocore.auth, datetime, json, os',
    'skew = int(os.environ.get("SKEW_SECONDS", "0"))',
    'if skew:',
    '    real = botocore.auth.get_current_datetime',
    '    botocore.auth.get_current_datetime = lambda *a, **k: real(*a, **k) - datetime.timedelta(seconds=skew)',
    'sts = boto3.client("sts", endpoint_url=os.environ["ENDPOINT"], region_name="us-east-1")',
    'def error_of(call):',
    '    try:',
    '        call()',
    '        return None',
    '    except botocore.exceptions.ClientError as e:',
    '        return {"Code": e.response["Error"]["Code"], "Message": e.response["Error"]["Message"], "Status": e.response["ResponseMetadata"]["HTTPStatusCode"]}',
  ].join('\n');
  const result = await clients.python(['-'], { ENDPOINT: app.baseUrl, ...env }, `${prelude}\n${script}\n`);
  if (result.code !== 0) throw new Error(`boto3 script failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

async function eventsOf(eventName: string): Promise<any[]> {
  const token = await app.login(app.admin);
  for (let attempt = 0; attempt < 50; attempt++) {
    const result = await app.gql(
      `{ lookupEvents(input: {lookupAttributes: [{attributeKey: EventName, attributeValue: "${eventName}"}]}, first: 50) { edges { node { eventSource eventName cloudTrailEvent } } } }`,
      {},
      { token },
    );
    const found = result.data?.lookupEvents.edges.map((e: any) => ({ ...e.node, record: JSON.parse(e.node.cloudTrailEvent) })) ?? [];
    if (found.length > 0) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return [];
}

beforeAll(async () => {
  app = await startTestApp();
  clients = new AwsClients(app.baseUrl);
}, 120_000);

afterAll(async () => {
  await app?.close();
  clients?.close();
});

describe('STS through the AWS CLI and boto3', () => {
  it('aws sts get-caller-identity names the bootstrap admin', async () => {
    const result = await cli(['sts', 'get-caller-identity'], keys(app.admin.accessKeyId, app.admin.secretAccessKey));
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({
      UserId: expect.stringMatching(/^AIDA/),
      Account: app.admin.accountId,
      Arn: `arn:aws:iam::${app.admin.accountId}:user/admin`,
    });
  });

  it('boto3: get_session_token issues credentials that then sign calls, with the same identity', async () => {
    const out = await boto3(
      [
        'creds = sts.get_session_token(DurationSeconds=900)["Credentials"]',
        'temp = boto3.client("sts", endpoint_url=os.environ["ENDPOINT"], region_name="us-east-1",',
        '    aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=creds["SessionToken"])',
        'forged = boto3.client("sts", endpoint_url=os.environ["ENDPOINT"], region_name="us-east-1",',
        '    aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"][:-1] + "x", aws_session_token=creds["SessionToken"])',
        'print(json.dumps({"keyId": creds["AccessKeyId"], "expires": creds["Expiration"].isoformat(),',
        '    "identity": temp.get_caller_identity(), "again": error_of(lambda: temp.get_session_token()),',
        '    "forged": error_of(lambda: forged.get_caller_identity())}, default=str))',
      ].join('\n'),
      keys(app.admin.accessKeyId, app.admin.secretAccessKey),
    );
    expect(out.keyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    const lifetime = new Date(out.expires).getTime() - Date.now();
    expect(lifetime).toBeGreaterThan(800_000);
    expect(lifetime).toBeLessThanOrEqual(900_000);
    expect(out.identity.Account).toBe(app.admin.accountId);
    expect(out.identity.Arn).toBe(`arn:aws:iam::${app.admin.accountId}:user/admin`);
    // As in STS: temporary credentials cannot make more, and a wrong secret does not sign.
    expect(out.again).toEqual({ Code: 'AccessDenied', Message: 'Cannot call GetSessionToken with session credentials', Status: 403 });
    expect(out.forged).toMatchObject({ Code: 'SignatureDoesNotMatch', Status: 403 });
  });

  it('a wrong secret is SignatureDoesNotMatch, an unknown key InvalidClientTokenId', async () => {
    const wrong = await cli(['sts', 'get-caller-identity'], keys(app.admin.accessKeyId, 'x'.repeat(40)));
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(
      /An error occurred \(SignatureDoesNotMatch\) when calling the GetCallerIdentity operation(?: \(reached max retries: \d+\))?: The request signature we calculated does not match the signature you provided\./,
    );
    const unknown = await cli(['sts', 'get-caller-identity'], keys('AKIAQQQQQQQQQQQQQQQQ', 'x'.repeat(40)));
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(
      /An error occurred \(InvalidClientTokenId\) when calling the GetCallerIdentity operation(?: \(reached max retries: \d+\))?: The security token included in the request is invalid\./,
    );
  });

  it('a request signed 20 minutes ago is refused with the skew error', async () => {
    const out = await boto3('print(json.dumps(error_of(lambda: sts.get_caller_identity())))', {
      ...keys(app.admin.accessKeyId, app.admin.secretAccessKey),
      SKEW_SECONDS: '1200',
    });
    expect(out).toMatchObject({ Code: 'SignatureDoesNotMatch', Status: 403 });
    expect(out.Message).toMatch(/^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$/);
  });

  it('records the calls in the event history with the client as userAgent', async () => {
    await cli(['sts', 'get-caller-identity'], keys(app.admin.accessKeyId, app.admin.secretAccessKey));
    const calls = await eventsOf('GetCallerIdentity');
    const fromCli = calls.find((e) => /^aws-cli\//.test(e.record.userAgent));
    expect(fromCli).toBeDefined();
    expect(fromCli.eventSource).toBe('sts.amazonaws.com');
    expect(fromCli.record).toMatchObject({
      eventSource: 'sts.amazonaws.com',
      recipientAccountId: app.admin.accountId,
      sourceIPAddress: '127.0.0.1',
    });
    expect(fromCli.record.userIdentity).toMatchObject({ type: 'IAMUser', accessKeyId: app.admin.accessKeyId, userName: 'admin' });
    const issued = await eventsOf('GetSessionToken');
    expect(issued.some((e) => /Boto3\//.test(e.record.userAgent))).toBe(true);
    // The temporary secret and the token never reach the record.
    for (const e of issued) expect(e.cloudTrailEvent).not.toMatch(/"secretAccessKey":"(?!HIDDEN)/);
  });

  it('aws sts assume-role returns credentials of the role session, which then sign calls as the assumed role', async () => {
    const token = await app.login(app.admin);
    const account = app.admin.accountId;
    const trust = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'sts:AssumeRole' }],
    });
    const created = await app.gql(
      'mutation($input: CreateRoleInput!) { createRole(input: $input) { arn } }',
      { input: { roleName: 'auditor', assumeRolePolicyDocument: trust } },
      { token },
    );
    expect(created.errors).toBeUndefined();
    const attached = await app.gql(
      'mutation($input: AttachRolePolicyInput!) { attachRolePolicy(input: $input) }',
      { input: { roleName: 'auditor', policyArn: 'arn:aws:iam::aws:policy/AWSCloudTrail_ReadOnlyAccess' } },
      { token },
    );
    expect(attached.errors).toBeUndefined();

    const assumed = await cli(
      ['sts', 'assume-role', '--role-arn', `arn:aws:iam::${account}:role/auditor`, '--role-session-name', 'night-shift'],
      keys(app.admin.accessKeyId, app.admin.secretAccessKey),
    );
    expect(assumed.stderr).toBe('');
    const { Credentials, AssumedRoleUser } = JSON.parse(assumed.stdout);
    expect(Credentials.AccessKeyId).toMatch(/^ASIA/);
    expect(AssumedRoleUser.Arn).toBe(`arn:aws:sts::${account}:assumed-role/auditor/night-shift`);

    const asRole = keys(Credentials.AccessKeyId, Credentials.SecretAccessKey, Credentials.SessionToken);
    const identity = await cli(['sts', 'get-caller-identity'], asRole);
    expect(JSON.parse(identity.stdout)).toMatchObject({
      Account: account,
      Arn: `arn:aws:sts::${account}:assumed-role/auditor/night-shift`,
    });
    // The role's read-only policy lets it read trails, not create them.
    expect((await cli(['cloudtrail', 'describe-trails'], asRole)).code).toBe(0);
    const refused = await cli(['cloudtrail', 'create-trail', '--name', 'nope', '--s3-bucket-name', 'nope-bucket'], asRole);
    expect(refused.stderr).toMatch(/AccessDenied/);

    // A role whose trust policy does not name the caller cannot be assumed.
    const foreign = await cli(
      ['sts', 'assume-role', '--role-arn', `arn:aws:iam::${account}:role/no-such-role`, '--role-session-name', 'day-shift'],
      keys(app.admin.accessKeyId, app.admin.secretAccessKey),
    );
    expect(foreign.code).not.toBe(0);
    expect(foreign.stderr).toMatch(/AccessDenied|NoSuchEntity/);
  });

  it('leaves /graphql as it was', async () => {
    const token = await app.login(app.admin);
    const result = await app.gql('{ getCallerIdentity { account arn } }', {}, { token });
    expect(result.data.getCallerIdentity).toEqual({ account: app.admin.accountId, arn: `arn:aws:iam::${app.admin.accountId}:user/admin` });
  });
});
