/**
 * Domain errors carry a CloudTrail-style exception code. One function (graphql/error-format.ts)
 * maps them to GraphQL errors with `extensions.code`; anything else reaching a client becomes
 * `InternalFailure` with no stack trace or SQL.
 */
export class OpenTrailError extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** HTTP status for the non-GraphQL endpoints (/ingest, /event-history/export). */
    readonly httpStatus = 400,
  ) {
    super(message);
    this.name = code;
  }
}

/**
 * CloudTrail's ThrottlingException: HTTP 429 with the seconds to wait, as a `Retry-After` header on
 * every face (Apollo takes `extensions.http` for GraphQL responses; the HTTP handlers read
 * `retryAfterSeconds`). Per-account request limits and the sign-in throttle both answer with it.
 */
export class ThrottlingError extends OpenTrailError {
  readonly extensions: { http: { status: number; headers: Map<string, string> } };

  constructor(
    readonly retryAfterSeconds: number,
    message = 'Rate exceeded',
  ) {
    super('ThrottlingException', message, 429);
    this.extensions = { http: { status: 429, headers: new Map([['retry-after', String(retryAfterSeconds)]]) } };
  }
}

export const Errors = {
  accessDenied: (action: string, resource: string, who: string) =>
    new OpenTrailError('AccessDeniedException', `User: ${who} is not authorized to perform: ${action} on resource: ${resource}`, 403),
  unauthenticated: (message = 'Missing authentication token: send Authorization: Bearer <token> from createSession.') =>
    new OpenTrailError('UnrecognizedClientException', message, 401),
  expiredToken: () => new OpenTrailError('ExpiredTokenException', 'The security token included in the request is expired.', 401),
  invalidParameter: (message: string) => new OpenTrailError('InvalidParameterException', message),
  notFound: (code: string, message: string) => new OpenTrailError(code, message, 404),
  /** PostgreSQL is down or restarting: nothing was done that a retry would repeat wrongly. */
  serviceUnavailable: () =>
    new OpenTrailError(
      'ServiceUnavailableException',
      'The service is temporarily unavailable: its database cannot be reached. Retry the request.',
      503,
    ),
  internal: () => new OpenTrailError('InternalFailure', 'The request processing has failed because of an unknown error.', 500),
};
