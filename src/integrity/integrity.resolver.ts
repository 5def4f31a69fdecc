import { Arg, Query, Resolver } from 'type-graphql';
import type { OperationResource } from '../common/cloudtrail-resources';
import type { RequestContext } from '../common/request-context';
import { Operation, OperationService } from '../graphql/operation.decorator';
import { CallerRequest } from '../graphql/request-context.decorator';
import { isoSeconds } from './digest-time';
import type { IntegrityService } from './integrity.service';
import { ListPublicKeysInput, ListPublicKeysResult, ValidateLogsInput, ValidateLogsResult } from './integrity.types';
import { entryLine, hasInvalid, summaryText } from './validation-output';

const KIND = { digest: 'DIGEST', log: 'LOG', gap: 'GAP' } as const;

/** The trail ARN as given; a value that is not an ARN is authorized against `*`. */
const byTrailArn: OperationResource = (args) =>
  typeof args.input?.trailArn === 'string' && args.input.trailArn.startsWith('arn:') ? args.input.trailArn : '*';

@Resolver()
@OperationService({ eventSource: 'cloudtrail.amazonaws.com', actionPrefix: 'cloudtrail' })
export class IntegrityResolver {
  constructor(private readonly integrity: IntegrityService) {}

  @Operation()
  @Query(() => ListPublicKeysResult, {
    description: 'Public keys of digest signatures in the request’s region valid in [startTime, endTime] (CloudTrail ListPublicKeys).',
  })
  async listPublicKeys(
    @Arg('input', () => ListPublicKeysInput, { nullable: true }) input: ListPublicKeysInput | null,
    @CallerRequest() request: RequestContext,
  ): Promise<ListPublicKeysResult> {
    const keys = await this.integrity.listPublicKeys(request, input ?? {});
    return {
      publicKeyList: keys.map((k) => ({
        value: k.der.toString('base64'),
        validityStartTime: isoSeconds(k.validFrom),
        validityEndTime: isoSeconds(k.validTo),
        fingerprint: k.fingerprint,
      })),
      nextToken: null,
    };
  }

  // Authorized as DescribeTrails on the trail; the validation then checks each read it makes
  // (ListPublicKeys, s3:ListBucket, s3:GetObject) against the caller's policies, as the CLI's
  // own calls would be (spec §6.8). A query: audited readOnly, without the result list.
  @Operation({ action: 'cloudtrail:DescribeTrails', resource: byTrailArn })
  @Query(() => ValidateLogsResult, {
    description:
      'aws cloudtrail validate-logs as an API: walks the digest chain of the request’s region and checks every digest and log file (at most 5,000 digests per call; use opentrail validate-logs beyond).',
  })
  async validateLogs(
    @Arg('input', () => ValidateLogsInput) input: ValidateLogsInput,
    @CallerRequest() request: RequestContext,
  ): Promise<ValidateLogsResult> {
    const { summary: s, entries } = await this.integrity.validateLogs(request, input);
    return {
      trailARN: s.trailArn,
      startTime: isoSeconds(s.startTime),
      endTime: isoSeconds(s.endTime),
      foundStartTime: s.foundStartTime && isoSeconds(s.foundStartTime),
      foundEndTime: s.foundEndTime && isoSeconds(s.foundEndTime),
      validDigests: s.validDigests,
      invalidDigests: s.invalidDigests,
      validBackfillDigests: s.validBackfillDigests,
      invalidBackfillDigests: s.invalidBackfillDigests,
      validLogFiles: s.validLogs,
      invalidLogFiles: s.invalidLogs,
      valid: !hasInvalid(s),
      results: entries.map((e) => ({
        kind: KIND[e.kind],
        backfill: e.backfill,
        s3Bucket: e.bucket,
        s3Object: e.key,
        valid: e.valid,
        result: e.result,
        line: entryLine(e),
      })),
      summary: summaryText(s),
    };
  }
}
