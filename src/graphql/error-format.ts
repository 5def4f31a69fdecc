import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { Errors, OpenTrailError } from '../common/errors';
import { isDatabaseUnavailable } from '../db/connection-errors';

const CLIENT_ERROR_CODES: Record<string, string> = {
  GRAPHQL_PARSE_FAILED: 'ValidationException',
  GRAPHQL_VALIDATION_FAILED: 'ValidationException',
  BAD_USER_INPUT: 'ValidationException',
  BAD_REQUEST: 'ValidationException',
  PERSISTED_QUERY_NOT_FOUND: 'ValidationException',
  PERSISTED_QUERY_NOT_SUPPORTED: 'ValidationException',
  OPERATION_RESOLUTION_FAILURE: 'ValidationException',
};

/**
 * Maps every error to `{message, extensions: {code}}` with a CloudTrail-style code. Domain errors
 * keep their code and message; query errors become ValidationException; anything else is an
 * InternalFailure whose details (stack, SQL) are logged, never sent. An unreachable database is
 * ServiceUnavailableException (retryable; HTTP 503 through httpStatusPlugin), not logged here: the
 * pools report the outage once.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown, log: (err: unknown) => void): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  const base = { locations: formatted.locations, path: formatted.path };
  if (original instanceof OpenTrailError) {
    return { ...base, message: original.message, extensions: { code: original.code } };
  }
  const apolloCode = formatted.extensions?.code;
  if (typeof apolloCode === 'string' && CLIENT_ERROR_CODES[apolloCode]) {
    return { ...base, message: formatted.message, extensions: { code: CLIENT_ERROR_CODES[apolloCode] } };
  }
  if (typeof apolloCode === 'string' && /Exception$|^ValidationException$/.test(apolloCode)) {
    return { ...base, message: formatted.message, extensions: { code: apolloCode } };
  }
  if (isDatabaseUnavailable(original)) {
    const unavailable = Errors.serviceUnavailable();
    return { ...base, message: unavailable.message, extensions: { code: unavailable.code } };
  }
  log(original);
  return { ...base, message: 'The request processing has failed because of an unknown error.', extensions: { code: 'InternalFailure' } };
}

/**
 * For failures before any resolver runs (building the request context, which authenticates
 * against the database): Apollo answers those with the HTTP status the GraphQLError carries.
 */
export function contextFailure(err: unknown): unknown {
  if (!isDatabaseUnavailable(err)) return err;
  const unavailable = Errors.serviceUnavailable();
  return new GraphQLError(unavailable.message, { extensions: { code: unavailable.code, http: { status: unavailable.httpStatus } } });
}
