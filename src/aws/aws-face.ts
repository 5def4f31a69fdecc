import type { IncomingHttpHeaders } from 'node:http';
import type { GraphQLContext } from '../graphql/context';

/**
 * The AWS protocols face (issue 14): AWS clients (the AWS CLI, boto3, the SDKs) call OpenTrail
 * with SigV4-signed requests in each service's own protocol. The router (aws-router.ts) verifies
 * the signature, builds the same GraphQL context a /graphql request of that caller would have,
 * and hands the request to the face of the service its credential scope names. A face translates
 * the protocol into the GraphQL operation of the same name and runs it through the API's own
 * GraphQL server, so authorization, self-audit, limits and errors are the GraphQL face's.
 */

/** One verified AWS request. */
export interface AwsRequest {
  /** The service of the SigV4 credential scope: `cloudtrail`, `cloudtrail-data`, `sts`, `s3`, `kms`. */
  service: string;
  /** The region of the credential scope (also the context's region). */
  region: string;
  /** `X-Amz-Target` (JSON protocols: `CloudTrail_20131101.LookupEvents`), else null. */
  target: string | null;
  method: string;
  /** The path, decoded, without the query string. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The caller's GraphQL context, as a /graphql request with a session of this caller has it. */
  context: GraphQLContext;
}

export interface AwsResponse {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

/** Answers the requests of one service. */
export type AwsServiceFace = (request: AwsRequest) => Promise<AwsResponse>;

/** The result of a GraphQL operation run for an AWS request. */
export interface GraphQLRunResult {
  data?: Record<string, any> | null;
  errors?: ReadonlyArray<{ message: string; extensions?: Record<string, unknown> }>;
}

/** Runs one GraphQL document in the API's GraphQL server (with its plugins) for a context. */
export type RunGraphQL = (context: GraphQLContext, query: string, variables?: Record<string, unknown>) => Promise<GraphQLRunResult>;
