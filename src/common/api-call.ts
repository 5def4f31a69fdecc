import type { AuditSubject } from './audit-subject';
import type { RequestMeta } from './request-context';

/** One control-plane call, as self-audit records it (an event record is built from this). */
export interface ApiCall {
  meta: RequestMeta;
  subject: AuditSubject;
  eventTime: Date;
  eventSource: string;
  eventName: string;
  readOnly: boolean;
  managementEvent: boolean;
  /** Already redacted. */
  requestParameters: Record<string, unknown> | null;
  /** Already redacted; null for read-only calls, as CloudTrail records them. */
  responseElements: Record<string, unknown> | null;
  errorCode?: string;
  errorMessage?: string;
  /** AwsApiCall unless said otherwise (a failed sign-in is an AwsConsoleSignIn, spec §2.5). */
  eventType?: 'AwsApiCall' | 'AwsConsoleSignIn';
  additionalEventData?: Record<string, unknown>;
}

/** Where self-audit writes: implemented by the events module. */
export interface ApiCallRecorder {
  recordApiCalls(calls: ApiCall[]): Promise<void>;
}

const SECRET_KEY = /secret|token|password|credential/i;
export const REDACTED = 'HIDDEN_DUE_TO_SECURITY_REASONS';

/** Deep copy with every value under a secret-looking key replaced (spec §2.3). */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value instanceof Date) return value.toISOString();
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out[k] = SECRET_KEY.test(k) && v !== null && v !== undefined ? REDACTED : redactSecrets(v);
    }
    return out;
  }
  return value;
}
