import type { RequestContext } from '../common/request-context';
import type { StorageService } from '../storage/storage.service';
import type { TrailReadService } from '../trails/trail-read.service';
import { parseLenient } from './digest-time';
import { IntegrityErrors } from './integrity.errors';
import { InProcessValidationSource } from './in-process-source';
import type { PublicKeyInfo, SigningKeyService } from './signing-keys.service';
import { validateLogs, type ValidationEntry, type ValidationSummary } from './validator';

/** validateLogs runs inside the request: at most this many digests (~7 months of hourly digests) per call. */
export const MAX_DIGESTS_PER_CALL = 5000;

export interface ValidateLogsInput {
  trailArn: string;
  startTime: string;
  endTime?: string | null;
  s3Bucket?: string | null;
  s3Prefix?: string | null;
  accountId?: string | null;
  /** Skip the object-hash shortcut (validator.ts objectHashShortcut). */
  cloudTrailHashesOnly?: boolean | null;
}

function time(value: string, name: string): Date {
  const d = parseLenient(value);
  if (!d) throw IntegrityErrors.invalidTimeRange(`${name} is not a valid time: ${JSON.stringify(value.slice(0, 64))}`);
  return d;
}

/** ListPublicKeys and validateLogs (spec §6.5, §6.7): the reading side of log file integrity. */
export class IntegrityService {
  constructor(private readonly deps: { storage: StorageService; trailReads: TrailReadService; signingKeys: SigningKeyService }) {}

  /**
   * cloudtrail:ListPublicKeys in the request's region: keys valid at any time in [start, end];
   * both default to now (the current key or keys). NextToken is reserved, as in CloudTrail.
   */
  async listPublicKeys(
    ctx: RequestContext,
    input: { startTime?: string | null; endTime?: string | null; nextToken?: string | null },
  ): Promise<PublicKeyInfo[]> {
    if (input.nextToken) throw IntegrityErrors.invalidToken();
    const now = new Date();
    const start = input.startTime ? time(input.startTime, 'StartTime') : now;
    const end = input.endTime ? time(input.endTime, 'EndTime') : now;
    if (start > end) throw IntegrityErrors.invalidTimeRange('StartTime must not be after EndTime.');
    return this.deps.signingKeys.publicKeys(ctx.region, start, end);
  }

  /**
   * validate-logs as an API: the AWS CLI's algorithm (validator.ts) run as the caller for the
   * source region = the request's region. Returns every outcome in the CLI's order.
   */
  async validateLogs(ctx: RequestContext, input: ValidateLogsInput): Promise<{ summary: ValidationSummary; entries: ValidationEntry[] }> {
    const startTime = time(input.startTime, 'startTime');
    const endTime = input.endTime ? time(input.endTime, 'endTime') : new Date();
    if (input.accountId && !/^\d{12}$/.test(input.accountId))
      throw IntegrityErrors.invalidParameter('accountId must be a 12-digit account id.');
    const entries: ValidationEntry[] = [];
    const summary = await validateLogs(
      new InProcessValidationSource(ctx, this.deps),
      {
        trailArn: input.trailArn,
        startTime,
        endTime,
        region: ctx.region,
        s3Bucket: input.s3Bucket,
        s3Prefix: input.s3Prefix,
        accountId: input.accountId,
        maxDigests: MAX_DIGESTS_PER_CALL,
        objectHashShortcut: input.cloudTrailHashesOnly !== true,
      },
      { onEntry: (e) => entries.push(e) },
    );
    return { summary, entries };
  }
}
