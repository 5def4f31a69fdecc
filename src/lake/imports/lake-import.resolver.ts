import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { type GraphQLContext, requestContext } from '../../graphql/context';
import type { LakeImportEntity } from './lake-import.entity';
import { Import, ImportIdInput, ListImportFailuresInput, ListImportFailuresResult, ListImportsInput, ListImportsResult, StartImportInput } from './lake-import.types';

export function toImport(i: LakeImportEntity): Import {
  const s3 = i.importSource.S3;
  return {
    importId: i.id,
    destinations: [i.eventDataStoreArn],
    importSource: { s3: { s3LocationUri: s3.S3LocationUri, s3BucketRegion: s3.S3BucketRegion, s3BucketAccessRoleArn: s3.S3BucketAccessRoleArn } },
    startEventTime: i.startEventTime,
    endEventTime: i.endEventTime,
    importStatus: i.status,
    createdTimestamp: i.createdAt,
    updatedTimestamp: i.updatedAt,
    importStatistics: {
      prefixesFound: Number(i.prefixesFound),
      prefixesCompleted: Number(i.prefixesCompleted),
      filesCompleted: Number(i.filesCompleted),
      eventsCompleted: Number(i.eventsCompleted),
      failedEntries: Number(i.failedEntries),
    },
  };
}

@Resolver()
export class LakeImportResolver {
  @Mutation(() => Import, { description: 'Copies trail log files from a bucket into an event data store (or retries a FAILED import by importId).' })
  async startImport(@Arg('input', () => StartImportInput) input: StartImportInput, @Ctx() ctx: GraphQLContext): Promise<Import> {
    return toImport(await ctx.services.lakeStorage.imports.startImport(requestContext(ctx), input));
  }

  @Query(() => Import)
  async getImport(@Arg('input', () => ImportIdInput) input: ImportIdInput, @Ctx() ctx: GraphQLContext): Promise<Import> {
    return toImport(await ctx.services.lakeStorage.imports.getImport(requestContext(ctx), input.importId));
  }

  @Mutation(() => Import, { description: 'Stops an ongoing import.' })
  async stopImport(@Arg('input', () => ImportIdInput) input: ImportIdInput, @Ctx() ctx: GraphQLContext): Promise<Import> {
    return toImport(await ctx.services.lakeStorage.imports.stopImport(requestContext(ctx), input.importId));
  }

  @Query(() => ListImportsResult)
  async listImports(@Arg('input', () => ListImportsInput, { nullable: true }) input: ListImportsInput | null, @Ctx() ctx: GraphQLContext): Promise<ListImportsResult> {
    const page = await ctx.services.lakeStorage.imports.listImports(requestContext(ctx), input ?? {});
    return {
      imports: page.imports.map((i) => ({ importId: i.id, importStatus: i.status, destinations: [i.eventDataStoreArn], createdTimestamp: i.createdAt, updatedTimestamp: i.updatedAt })),
      nextToken: page.nextToken,
    };
  }

  @Query(() => ListImportFailuresResult)
  async listImportFailures(@Arg('input', () => ListImportFailuresInput) input: ListImportFailuresInput, @Ctx() ctx: GraphQLContext): Promise<ListImportFailuresResult> {
    const page = await ctx.services.lakeStorage.imports.listImportFailures(requestContext(ctx), input);
    return {
      failures: page.failures.map((f) => ({ location: f.location, status: f.status, errorType: f.errorType, errorMessage: f.errorMessage, lastUpdatedTime: f.lastUpdatedTime })),
      nextToken: page.nextToken,
    };
  }
}
