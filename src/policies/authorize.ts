import { Errors, type OpenTrailError } from '../common/errors';
import type { Caller } from '../common/request-context';
import { evaluate } from './policy-evaluator';

/** A service's wording of a denial (KMS names the missing resource-based grant). */
export type DeniedError = (action: string, resource: string, who: string) => OpenTrailError;

export interface AuthorizeOptions {
  /** Decides instead of the caller's identity policies alone (KMS keys: key policy with IAM). */
  allows?: (caller: Caller) => boolean;
  denied?: DeniedError;
}

/**
 * The denial for `caller` performing `action` on `resource`, or null when allowed: explicit deny
 * wins, default deny. For callers that answer with the error instead of throwing (HTTP routes).
 */
export function accessDenial(
  ctx: { caller: Caller },
  action: string,
  resource: string,
  opts: AuthorizeOptions = {},
): OpenTrailError | null {
  const allowed = opts.allows ? opts.allows(ctx.caller) : evaluate(ctx.caller.policies, action, resource) === 'Allow';
  if (allowed) return null;
  return (opts.denied ?? Errors.accessDenied)(action, resource, ctx.caller.identity.arn);
}

/** Throws AccessDeniedException unless the caller may perform `action` on `resource`. */
export function authorize(ctx: { caller: Caller }, action: string, resource: string, opts?: AuthorizeOptions): void {
  const denial = accessDenial(ctx, action, resource, opts);
  if (denial) throw denial;
}
