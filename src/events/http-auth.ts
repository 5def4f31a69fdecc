import type { IncomingMessage } from 'node:http';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import type { UnattributedCalls } from '../auth/unattributed-calls';
import type { AuditSubject } from '../common/audit-subject';
import { Errors, OpenTrailError } from '../common/errors';
import { isDatabaseUnavailable } from '../db/connection-errors';
import type { RequestContext, RequestMeta } from '../common/request-context';
import type { Config } from '../config';
import { authenticateRequest, requestMeta } from '../graphql/context';
import { accessDenial } from '../policies/authorize';
import { isKnownRegion } from '../regions/region-catalog';

/** What authorizeHttp uses. */
export interface HttpAuthServices {
  config: Config;
  logger: Logger;
  unattributedCalls: Pick<UnattributedCalls, 'bearerFailureSubject'>;
  /** Resolves the bearer token: graphql/context.ts authenticateRequest, bound to the authenticator by src/app/server.ts. */
  authenticateRequest(req: IncomingMessage): ReturnType<typeof authenticateRequest>;
}

/** The outcome of authenticating and authorizing a plain HTTP request. */
export interface HttpAuth {
  meta: RequestMeta;
  /** Whom self-audit attributes the call to (null: nobody to attribute it to). */
  subject: AuditSubject | null;
  ctx: RequestContext | null;
  error: OpenTrailError | null;
}

/**
 * Same rules as GraphQL: bearer token, region from x-region (or `region` in the query string, for
 * download links), and one IAM action checked with the policy evaluator.
 */
export async function authorizeHttp(req: Request, res: Response, services: HttpAuthServices, action: string): Promise<HttpAuth> {
  const { meta, regionError } = requestMeta(req, res.locals.requestId, services.config.homeRegion);
  let error: OpenTrailError | null = regionError;
  const queryRegion = typeof req.query.region === 'string' ? req.query.region : undefined;
  if (!error && queryRegion !== undefined && !req.headers['x-region']) {
    if (isKnownRegion(queryRegion)) meta.region = queryRegion;
    else
      error = new OpenTrailError(
        'InvalidRegionException',
        `Unknown region '${queryRegion.slice(0, 64)}': call listRegions for the catalog.`,
      );
  }
  let auth: Awaited<ReturnType<typeof authenticateRequest>>;
  let unattributed: AuditSubject | null = null;
  try {
    auth = await services.authenticateRequest(req);
    // No credentials naming an account: recorded in the management account, sampled per address.
    if (!auth.caller && !auth.auditSubject) unattributed = await services.unattributedCalls.bearerFailureSubject(meta.sourceIp);
  } catch (err) {
    // The database is down (503) or something broke (500): nobody to attribute the call to.
    return { meta, subject: null, ctx: null, error: asClientError(err, services) };
  }
  if (!auth.caller)
    return { meta, subject: auth.auditSubject ?? unattributed, ctx: null, error: auth.authError ?? Errors.unauthenticated() };
  if (error) return { meta, subject: auth.auditSubject, ctx: null, error };
  const denial = accessDenial({ caller: auth.caller }, action, '*');
  if (denial) return { meta, subject: auth.auditSubject, ctx: null, error: denial };
  return { meta, subject: auth.auditSubject, ctx: { ...meta, caller: auth.caller }, error: null };
}

export function sendError(res: Response, err: OpenTrailError): void {
  res.status(err.httpStatus).json({ errorCode: err.code, message: err.message });
}

/**
 * Any error reaching a client: domain errors as they are, an unreachable database as a retryable
 * ServiceUnavailableException (503), the rest as InternalFailure (logged).
 */
export function asClientError(err: unknown, services: { logger: Logger }): OpenTrailError {
  if (err instanceof OpenTrailError) return err;
  if (isDatabaseUnavailable(err)) return Errors.serviceUnavailable();
  services.logger.error({ err }, 'unhandled error in an events HTTP endpoint');
  return Errors.internal();
}
