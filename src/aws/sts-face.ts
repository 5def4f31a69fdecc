import type { SessionSecrets } from '../auth/session-secrets';
import type { AwsRequest, AwsResponse, AwsServiceFace, GraphQLRunResult, RunGraphQL } from './aws-face';
import { escapeXml, queryError } from './aws-errors';

/**
 * STS in the query protocol (botocore's sts 2011-06-15 model): form-encoded `Action=…&Version=…`
 * in, XML `<ActionResponse>` out, errors as `<ErrorResponse>`. Each action runs the GraphQL
 * operation of the same name through the API's GraphQL server, so the catalog authorizes and
 * self-audits it exactly as on /graphql.
 */
const VERSION = '2011-06-15';
const NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';

/** GraphQL's codes as STS names them, with STS's HTTP status. */
const STS_ERRORS: Record<string, { code: string; status: number }> = {
  AccessDenied: { code: 'AccessDenied', status: 403 },
  AccessDeniedException: { code: 'AccessDenied', status: 403 },
  ValidationError: { code: 'ValidationError', status: 400 },
  ValidationException: { code: 'ValidationError', status: 400 },
  UnrecognizedClientException: { code: 'InvalidClientTokenId', status: 403 },
  ExpiredTokenException: { code: 'ExpiredToken', status: 403 },
  ThrottlingException: { code: 'Throttling', status: 400 },
  InvalidRegionException: { code: 'InvalidParameterValue', status: 400 },
  ServiceUnavailableException: { code: 'ServiceUnavailable', status: 503 },
};

class StsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

type Params = URLSearchParams;
type Action = (params: Params, request: AwsRequest) => Promise<string>;

function xml(fields: Record<string, string | null | undefined>): string {
  return Object.entries(fields)
    .filter(([, value]) => value !== null && value !== undefined)
    .map(([name, value]) => `<${name}>${escapeXml(value!)}</${name}>`)
    .join('');
}

/** A `DurationSeconds`-style integer parameter; absent is null. */
function integer(params: Params, name: string): number | null {
  const value = params.get(name);
  if (value === null || value === '') return null;
  if (!/^-?\d{1,12}$/.test(value))
    throw new StsError(
      'ValidationError',
      `Value '${value.slice(0, 40)}' at '${name}' failed to satisfy constraint: Member must be an integer`,
    );
  return Number(value);
}

function required(params: Params, name: string): string {
  const value = params.get(name);
  if (value === null) {
    const member = name[0].toLowerCase() + name.slice(1);
    throw new StsError(
      'ValidationError',
      `1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return value;
}

/** The operation's data, or the STS error its first GraphQL error becomes. */
function dataOf(result: GraphQLRunResult, field: string): Record<string, any> {
  const error = result.errors?.[0];
  if (error || !result.data?.[field]) {
    const code = String(error?.extensions?.code ?? 'InternalFailure');
    const mapped = STS_ERRORS[code] ?? (code === 'InternalFailure' ? { code, status: 500 } : { code, status: 400 });
    throw new StsError(mapped.code, error?.message ?? 'The request processing has failed because of an unknown error.', mapped.status);
  }
  return result.data[field];
}

function credentialsXml(c: { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: string }): string {
  return `<Credentials>${xml({
    AccessKeyId: c.accessKeyId,
    SecretAccessKey: c.secretAccessKey,
    SessionToken: c.sessionToken,
    Expiration: c.expiration,
  })}</Credentials>`;
}

/** The STS actions this face serves (the README's list is generated from it; the face's table must have exactly these). */
export const STS_OPERATION_NAMES = ['AssumeRole', 'GetCallerIdentity', 'GetSessionToken'] as const;

export function stsFace(runGraphQL: RunGraphQL, sessionSecrets: SessionSecrets): AwsServiceFace {
  const actions: Record<(typeof STS_OPERATION_NAMES)[number], Action> = {
    async GetCallerIdentity(_params, request) {
      const identity = dataOf(await runGraphQL(request.context, '{ getCallerIdentity { account arn userId } }'), 'getCallerIdentity');
      return xml({ Arn: identity.arn, UserId: identity.userId, Account: identity.account });
    },

    async GetSessionToken(params, request) {
      const result = await runGraphQL(
        request.context,
        'mutation($input: GetSessionTokenInput) { getSessionToken(input: $input) { accessKeyId secretAccessKey sessionToken expiration } }',
        { input: { durationSeconds: integer(params, 'DurationSeconds') } },
      );
      return credentialsXml(dataOf(result, 'getSessionToken') as any);
    },

    async AssumeRole(params, request) {
      const result = await runGraphQL(
        request.context,
        'mutation($input: AssumeRoleInput!) { assumeRole(input: $input) { token expiration accessKeyId assumedRoleUser { arn assumedRoleId } } }',
        {
          input: {
            roleArn: required(params, 'RoleArn'),
            roleSessionName: required(params, 'RoleSessionName'),
            durationSeconds: integer(params, 'DurationSeconds'),
          },
        },
      );
      const session = dataOf(result, 'assumeRole');
      // The role session's secret is derived from its token, as the router derives it to verify.
      const credentials = credentialsXml({
        accessKeyId: session.accessKeyId,
        secretAccessKey: sessionSecrets.secretFor(session.token),
        sessionToken: session.token,
        expiration: session.expiration,
      });
      const user = `<AssumedRoleUser>${xml({ AssumedRoleId: session.assumedRoleUser.assumedRoleId, Arn: session.assumedRoleUser.arn })}</AssumedRoleUser>`;
      return credentials + user;
    },
  };

  return async (request): Promise<AwsResponse> => {
    const requestId = request.context.meta.requestId;
    // The query protocol sends its parameters in a form body (POST) or the query string (GET, presigned).
    const params = new URLSearchParams(request.query);
    if (request.method === 'POST' && request.body.length > 0) {
      for (const [name, value] of new URLSearchParams(request.body.toString('utf8'))) params.append(name, value);
    }
    const name = params.get('Action');
    try {
      if (!name) throw new StsError('MissingAction', 'Missing Action');
      const action =
        Object.hasOwn(actions, name) && params.get('Version') === VERSION
          ? actions[name as (typeof STS_OPERATION_NAMES)[number]]
          : undefined;
      if (!action)
        throw new StsError(
          'InvalidAction',
          `Could not find operation ${name.slice(0, 64)} for version ${(params.get('Version') ?? '').slice(0, 32)}`,
        );
      const result = await action(params, request);
      return {
        status: 200,
        headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
        body:
          `<${name}Response xmlns="${NAMESPACE}">\n  <${name}Result>${result}</${name}Result>\n` +
          `  <ResponseMetadata><RequestId>${escapeXml(requestId)}</RequestId></ResponseMetadata>\n</${name}Response>\n`,
      };
    } catch (err) {
      if (!(err instanceof StsError)) throw err;
      return queryError(NAMESPACE, err.code, err.message, err.status, requestId);
    }
  };
}
