/**
 * `node dist/bench/run.js aws-face`: the AWS face's cost (issue 14). The same lookup, the first
 * page of 50 events of one event source, through GraphQL (a bearer session) and through the AWS
 * face (CloudTrail_20131101.LookupEvents signed with SigV4), alternating in one run against one
 * api process, p50 of each. Every request is signed before the timed part (as a client would,
 * within SigV4's 15 minutes), so what is timed is the server's work: verification, the sign-in
 * throttle's look, the JSON translation and the same GraphQL operation. Then SigV4 verification
 * alone, in-process: parsing and recomputing one request's signature with the SDK's signer.
 * BENCH_AWS_EVENTS (default 5,000) events, BENCH_AWS_SAMPLES (default 300) samples of each.
 */
import http from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { TenantCredentials } from '../src/organizations/organization-bootstrap';
import { NodeSha256, parseSigV4, verifySignature } from '../src/aws/sigv4';
import { startApp, type AppProcess } from './lib/app-process';
import { fmt, summarize, type Row } from './lib/stats';
import { syntheticEvent } from './lib/synthetic-events';

const EVENTS = Number(process.env.BENCH_AWS_EVENTS ?? 5000);
const SAMPLES = Number(process.env.BENCH_AWS_SAMPLES ?? 300);
const VERIFY_RUNS = 2000;
const SOURCE = 'ec2.amazonaws.com';
const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

interface Request {
  path: string;
  headers: Record<string, string>;
  body: string;
}

function send(base: string, r: Request): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${r.path}`, { method: 'POST', agent, headers: r.headers }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (data += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
    });
    req.on('error', reject);
    req.end(r.body);
  });
}

async function signedLookup(app: AppProcess, admin: TenantCredentials): Promise<Request> {
  const host = new URL(app.base).host;
  const signer = new SignatureV4({
    credentials: { accessKeyId: admin.accessKeyId, secretAccessKey: admin.secretAccessKey },
    region: 'us-east-1',
    service: 'cloudtrail',
    // The SDK's own hash, as its clients hand it to the signer.
    sha256: NodeSha256,
  });
  const body = JSON.stringify({ LookupAttributes: [{ AttributeKey: 'EventSource', AttributeValue: SOURCE }], MaxResults: 50 });
  const signed = await signer.sign({
    method: 'POST',
    protocol: 'http:',
    hostname: host.split(':')[0],
    port: Number(host.split(':')[1]),
    path: '/',
    query: {},
    headers: { host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'CloudTrail_20131101.LookupEvents' },
    body,
  });
  return { path: '/', headers: signed.headers as Record<string, string>, body };
}

export async function benchAwsFace(env: Record<string, string>, admin: TenantCredentials): Promise<Row[]> {
  // One caller's latency, not its fairness limits: lift them.
  const app = await startApp({ ...env, PORT: '0', ACCOUNT_RATE_LIMIT_PER_SECOND: '1000000', ACCOUNT_MAX_CONCURRENT_REQUESTS: '10000' });
  try {
    const gqlBody = (query: string, variables: Record<string, unknown>) => JSON.stringify({ query, variables });
    const session = await send(app.base, {
      path: '/graphql',
      headers: { 'content-type': 'application/json' },
      body: gqlBody('mutation($i: CreateSessionInput!) { createSession(input: $i) { token } }', {
        i: { accessKeyId: admin.accessKeyId, secretAccessKey: admin.secretAccessKey },
      }),
    });
    const token = JSON.parse(session.body).data.createSession.token as string;
    const graphqlHeaders = { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-region': 'us-east-1' };
    const now = Date.now();
    for (let done = 0; done < EVENTS; done += 100) {
      const events = Array.from({ length: Math.min(100, EVENTS - done) }, (_, k) =>
        syntheticEvent(admin.accountId, 'us-east-1', new Date(now - (done + k) * 1000), done + k),
      );
      const recorded = await send(app.base, {
        path: '/graphql',
        headers: graphqlHeaders,
        body: gqlBody('mutation($input: RecordEventsInput!) { recordEvents(input: $input) { failed { id } } }', { input: { events } }),
      });
      if (recorded.status !== 200) throw new Error(`recordEvents: ${recorded.body.slice(0, 300)}`);
    }

    const graphql: Request = {
      path: '/graphql',
      headers: graphqlHeaders,
      body: gqlBody(
        `query($input: LookupEventsInput) { lookupEvents(input: $input, first: 50) {
          edges { node { eventId eventName readOnly accessKeyId eventTime eventSource username cloudTrailEvent
            resources { resourceType resourceName } } } pageInfo { hasNextPage endCursor } } }`,
        { input: { lookupAttributes: [{ attributeKey: 'EventSource', attributeValue: SOURCE }] } },
      ),
    };
    // Signed ahead (the same request may be sent again: SigV4 has no nonce).
    const aws = await signedLookup(app, admin);
    const check = async (r: Request) => {
      const res = await send(app.base, r);
      if (res.status !== 200) throw new Error(`${r.path} ${res.status}: ${res.body.slice(0, 300)}`);
      return res.body;
    };
    const awsEvents = JSON.parse(await check(aws)).Events.length;
    const graphqlEvents = JSON.parse(await check(graphql)).data.lookupEvents.edges.length;
    if (awsEvents !== graphqlEvents || awsEvents === 0) throw new Error(`pages differ: AWS ${awsEvents}, GraphQL ${graphqlEvents} events`);
    // Warm-up, then alternate so both meet the same caches and the same background work.
    for (let i = 0; i < 30; i++) await Promise.all([check(aws), check(graphql)]);
    const awsMs: number[] = [];
    const graphqlMs: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      for (const [r, samples] of i % 2
        ? ([
            [aws, awsMs],
            [graphql, graphqlMs],
          ] as const)
        : ([
            [graphql, graphqlMs],
            [aws, awsMs],
          ] as const)) {
        const t0 = process.hrtime.bigint();
        await check(r);
        samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    }
    const a = summarize(awsMs);
    const g = summarize(graphqlMs);

    // SigV4 verification alone: the same signed request, parsed and its signature recomputed.
    const query = new URLSearchParams();
    const body = Buffer.from(aws.body);
    const received = { method: 'POST', rawPath: '/', query, headers: aws.headers, body };
    for (let i = 0; i < 200; i++) await verifySignature(parseSigV4(aws.headers, query)!, received, admin.secretAccessKey);
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < VERIFY_RUNS; i++) await verifySignature(parseSigV4(aws.headers, query)!, received, admin.secretAccessKey);
    const verifyUs = Number(process.hrtime.bigint() - t0) / 1e3 / VERIFY_RUNS;

    return [
      {
        benchmark: `LookupEvents via the AWS face (SigV4, JSON 1.1), first page of ${awsEvents} (${a.n} samples, ${fmt(EVENTS)} events)`,
        measured: `p50 ${fmt(a.p50, 2)} ms, p99 ${fmt(a.p99, 2)} ms`,
        baseline: `GraphQL lookupEvents p50 ${fmt(g.p50, 2)} ms, p99 ${fmt(g.p99, 2)} ms`,
        ratio: `${fmt(a.p50 / g.p50, 2)}x`,
        target: '<= 1.2x',
      },
      {
        benchmark: `SigV4 verification per request (parse + @smithy/signature-v4 recompute, ${fmt(VERIFY_RUNS)} runs in-process)`,
        measured: `${fmt(verifyUs, 1)} µs`,
        baseline: `AWS face LookupEvents p50 ${fmt(a.p50, 2)} ms`,
        ratio: `${fmt(verifyUs / 1000 / a.p50, 3)}x`,
        target: 'reported',
      },
    ];
  } finally {
    await app.stop();
    agent.destroy();
  }
}
