import type { OperationResource } from '../common/cloudtrail-resources';

/**
 * How one GraphQL root field is authorized and audited. Every root field has exactly one spec;
 * the server refuses to start when one is missing.
 */
export interface OperationSpec {
  /** Service endpoint recorded as the event's eventSource, e.g. `iam.amazonaws.com`. */
  eventSource: string;
  /** API name recorded as eventName, in CloudTrail's PascalCase. */
  eventName: string;
  /**
   * IAM action checked before the resolver runs (`cloudtrail:LookupEvents`); null for operations
   * any authenticated caller may make (sts:GetCallerIdentity needs no permission in AWS either).
   */
  action: string | null;
  /** Resource ARN the action is checked against; defaults to `*`. */
  resource?: OperationResource;
  /** Callable without a session (createSession only). */
  public?: boolean;
  /** Recorded as a data event instead of a management event. */
  dataEvent?: boolean;
  /** What self-audit records as requestParameters; defaults to the arguments (redacted). */
  auditRequest?: (args: Record<string, any>) => Record<string, unknown> | null;
  /** What self-audit records as responseElements of a mutation; defaults to the result (redacted). */
  auditResponse?: (result: unknown) => Record<string, unknown> | null;
}

export type OperationSpecs = Record<string, OperationSpec>;

export function defineOperations<T extends OperationSpecs>(specs: T): T {
  return specs;
}
