import { arns } from './arn';
import type { Caller, RequestMeta } from './request-context';

/** How an operation finds the resource ARN its action is authorized against, from its arguments. */
export type OperationResource = (args: Record<string, any>, caller: Caller, meta: RequestMeta) => string;

/** A regional CloudTrail resource type (`arn:aws:cloudtrail:<region>:<account>:<type>/<id>`). */
export interface CloudTrailResourceType {
  /** The ARN's resource type: `trail`, `eventdatastore`, `channel`. */
  type: string;
  /** A valid id or name of the type, as a regular expression source without anchors. */
  id: string;
  /**
   * Take any `arn:` value as given (trails: the service parses it and answers with the trail's
   * own error) instead of only a well-formed ARN of this type.
   */
  anyArn?: boolean;
}

/** The value at a dotted argument path (`input.trailName`); undefined when a step is missing. */
export function argumentAt(args: Record<string, any>, path: string): unknown {
  let value: unknown = args;
  for (const step of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[step];
  }
  return value;
}

/** `<type>/*` of the caller's account in the request's region: for list and create operations. */
export function everyCloudTrailResource(kind: CloudTrailResourceType): OperationResource {
  return (_args, caller, meta) => arns.cloudtrail(meta.region, caller.accountId, `${kind.type}/*`);
}

/**
 * The resource an operation names at argument `path`, or through `pick` when it is not one
 * path: the ARN given, else the caller's resource of the id given in the request's region, else
 * (missing or malformed) the account's `<type>/*` pattern, which the service then refuses with
 * the type's own invalid-parameter error.
 */
export function namedCloudTrailResource(
  kind: CloudTrailResourceType,
  path: string | ((args: Record<string, any>) => unknown),
): OperationResource {
  const arn = new RegExp(`^arn:[a-z-]+:cloudtrail:[a-z0-9-]+:\\d{12}:${kind.type}/(?:${kind.id})$`);
  const id = new RegExp(`^(?:${kind.id})$`);
  const pick = typeof path === 'string' ? (args: Record<string, any>) => argumentAt(args, path) : path;
  return (args, caller, meta) => {
    const value = pick(args);
    if (typeof value === 'string' && (kind.anyArn ? value.startsWith('arn:') : arn.test(value))) return value;
    const name = typeof value === 'string' && id.test(value) ? value : '*';
    return arns.cloudtrail(meta.region, caller.accountId, `${kind.type}/${name}`);
  };
}
