import { execFileSync, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { AwsRequest, AwsResponse, RunGraphQL } from '../../src/aws/aws-face';
import { subjectOf } from '../../src/auth/authenticator';
import type { GraphQLContext } from '../../src/graphql/context';
import type { TestApp } from './test-app';

/** Whether python3 can import botocore (its service models and parsers are the specification). */
export const botocoreAvailable = spawnSync('python3', ['-c', 'import botocore'], { stdio: 'ignore' }).status === 0;

/** A botocore service model (service-2.json) as botocore ships it. */
export interface BotocoreModel {
  operations: Record<string, { input?: { shape: string }; output?: { shape: string } }>;
  shapes: Record<
    string,
    { type: string; members?: Record<string, { shape: string }>; member?: { shape: string }; value?: { shape: string }; enum?: string[] }
  >;
}

export function botocoreModel(service: string, version: string): BotocoreModel {
  const root = execFileSync('python3', ['-c', 'import botocore, os; print(os.path.dirname(botocore.__file__))'], {
    encoding: 'utf8',
  }).trim();
  return JSON.parse(gunzipSync(fs.readFileSync(path.join(root, 'data', service, version, 'service-2.json.gz'))).toString('utf8'));
}

/**
 * Where `value` departs from the model's shape `shapeName`, as the JSON protocol sends it: only
 * the shape's member names, numbers for timestamps (epoch seconds), strings for blobs and enums
 * within their values. Empty when it conforms.
 */
export function conformanceProblems(model: BotocoreModel, shapeName: string, value: unknown, at = '$'): string[] {
  const shape = model.shapes[shapeName];
  const wrong = (what: string) => [`${at}: ${JSON.stringify(value)?.slice(0, 80)} is not ${what} (${shapeName})`];
  switch (shape.type) {
    case 'structure': {
      if (!value || typeof value !== 'object' || Array.isArray(value)) return wrong('an object');
      return Object.entries(value).flatMap(([k, v]) =>
        shape.members![k]
          ? conformanceProblems(model, shape.members![k].shape, v, `${at}.${k}`)
          : [`${at}.${k}: no such member of ${shapeName}`],
      );
    }
    case 'list':
      return Array.isArray(value)
        ? value.flatMap((v, i) => conformanceProblems(model, shape.member!.shape, v, `${at}[${i}]`))
        : wrong('a list');
    case 'map':
      return value && typeof value === 'object' && !Array.isArray(value)
        ? Object.entries(value).flatMap(([k, v]) => conformanceProblems(model, shape.value!.shape, v, `${at}.${k}`))
        : wrong('a map');
    case 'string':
      if (typeof value !== 'string') return wrong('a string');
      return shape.enum && !shape.enum.includes(value) ? wrong(`one of ${shape.enum.join(', ')}`) : [];
    case 'boolean':
      return typeof value === 'boolean' ? [] : wrong('a boolean');
    case 'integer':
    case 'long':
      return Number.isInteger(value) ? [] : wrong('an integer');
    case 'float':
    case 'double':
    case 'timestamp':
      return typeof value === 'number' && Number.isFinite(value) ? [] : wrong('a number');
    case 'blob':
      return typeof value === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(value) ? [] : wrong('base64');
    default:
      return [`${at}: unknown shape type ${shape.type}`];
  }
}

/** One response of an AWS JSON service, for botocore's parser. */
export interface WireResponse {
  operation: string;
  status: number;
  headers: Record<string, string>;
  body: string;
}

// Timestamps come back as epoch seconds and blobs as base64, as the wire had them, so a parsed
// response compares with the JSON body it came from.
const PARSE = `
import base64, datetime, json, sys
import botocore.parsers, botocore.session
service, items = json.load(sys.stdin)
model = botocore.session.get_session().get_service_model(service)
parser = botocore.parsers.create_parser(model.metadata['protocol'])
def plain(o):
    if isinstance(o, datetime.datetime): return o.timestamp()
    if isinstance(o, bytes): return base64.b64encode(o).decode()
    raise TypeError(repr(o))
out = []
for item in items:
    shape = model.operation_model(item['operation']).output_shape if item['operation'] in model.operation_names else None
    parsed = parser.parse({'status_code': item['status'], 'headers': item['headers'], 'body': item['body'].encode()}, shape)
    parsed.pop('ResponseMetadata', None)
    out.append(parsed)
print(json.dumps(out, default=plain))
`;

/** Each response as botocore's own parser for the service's protocol reads it (errors as `{Error: {Code, Message}}`). */
export function botocoreParse(service: string, responses: WireResponse[]): Record<string, any>[] {
  return JSON.parse(execFileSync('python3', ['-c', PARSE], { input: JSON.stringify([service, responses]), encoding: 'utf8' }));
}

/** The GraphQL context the server's context function makes for a request with this session token. */
export async function sessionContext(app: TestApp, token: string, region = app.config.homeRegion): Promise<GraphQLContext> {
  const result = await app.services.authenticator.authenticate(token);
  if (!('caller' in result)) throw new Error(`session token rejected: ${result.error.code}`);
  return {
    meta: { requestId: randomUUID(), region, sourceIp: '127.0.0.1', userAgent: 'aws-cli/1.0 (opentrail test)', host: '127.0.0.1' },
    caller: result.caller,
    authError: null,
    regionError: null,
    auditSubject: subjectOf(result.caller),
    services: app.services,
  };
}

/** Runs the face's documents on the real server over HTTP as the session's caller. */
export function runOverHttp(app: TestApp, token: string): RunGraphQL {
  return async (context, query, variables) => {
    const { data, errors } = await app.gql(query, variables, { token, region: context.meta.region });
    return { data, errors };
  };
}

/** A JSON 1.1 request of `operation` as the router hands it to a face (`target` overrides X-Amz-Target). */
export function jsonRequest(
  context: GraphQLContext,
  service: string,
  targetPrefix: string,
  operation: string,
  body: Record<string, unknown> | string,
): AwsRequest {
  return {
    service,
    region: context.meta.region,
    target: `${targetPrefix}.${operation}`,
    method: 'POST',
    path: '/',
    query: new URLSearchParams(),
    headers: { 'content-type': 'application/x-amz-json-1.1' },
    body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
    context: { ...context, meta: { ...context.meta, requestId: randomUUID() } },
  };
}

/** The response as a WireResponse with its body parsed. */
export function wireResponse(operation: string, response: AwsResponse): WireResponse & { json: any } {
  const body = String(response.body);
  return { operation, status: response.status, headers: response.headers, body, json: JSON.parse(body) };
}
