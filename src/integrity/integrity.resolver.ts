import { Arg, Ctx, Query, Resolver } from 'type-graphql';
import { type GraphQLContext, requestContext } from '../graphql/context';
import { isoSeconds } from './digest-time';
import { ListPublicKeysInput, ListPublicKeysResult, ValidateLogsInput, ValidateLogsResult } from './integrity.types';
import { entryLine, hasInvalid, summaryText } from './validation-output';

const KIND = { digest: 'DIGEST', log: 'LOG', gap: 'GAP' } as const;

@Resolver()
export class IntegrityResolver {
  @Query(() => ListPublicKeysResult, { description: 'Public keys of digest signatures in the request’s region valid in [startTime, endTime] (CloudTrail ListPublicKeys).' })
  async listPublicKeys(@Arg('input', () => ListPublicKeysInput, { nullable: true }) input: ListPublicKeysInput | null, @Ctx() ctx: GraphQLContext): Promise<ListPublicKeysResult> {
    const keys = await ctx.services.integrity.listPublicKeys(requestContext(ctx), input ?? {});
    return {
      publicKeyList: keys.map((k) => ({ value: k.der.toString('base64'), validityStartTime: isoSeconds(k.validFrom), validityEndTime: isoSeconds(k.validTo), fingerprint: k.fingerprint })),
      nextToken: null,
    };
  }

  @Query(() => ValidateLogsResult, { description: 'aws cloudtrail validate-logs as an API: walks the digest chain of the request’s region and checks every digest and log file (at most 5,000 digests per call; use opentrail validate-logs beyond).' })
  async validateLogs(@Arg('input', () => ValidateLogsInput) input: ValidateLogsInput, @Ctx() ctx: GraphQLContext): Promise<ValidateLogsResult> {
    const { summary: s, entries } = await ctx.services.integrity.validateLogs(requestContext(ctx), input);
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
      results: entries.map((e) => ({ kind: KIND[e.kind], backfill: e.backfill, s3Bucket: e.bucket, s3Object: e.key, valid: e.valid, result: e.result, line: entryLine(e) })),
      summary: summaryText(s),
    };
  }
}
