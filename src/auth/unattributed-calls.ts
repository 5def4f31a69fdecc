import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { organizationRepository } from '../organizations/organization.repository';
import type { AuditSubject, UnknownIdentity } from '../common/audit-subject';
import type { FailureThrottle } from './failure-throttle';
import { addressKey } from './signin-throttle';

/** What CloudTrail writes in place of a user name that may be a mistyped secret (spec §2.4). */
export const HIDDEN = 'HIDDEN_DUE_TO_SECURITY_REASONS';

/**
 * Calls whose credentials name no account (no token, a forged or malformed token, an unknown
 * access key id) are recorded in the installation's management account, so the operator sees them.
 * They cost a write there that no tenant pays for, so calls with a bad bearer token are recorded
 * in full only up to AUTH_FAILURE_AUDIT_FREE_PER_ADDRESS per address and window, then one per
 * growing delay (the same mechanism as the sign-in throttle); the calls are answered either way.
 */
export class UnattributedCalls {
  private management: Promise<{ accountId: string; organizationId: string | null } | null> | null = null;

  constructor(
    private readonly pool: Pool,
    private readonly sampler: FailureThrottle,
    private readonly freePerAddress: number,
    private readonly logger: Logger,
  ) {}

  /** The subject a call of `identity` is recorded under; null before any organization exists. */
  async managementSubject(identity: UnknownIdentity): Promise<AuditSubject | null> {
    // Cached once found: the first organization never changes (a failed lookup is retried).
    this.management ??= organizationRepository.installationManagement(this.pool);
    const found = await this.management.catch(() => null);
    if (!found) {
      this.management = null;
      return null;
    }
    return { identity, ...found };
  }

  /** Whom a call with a bad or missing bearer token is recorded as, or null when it is not recorded. */
  async bearerFailureSubject(sourceIp: string): Promise<AuditSubject | null> {
    try {
      const decision = await this.sampler.attempt([{ key: `address:${addressKey(sourceIp)}`, freeAttempts: this.freePerAddress }]);
      if (!decision.ok) return null;
    } catch (err) {
      this.logger.warn({ err }, 'auth-failure audit sampler unavailable (Redis); recording the call');
    }
    return this.managementSubject({ type: 'Unknown', accessKeyId: '' });
  }
}
