import { Arg, Mutation, Query, Resolver } from 'type-graphql';
import { everyCloudTrailResource, namedCloudTrailResource } from '../common/cloudtrail-resources';
import type { RequestContext } from '../common/request-context';
import { Operation, OperationService } from '../graphql/operation.decorator';
import { CallerRequest } from '../graphql/request-context.decorator';
import { TRAIL_RESOURCE } from './trail-names';
import type { TrailReadService } from './trail-read.service';
import { toTrail, toTrailInfo, toTrailStatus } from './trail.mappers';
import type { TrailService } from './trail.service';
import {
  CreateTrailInput,
  DescribeTrailsInput,
  DescribeTrailsResult,
  ListTrailsInput,
  ListTrailsResult,
  Trail,
  TrailNameInput,
  TrailStatusResult,
  UpdateTrailInput,
} from './trail.types';

const byName = namedCloudTrailResource(TRAIL_RESOURCE, 'input.name');
const allTrails = everyCloudTrailResource(TRAIL_RESOURCE);

@Resolver()
@OperationService({ eventSource: 'cloudtrail.amazonaws.com', actionPrefix: 'cloudtrail' })
export class TrailResolver {
  constructor(
    private readonly lifecycle: TrailService,
    private readonly reads: TrailReadService,
  ) {}

  @Operation({ resource: byName })
  @Mutation(() => Trail, {
    description: 'Creates a trail in the region of the request (its home region). It does not log until startLogging.',
  })
  async createTrail(
    @Arg('input', () => CreateTrailInput) input: CreateTrailInput,
    @CallerRequest() request: RequestContext,
  ): Promise<Trail> {
    return toTrail(await this.lifecycle.createTrail(request, input));
  }

  @Operation({ resource: byName })
  @Mutation(() => Trail, { description: 'Changes the given settings of a trail; home region only.' })
  async updateTrail(
    @Arg('input', () => UpdateTrailInput) input: UpdateTrailInput,
    @CallerRequest() request: RequestContext,
  ): Promise<Trail> {
    return toTrail(await this.lifecycle.updateTrail(request, input));
  }

  @Operation({ resource: byName })
  @Mutation(() => Boolean, { description: 'Deletes a trail; home region only. Delivered files stay.' })
  async deleteTrail(@Arg('input', () => TrailNameInput) input: TrailNameInput, @CallerRequest() request: RequestContext): Promise<boolean> {
    await this.lifecycle.deleteTrail(request, input);
    return true;
  }

  @Operation({ resource: byName })
  @Mutation(() => Boolean, { description: 'Starts logging; home region only.' })
  async startLogging(
    @Arg('input', () => TrailNameInput) input: TrailNameInput,
    @CallerRequest() request: RequestContext,
  ): Promise<boolean> {
    await this.lifecycle.setLogging(request, input, true);
    return true;
  }

  @Operation({ resource: byName })
  @Mutation(() => Boolean, { description: 'Stops logging; home region only.' })
  async stopLogging(@Arg('input', () => TrailNameInput) input: TrailNameInput, @CallerRequest() request: RequestContext): Promise<boolean> {
    await this.lifecycle.setLogging(request, input, false);
    return true;
  }

  @Operation({ resource: byName })
  @Query(() => Trail, { description: 'A trail by name or ARN, as seen from the region of the request.' })
  async getTrail(@Arg('input', () => TrailNameInput) input: TrailNameInput, @CallerRequest() request: RequestContext): Promise<Trail> {
    return toTrail(await this.reads.getTrail(request, input));
  }

  @Operation({ resource: allTrails })
  @Query(() => DescribeTrailsResult, { description: 'Trails seen from the region of the request (shadow trails included by default).' })
  async describeTrails(
    @Arg('input', () => DescribeTrailsInput, { nullable: true }) input: DescribeTrailsInput | null,
    @CallerRequest() request: RequestContext,
  ): Promise<DescribeTrailsResult> {
    return { trailList: (await this.reads.describeTrails(request, input ?? {})).map(toTrail) };
  }

  @Operation({ resource: allTrails })
  @Query(() => ListTrailsResult, { description: 'ARN, name and home region of every trail seen from the region of the request, paged.' })
  async listTrails(
    @Arg('input', () => ListTrailsInput, { nullable: true }) input: ListTrailsInput | null,
    @CallerRequest() request: RequestContext,
  ): Promise<ListTrailsResult> {
    const page = await this.reads.listTrails(request, input ?? {});
    return { trails: page.trails.map(toTrailInfo), nextToken: page.nextToken };
  }

  @Operation({ resource: byName })
  @Query(() => TrailStatusResult, { description: 'Logging state and latest deliveries of a trail in the region of the request.' })
  async getTrailStatus(
    @Arg('input', () => TrailNameInput) input: TrailNameInput,
    @CallerRequest() request: RequestContext,
  ): Promise<TrailStatusResult> {
    return toTrailStatus(await this.reads.getTrailStatus(request, input));
  }
}
