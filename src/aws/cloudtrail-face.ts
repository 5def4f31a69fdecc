import type { GraphQLSchema } from 'graphql';
import { operationCatalog } from '../graphql/operation-catalog';
import type { OperationSpecs } from '../graphql/operation-spec';
import type { AwsRequest, AwsResponse, AwsServiceFace, GraphQLRunResult, RunGraphQL } from './aws-face';
import { AwsJsonError, jsonOperation, type JsonOperation } from './json-protocol';
import { CLOUDTRAIL_MODEL } from './models/cloudtrail';

const EVENT_SOURCE = 'cloudtrail.amazonaws.com';

/**
 * `X-Amz-Target` prefixes: botocore's model names the full Smithy id, older SDKs and the AWS CLI
 * v1 send the short one.
 */
const TARGET_PREFIXES = [CLOUDTRAIL_MODEL.metadata.targetPrefix, CLOUDTRAIL_MODEL.metadata.targetPrefix.split('.').pop()!];

/** Errors no CloudTrail shape models, with the status AWS answers them with (the rest are 400). */
const UNMODELLED_STATUS: Record<string, number> = { InternalFailure: 500, ServiceUnavailableException: 503 };

/**
 * The model's operations OpenTrail has: each one whose catalog entry (eventSource
 * cloudtrail.amazonaws.com, eventName = the operation) is a Query or Mutation root field.
 */
export function cloudTrailOperations(schema: GraphQLSchema, catalog: OperationSpecs): Map<string, JsonOperation> {
  const operations = new Map<string, JsonOperation>();
  const roots = [
    ['query', schema.getQueryType()?.getFields() ?? {}],
    ['mutation', schema.getMutationType()?.getFields() ?? {}],
  ] as const;
  for (const [field, spec] of Object.entries(catalog)) {
    if (spec.eventSource !== EVENT_SOURCE || !CLOUDTRAIL_MODEL.operations[spec.eventName]) continue;
    for (const [kind, fields] of roots) {
      if (fields[field]) operations.set(spec.eventName, jsonOperation(CLOUDTRAIL_MODEL, spec.eventName, kind, fields[field]));
    }
  }
  return operations;
}

function respond(request: AwsRequest, status: number, body: Record<string, unknown>): AwsResponse {
  return {
    status,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-RequestId': request.context.meta.requestId },
    body: JSON.stringify(body),
  };
}

/** CloudTrail's error body: `{"__type": code, "Message": …}` (spec §13.1) with the shape's status. */
function errorResponse(request: AwsRequest, code: string, message: string, status?: number): AwsResponse {
  const shape = CLOUDTRAIL_MODEL.shapes[code];
  const modelled = shape?.type === 'structure' ? shape.httpStatusCode : undefined;
  return respond(request, status ?? modelled ?? UNMODELLED_STATUS[code] ?? 400, { __type: code, Message: message });
}

function operationName(target: string | null): string | null {
  for (const prefix of TARGET_PREFIXES) {
    if (target?.startsWith(`${prefix}.`)) return target.slice(prefix.length + 1);
  }
  return null;
}

function parseBody(body: Buffer): Record<string, unknown> {
  if (!body.length) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new AwsJsonError('SerializationException', 'The request body is not valid JSON.');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new AwsJsonError('SerializationException', 'The request body must be a JSON object.');
  }
  return parsed as Record<string, unknown>;
}

function resultResponse(request: AwsRequest, operation: JsonOperation, result: GraphQLRunResult): AwsResponse {
  const error = result.errors?.[0];
  if (error) {
    const code = typeof error.extensions?.code === 'string' ? error.extensions.code : 'InternalFailure';
    return errorResponse(request, code, error.message);
  }
  const value = result.data ? Object.values(result.data)[0] : undefined;
  if (value === undefined)
    return errorResponse(request, 'InternalFailure', 'The request processing has failed because of an unknown error.');
  return respond(request, 200, operation.output(value));
}

/**
 * CloudTrail's own API (AWS JSON 1.1): each request runs as the GraphQL root field of the same
 * operation, so authorization, self-audit and errors are the GraphQL face's. The operations are
 * matched to `schema` once, when the face is built: a schema the model cannot be matched to
 * fails the server's start, not its requests.
 */
export function cloudTrailFace(run: RunGraphQL, schema: GraphQLSchema): AwsServiceFace {
  const operations = cloudTrailOperations(schema, operationCatalog());
  return async (request) => {
    const name = operationName(request.target);
    const operation = name === null ? undefined : operations.get(name);
    if (!operation) {
      // As AWS's JSON services answer a target they do not serve.
      return errorResponse(request, 'UnknownOperationException', `Unknown operation ${request.target ?? '(no X-Amz-Target)'}.`);
    }
    try {
      const variables = operation.variables(parseBody(request.body));
      return resultResponse(request, operation, await run(request.context, operation.document, variables));
    } catch (err) {
      if (err instanceof AwsJsonError) return errorResponse(request, err.code, err.message, err.status);
      throw err;
    }
  };
}
