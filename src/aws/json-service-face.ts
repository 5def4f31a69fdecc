import type { GraphQLSchema } from 'graphql';
import { operationCatalog } from '../graphql/operation-catalog';
import type { OperationSpecs } from '../graphql/operation-spec';
import type { AwsRequest, AwsResponse, AwsServiceFace, GraphQLRunResult, RunGraphQL } from './aws-face';
import { type AwsJsonModel, AwsJsonError, jsonOperation, type JsonOperation } from './json-protocol';
import { CLOUDTRAIL_MODEL } from './models/cloudtrail';
import { KMS_MODEL } from './models/kms';

/** An AWS JSON 1.1 service: its model, and the eventSource its operations have in the catalog. */
export interface JsonService {
  model: AwsJsonModel;
  eventSource: string;
}

export const CLOUDTRAIL: JsonService = { model: CLOUDTRAIL_MODEL, eventSource: 'cloudtrail.amazonaws.com' };
export const KMS: JsonService = { model: KMS_MODEL, eventSource: 'kms.amazonaws.com' };

/**
 * `X-Amz-Target` prefixes: botocore's model may name the full Smithy id, older SDKs and the AWS
 * CLI v1 send the short one.
 */
const targetPrefixes = (model: AwsJsonModel) => [...new Set([model.metadata.targetPrefix, model.metadata.targetPrefix.split('.').pop()!])];

/** Errors no shape models, with the status AWS answers them with (the rest are 400). */
const UNMODELLED_STATUS: Record<string, number> = { InternalFailure: 500, ServiceUnavailableException: 503 };

/**
 * The model's operations OpenTrail has: each one whose catalog entry (the service's eventSource,
 * eventName = the operation) is a Query or Mutation root field.
 */
export function jsonServiceOperations(service: JsonService, schema: GraphQLSchema, catalog: OperationSpecs): Map<string, JsonOperation> {
  const operations = new Map<string, JsonOperation>();
  const roots = [
    ['query', schema.getQueryType()?.getFields() ?? {}],
    ['mutation', schema.getMutationType()?.getFields() ?? {}],
  ] as const;
  for (const [field, spec] of Object.entries(catalog)) {
    if (spec.eventSource !== service.eventSource || !service.model.operations[spec.eventName]) continue;
    for (const [kind, fields] of roots) {
      if (fields[field]) operations.set(spec.eventName, jsonOperation(service.model, spec.eventName, kind, fields[field]));
    }
  }
  return operations;
}

/** CloudTrail's operations (tests and the README's list of them). */
export const cloudTrailOperations = (schema: GraphQLSchema, catalog: OperationSpecs) => jsonServiceOperations(CLOUDTRAIL, schema, catalog);

function respond(request: AwsRequest, status: number, body: Record<string, unknown>, errorType?: string): AwsResponse {
  const headers: Record<string, string> = {
    'content-type': 'application/x-amz-json-1.1',
    'x-amzn-RequestId': request.context.meta.requestId,
  };
  if (errorType) headers['x-amzn-ErrorType'] = errorType;
  return { status, headers, body: JSON.stringify(body) };
}

/**
 * The JSON protocol's error: `{"__type": code, "Message": …}` (spec §13.1) with the shape's
 * status, and the code in `x-amzn-ErrorType` too, as AWS's JSON services send it (the SDKs read
 * the header first).
 */
function errorResponse(model: AwsJsonModel, request: AwsRequest, code: string, message: string, status?: number): AwsResponse {
  const shape = model.shapes[code];
  const modelled = shape?.type === 'structure' ? shape.httpStatusCode : undefined;
  return respond(request, status ?? modelled ?? UNMODELLED_STATUS[code] ?? 400, { __type: code, Message: message }, code);
}

function operationName(model: AwsJsonModel, target: string | null): string | null {
  for (const prefix of targetPrefixes(model)) {
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

function resultResponse(model: AwsJsonModel, request: AwsRequest, operation: JsonOperation, result: GraphQLRunResult): AwsResponse {
  const error = result.errors?.[0];
  if (error) {
    const code = typeof error.extensions?.code === 'string' ? error.extensions.code : 'InternalFailure';
    return errorResponse(model, request, code, error.message);
  }
  const value = result.data ? Object.values(result.data)[0] : undefined;
  if (value === undefined)
    return errorResponse(model, request, 'InternalFailure', 'The request processing has failed because of an unknown error.');
  return respond(request, 200, operation.output(value));
}

/**
 * An AWS JSON 1.1 service (CloudTrail, KMS): each request runs as the GraphQL root field of the
 * same operation, so authorization, self-audit and errors are the GraphQL face's. The operations
 * are matched to `schema` once, when the face is built: a schema the model cannot be matched to
 * fails the server's start, not its requests.
 */
export function jsonServiceFace(service: JsonService, run: RunGraphQL, schema: GraphQLSchema): AwsServiceFace {
  const { model } = service;
  const operations = jsonServiceOperations(service, schema, operationCatalog());
  return async (request) => {
    const name = operationName(model, request.target);
    const operation = name === null ? undefined : operations.get(name);
    if (!operation) {
      // As AWS's JSON services answer a target they do not serve.
      return errorResponse(model, request, 'UnknownOperationException', `Unknown operation ${request.target ?? '(no X-Amz-Target)'}.`);
    }
    try {
      const variables = operation.variables(parseBody(request.body));
      return resultResponse(model, request, operation, await run(request.context, operation.document, variables));
    } catch (err) {
      if (err instanceof AwsJsonError) return errorResponse(model, request, err.code, err.message, err.status);
      throw err;
    }
  };
}

/** CloudTrail's own API (AWS JSON 1.1, `CloudTrail_20131101`). */
export const cloudTrailFace = (run: RunGraphQL, schema: GraphQLSchema) => jsonServiceFace(CLOUDTRAIL, run, schema);
