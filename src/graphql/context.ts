import type { IncomingMessage } from 'node:http';
import type { AuditSubject } from '../auth/authenticator';
import { subjectOf } from '../auth/authenticator';
import { OpenTrailError } from '../common/errors';
import type { Caller, RequestContext, RequestMeta } from '../common/request-context';
import { isKnownRegion } from '../regions/region-catalog';
import type { Services } from '../app/services';

export interface GraphQLContext {
  meta: RequestMeta;
  caller: Caller | null;
  /** Why the request is unauthenticated (bad, expired or missing token); thrown by the first protected field. */
  authError: OpenTrailError | null;
  /** An unknown x-region: every operation fails with it. */
  regionError: OpenTrailError | null;
  /**
   * Who self-audit attributes this request's calls to: the caller, or the account a failed token
   * names; null when no credentials name anyone (the plugin then asks UnattributedCalls).
   */
  auditSubject: AuditSubject | null;
  /** Per root field (response key): a subject of its own, e.g. the owner of the key a createSession presented. */
  fieldAudit?: Map<string, { subject: AuditSubject; failedSignIn: boolean }>;
  services: Services;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Request metadata shared by GraphQL and the plain HTTP endpoints. */
export function requestMeta(
  req: IncomingMessage,
  requestId: string,
  homeRegion: string,
): { meta: RequestMeta; regionError: OpenTrailError | null } {
  const requested = header(req, 'x-region')?.trim();
  const regionError =
    requested && !isKnownRegion(requested)
      ? new OpenTrailError('InvalidRegionException', `Unknown region '${requested.slice(0, 64)}': call listRegions for the catalog.`)
      : null;
  return {
    meta: {
      requestId,
      region: requested && !regionError ? requested : homeRegion,
      sourceIp: (req.socket.remoteAddress ?? '').replace(/^::ffff:/, ''),
      userAgent: (header(req, 'user-agent') ?? '').slice(0, 1024),
      host: (header(req, 'host') ?? '').slice(0, 256),
    },
    regionError,
  };
}

/** Resolves the bearer token (if any) into a caller; never throws for a bad token. */
export async function authenticateRequest(
  req: IncomingMessage,
  services: Services,
): Promise<{ caller: Caller | null; authError: OpenTrailError | null; auditSubject: AuditSubject | null }> {
  const authorization = header(req, 'authorization');
  if (!authorization) return { caller: null, authError: null, auditSubject: null };
  const match = /^Bearer\s+(\S+)$/i.exec(authorization);
  if (!match || match[1].length > 8192) {
    return {
      caller: null,
      authError: new OpenTrailError('UnrecognizedClientException', 'The Authorization header must be "Bearer <token>".', 401),
      auditSubject: null,
    };
  }
  const result = await services.authenticator.authenticate(match[1]);
  if ('caller' in result) return { caller: result.caller, authError: null, auditSubject: subjectOf(result.caller) };
  return { caller: null, authError: result.error, auditSubject: result.subject ?? null };
}

/** The request context services take as their first argument; only for authenticated fields. */
export function requestContext(ctx: GraphQLContext): RequestContext {
  if (!ctx.caller) throw ctx.authError ?? new OpenTrailError('UnrecognizedClientException', 'Missing authentication token.', 401);
  return { ...ctx.meta, caller: ctx.caller };
}
