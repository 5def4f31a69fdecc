import http from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import jwt from 'jsonwebtoken';
import { NodeSha256 } from '../../src/aws/sigv4';
import type { SessionClaims } from '../../src/auth/token.service';
import { AwsClients, awsKeys } from '../helpers/aws-cli';
import { startTestApp, type TestApp } from '../helpers/test-app';

jest.setTimeout(120_000);

const FREE_FAILURES = 3;

interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** The XML element's text, or null. */
const xmlText = (body: string, element: string) => new RegExp(`<${element}>([^<]*)</${element}>`).exec(body)?.[1] ?? null;

/**
 * SigV4 as the AWS SDK signs it (issue 14): every request here is signed by `@smithy/signature-v4`,
 * the signer inside the AWS SDK for JavaScript v3, in its header and presigned-query forms, with
 * the signing time, credentials and body the case needs; the server verifies it with the same
 * library. Each request goes out from a chosen loopback address, so the sign-in throttle's "same
 * address" is a real one.
 */
describe('SigV4 verification', () => {
  let app: TestApp;
  let admin: Credentials;
  let host: string;

  const signer = (credentials: Credentials, service: string) =>
    new SignatureV4({ credentials, region: 'us-east-1', service, sha256: NodeSha256 });

  function send(
    request: { method: string; path: string; query?: Record<string, string | string[]>; headers: Record<string, string>; body?: string },
    from = '127.0.0.1',
    body = request.body,
  ): Promise<Answer> {
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(request.query ?? {})) for (const value of [v].flat()) query.append(k, value);
    const path = query.size ? `${request.path}?${query}` : request.path;
    return new Promise((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port: app.server.port, path, method: request.method, localAddress: from, headers: request.headers },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  /** An STS GetCallerIdentity POST (the query protocol), before signing. */
  const stsCall = (body = 'Action=GetCallerIdentity&Version=2011-06-15') => ({
    method: 'POST',
    protocol: 'http:',
    hostname: '127.0.0.1',
    port: app.server.port,
    path: '/',
    query: {},
    headers: { host, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body,
  });

  /** A CloudTrail DescribeTrails (AWS JSON 1.1), before signing. */
  const cloudTrailCall = () => ({
    method: 'POST',
    protocol: 'http:',
    hostname: '127.0.0.1',
    port: app.server.port,
    path: '/',
    query: {},
    headers: {
      host,
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'CloudTrail_20131101.DescribeTrails',
    },
    body: '{}',
  });

  const minutesFromNow = (minutes: number) => new Date(Date.now() + minutes * 60_000);

  beforeAll(async () => {
    app = await startTestApp({
      SIGNIN_FREE_FAILURES_PER_KEY_ADDRESS: String(FREE_FAILURES),
      // Long enough that the throttle's gate is still shut when the next attempt comes.
      SIGNIN_BASE_DELAY_SECONDS: '600',
    });
    admin = { accessKeyId: app.admin.accessKeyId, secretAccessKey: app.admin.secretAccessKey };
    host = `127.0.0.1:${app.server.port}`;
  });

  afterAll(async () => {
    await app?.close();
  });

  it('accepts the Authorization header form, and refuses a body changed after signing', async () => {
    const signed = await signer(admin, 'sts').sign(stsCall());
    expect(signed.headers['x-amz-content-sha256']).toMatch(/^[0-9a-f]{64}$/);
    const ok = await send(signed as any);
    expect(ok.status).toBe(200);
    expect(xmlText(ok.body, 'Arn')).toBe(`arn:aws:iam::${app.admin.accountId}:user/admin`);

    // The signer sent the body's hash in x-amz-content-sha256: another body does not match it.
    const changed = 'Action=GetCallerIdentity&Version=2011-06-15&X=1';
    const tampered = await send(signed as any, '127.0.0.1', changed);
    expect(tampered.status).toBe(400);
    expect(xmlText(tampered.body, 'Code')).toBe('XAmzContentSHA256Mismatch');
    // Without that header the signature itself covers the body's hash.
    const { 'x-amz-content-sha256': _hash, ...headers } = signed.headers;
    const bare = await send({ ...signed, headers } as any, '127.0.0.1', changed);
    expect(bare.status).toBe(403);
    expect(xmlText(bare.body, 'Code')).toBe('SignatureDoesNotMatch');
  });

  it('accepts the presigned query form (X-Amz-Signature, X-Amz-Expires) until it expires', async () => {
    const get = { ...stsCall(), method: 'GET', query: { Action: 'GetCallerIdentity', Version: '2011-06-15' }, body: undefined };
    const presigned = await signer(admin, 'sts').presign(get, { expiresIn: 300 });
    expect(presigned.query).toMatchObject({ 'X-Amz-Expires': '300', 'X-Amz-Signature': expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(presigned.headers.authorization).toBeUndefined();
    const ok = await send(presigned as any);
    expect(ok.status).toBe(200);
    expect(xmlText(ok.body, 'Account')).toBe(app.admin.accountId);

    // Lengthening the URL's life after signing breaks the signature.
    const stretched = await send({ ...presigned, query: { ...presigned.query, 'X-Amz-Expires': '3600' } } as any);
    expect(stretched.status).toBe(403);
    expect(xmlText(stretched.body, 'Code')).toBe('SignatureDoesNotMatch');

    // Signed 10 minutes ago for 60 seconds: expired, whatever the signature.
    const old = await signer(admin, 'sts').presign(get, { expiresIn: 60, signingDate: minutesFromNow(-10) });
    const expired = await send(old as any);
    expect(expired.status).toBe(403);
    expect(xmlText(expired.body, 'Code')).toBe('RequestExpired');
    expect(xmlText(expired.body, 'Message')).toBe('Request has expired.');
  });

  it("accepts botocore's presigned URL as well", async () => {
    const clients = new AwsClients(app.baseUrl);
    try {
      const script = [
        'import boto3, os',
        'sts = boto3.client("sts", endpoint_url=os.environ["ENDPOINT"], region_name="us-east-1")',
        // As `aws eks get-token` makes its token: a GET URL of GetCallerIdentity.
        'print(sts.generate_presigned_url("get_caller_identity", ExpiresIn=120, HttpMethod="GET"))',
      ].join('\n');
      const run = await clients.python(['-'], { ENDPOINT: app.baseUrl, ...awsKeys(admin.accessKeyId, admin.secretAccessKey) }, script);
      expect(run.stderr).toBe('');
      const url = new URL(run.stdout.trim());
      expect(url.searchParams.get('X-Amz-Expires')).toBe('120');
      const answer = await fetch(url);
      expect(answer.status).toBe(200);
      expect(xmlText(await answer.text(), 'Account')).toBe(app.admin.accountId);
    } finally {
      clients.close();
    }
  });

  it("answers a CloudTrail error with its code in the body's __type and in x-amzn-ErrorType", async () => {
    const call = {
      ...cloudTrailCall(),
      headers: { ...cloudTrailCall().headers, 'x-amz-target': 'CloudTrail_20131101.GetTrail' },
      body: JSON.stringify({ Name: 'no-such-trail' }),
    };
    const answer = await send((await signer(admin, 'cloudtrail').sign(call)) as any);
    expect(answer.status).toBe(400);
    expect(answer.headers['content-type']).toBe('application/x-amz-json-1.1');
    expect(answer.headers['x-amzn-errortype']).toBe('TrailNotFoundException');
    expect(JSON.parse(answer.body)).toEqual({ __type: 'TrailNotFoundException', Message: expect.stringMatching(/no-such-trail/) });
  });

  it('allows 15 minutes of clock skew either way, and answers beyond it as AWS words it', async () => {
    for (const minutes of [-14, 14]) {
      const within = await send((await signer(admin, 'sts').sign(stsCall(), { signingDate: minutesFromNow(minutes) })) as any);
      expect(within.status).toBe(200);
    }
    const late = await send((await signer(admin, 'sts').sign(stsCall(), { signingDate: minutesFromNow(-16) })) as any);
    expect(late.status).toBe(403);
    expect(xmlText(late.body, 'Code')).toBe('SignatureDoesNotMatch');
    expect(xmlText(late.body, 'Message')).toMatch(
      /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$/,
    );
    const early = await send((await signer(admin, 'sts').sign(stsCall(), { signingDate: minutesFromNow(16) })) as any);
    expect(xmlText(early.body, 'Message')).toMatch(/^Signature not yet current: \d{8}T\d{6}Z is still later than \d{8}T\d{6}Z/);

    // A JSON protocol names it InvalidSignatureException, in the body and in x-amzn-ErrorType.
    const json = await send((await signer(admin, 'cloudtrail').sign(cloudTrailCall(), { signingDate: minutesFromNow(-16) })) as any);
    expect(json.status).toBe(403);
    expect(json.headers['x-amzn-errortype']).toBe('InvalidSignatureException');
    expect(JSON.parse(json.body)).toEqual({ __type: 'InvalidSignatureException', message: expect.stringMatching(/^Signature expired: /) });
  });

  it('answers an expired session token with ExpiredToken (STS) and ExpiredTokenException (CloudTrail)', async () => {
    const token = await app.login(app.admin);
    const issued = await app.gql('mutation { getSessionToken(input: {durationSeconds: 900}) { accessKeyId sessionToken } }', {}, { token });
    const { accessKeyId, sessionToken } = issued.data.getSessionToken;
    // The same session, issued by the server's own token service as already past its expiry.
    const claims = jwt.decode(sessionToken) as SessionClaims & { iss?: string; jti?: string };
    const { iat: _iat, exp: _exp, iss: _iss, jti: _jti, ...rest } = claims;
    const expired = app.services.tokens.issue(rest, -60).token;
    const credentials = { accessKeyId, secretAccessKey: app.services.sessionSecrets.secretFor(expired), sessionToken: expired };

    const current = { ...credentials, sessionToken, secretAccessKey: app.services.sessionSecrets.secretFor(sessionToken) };
    expect((await send((await signer(current, 'sts').sign(stsCall())) as any)).status).toBe(200);

    const sts = await send((await signer(credentials, 'sts').sign(stsCall())) as any);
    expect(sts.status).toBe(403);
    expect(xmlText(sts.body, 'Code')).toBe('ExpiredToken');
    expect(xmlText(sts.body, 'Message')).toBe('The security token included in the request is expired');
    const cloudtrail = await send((await signer(credentials, 'cloudtrail').sign(cloudTrailCall())) as any);
    expect(cloudtrail.status).toBe(403);
    expect(cloudtrail.headers['x-amzn-errortype']).toBe('ExpiredTokenException');
    expect(JSON.parse(cloudtrail.body).__type).toBe('ExpiredTokenException');
  });

  it('counts failed signatures on the sign-in throttle, which then refuses SigV4 and createSession alike', async () => {
    const attacker = '127.0.0.7';
    const wrong = { ...admin, secretAccessKey: 'x'.repeat(40) };
    // The free failures, then the one judged attempt the throttle lets through: all verified, all wrong.
    for (let i = 0; i <= FREE_FAILURES; i++) {
      const answer = await send((await signer(wrong, 'sts').sign(stsCall())) as any, attacker);
      expect(xmlText(answer.body, 'Code')).toBe('SignatureDoesNotMatch');
    }
    // Now even the right secret from that address is refused before it is judged.
    const refused = await send((await signer(admin, 'sts').sign(stsCall())) as any, attacker);
    expect(refused.status).toBe(400);
    expect(xmlText(refused.body, 'Code')).toBe('Throttling');
    const refusedJson = await send((await signer(admin, 'cloudtrail').sign(cloudTrailCall())) as any, attacker);
    expect(refusedJson.headers['x-amzn-errortype']).toBe('ThrottlingException');

    // createSession from that address counts on the same counters.
    const session = await send(
      {
        method: 'POST',
        path: '/graphql',
        headers: { host, 'content-type': 'application/json' },
        body: JSON.stringify({
          query: 'mutation($input: CreateSessionInput!) { createSession(input: $input) { token } }',
          variables: { input: admin },
        }),
      },
      attacker,
    );
    expect(JSON.parse(session.body).errors[0].extensions.code).toBe('ThrottlingException');

    // The key's owner elsewhere is not locked out.
    const owner = await send((await signer(admin, 'sts').sign(stsCall())) as any, '127.0.0.8');
    expect(owner.status).toBe(200);
  });

  it('counts an unknown access key id as a failed sign-in too', async () => {
    const from = '127.0.0.9';
    const unknown = { accessKeyId: 'AKIAQQQQQQQQQQQQQQQQ', secretAccessKey: 'x'.repeat(40) };
    const codes: string[] = [];
    for (let i = 0; i <= FREE_FAILURES + 1; i++) {
      codes.push(xmlText((await send((await signer(unknown, 'sts').sign(stsCall())) as any, from)).body, 'Code')!);
    }
    expect(codes).toEqual([...Array(FREE_FAILURES + 1).fill('InvalidClientTokenId'), 'Throttling']);
  });
});
