import { Arg, Mutation, Query, Resolver } from 'type-graphql';
import { everyCloudTrailResource, namedCloudTrailResource } from '../../common/cloudtrail-resources';
import type { RequestContext } from '../../common/request-context';
import { Operation, OperationService } from '../../graphql/operation.decorator';
import { CallerRequest } from '../../graphql/request-context.decorator';
import { EVENT_DATA_STORE_RESOURCE } from '../event-data-store-names';
import type { LakeImportEntity } from './lake-import.entity';
import type { LakeImportService } from './lake-import.service';
import {
  Import,
  ImportIdInput,
  ListImportFailuresInput,
  ListImportFailuresResult,
  ListImportsInput,
  ListImportsResult,
  StartImportInput,
} from './lake-import.types';

export function toImport(i: LakeImportEntity): Import {
  const s3 = i.importSource.S3;
  return {
    importId: i.id,
    destinations: [i.eventDataStoreArn],
    importSource: {
      s3: { s3LocationUri: s3.S3LocationUri, s3BucketRegion: s3.S3BucketRegion, s3BucketAccessRoleArn: s3.S3BucketAccessRoleArn },
    },
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

// Imports are authorized against the destination store (CloudTrail: the EDS ARN, or * for the rest).
const byDestination = namedCloudTrailResource(EVENT_DATA_STORE_RESOURCE, (args) =>
  Array.isArray(args.input?.destinations) ? args.input.destinations[0] : undefined,
);
const allStores = everyCloudTrailResource(EVENT_DATA_STORE_RESOURCE);

@Resolver()
@OperationService({ eventSource: 'cloudtrail.amazonaws.com', actionPrefix: 'cloudtrail' })
export class LakeImportResolver {
  constructor(private readonly imports: LakeImportService) {}

  @Operation({ resource: byDestination })
  @Mutation(() => Import, {
    description: 'Copies trail log files from a bucket into an event data store (or retries a FAILED import by importId).',
  })
  async startImport(
    @Arg('input', () => StartImportInput) input: StartImportInput,
    @CallerRequest() request: RequestContext,
  ): Promise<Import> {
    return toImport(await this.imports.startImport(request, input));
  }

  @Operation({ resource: allStores })
  @Query(() => Import)
  async getImport(@Arg('input', () => ImportIdInput) input: ImportIdInput, @CallerRequest() request: RequestContext): Promise<Import> {
    return toImport(await this.imports.getImport(request, input.importId));
  }

  @Operation({ resource: allStores })
  @Mutation(() => Import, { description: 'Stops an ongoing import.' })
  async stopImport(@Arg('input', () => ImportIdInput) input: ImportIdInput, @CallerRequest() request: RequestContext): Promise<Import> {
    return toImport(await this.imports.stopImport(request, input.importId));
  }

  @Operation({ resource: allStores })
  @Query(() => ListImportsResult)
  async listImports(
    @Arg('input', () => ListImportsInput, { nullable: true }) input: ListImportsInput | null,
    @CallerRequest() request: RequestContext,
  ): Promise<ListImportsResult> {
    const page = await this.imports.listImports(request, input ?? {});
    return {
      imports: page.imports.map((i) => ({
        importId: i.id,
        importStatus: i.status,
        destinations: [i.eventDataStoreArn],
        createdTimestamp: i.createdAt,
        updatedTimestamp: i.updatedAt,
      })),
      nextToken: page.nextToken,
    };
  }

  @Operation({ resource: allStores })
  @Query(() => ListImportFailuresResult)
  async listImportFailures(
    @Arg('input', () => ListImportFailuresInput) input: ListImportFailuresInput,
    @CallerRequest() request: RequestContext,
  ): Promise<ListImportFailuresResult> {
    const page = await this.imports.listImportFailures(request, input);
    return {
      failures: page.failures.map((f) => ({
        location: f.location,
        status: f.status,
        errorType: f.errorType,
        errorMessage: f.errorMessage,
        lastUpdatedTime: f.lastUpdatedTime,
      })),
      nextToken: page.nextToken,
    };
  }
}
