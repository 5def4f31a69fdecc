import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { type GraphQLContext, requestContext } from '../graphql/context';
import { toTrail, toTrailInfo, toTrailStatus } from './trail.mappers';
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

@Resolver()
export class TrailResolver {
  @Mutation(() => Trail, { description: 'Creates a trail in the region of the request (its home region). It does not log until startLogging.' })
  async createTrail(@Arg('input', () => CreateTrailInput) input: CreateTrailInput, @Ctx() ctx: GraphQLContext): Promise<Trail> {
    return toTrail(await ctx.services.trails.lifecycle.createTrail(requestContext(ctx), input));
  }

  @Mutation(() => Trail, { description: 'Changes the given settings of a trail; home region only.' })
  async updateTrail(@Arg('input', () => UpdateTrailInput) input: UpdateTrailInput, @Ctx() ctx: GraphQLContext): Promise<Trail> {
    return toTrail(await ctx.services.trails.lifecycle.updateTrail(requestContext(ctx), input));
  }

  @Mutation(() => Boolean, { description: 'Deletes a trail; home region only. Delivered files stay.' })
  async deleteTrail(@Arg('input', () => TrailNameInput) input: TrailNameInput, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    await ctx.services.trails.lifecycle.deleteTrail(requestContext(ctx), input);
    return true;
  }

  @Mutation(() => Boolean, { description: 'Starts logging; home region only.' })
  async startLogging(@Arg('input', () => TrailNameInput) input: TrailNameInput, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    await ctx.services.trails.lifecycle.setLogging(requestContext(ctx), input, true);
    return true;
  }

  @Mutation(() => Boolean, { description: 'Stops logging; home region only.' })
  async stopLogging(@Arg('input', () => TrailNameInput) input: TrailNameInput, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    await ctx.services.trails.lifecycle.setLogging(requestContext(ctx), input, false);
    return true;
  }

  @Query(() => Trail, { description: 'A trail by name or ARN, as seen from the region of the request.' })
  async getTrail(@Arg('input', () => TrailNameInput) input: TrailNameInput, @Ctx() ctx: GraphQLContext): Promise<Trail> {
    return toTrail(await ctx.services.trails.reads.getTrail(requestContext(ctx), input));
  }

  @Query(() => DescribeTrailsResult, { description: 'Trails seen from the region of the request (shadow trails included by default).' })
  async describeTrails(
    @Arg('input', () => DescribeTrailsInput, { nullable: true }) input: DescribeTrailsInput | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<DescribeTrailsResult> {
    return { trailList: (await ctx.services.trails.reads.describeTrails(requestContext(ctx), input ?? {})).map(toTrail) };
  }

  @Query(() => ListTrailsResult, { description: 'ARN, name and home region of every trail seen from the region of the request, paged.' })
  async listTrails(@Arg('input', () => ListTrailsInput, { nullable: true }) input: ListTrailsInput | null, @Ctx() ctx: GraphQLContext): Promise<ListTrailsResult> {
    const page = await ctx.services.trails.reads.listTrails(requestContext(ctx), input ?? {});
    return { trails: page.trails.map(toTrailInfo), nextToken: page.nextToken };
  }

  @Query(() => TrailStatusResult, { description: 'Logging state and latest deliveries of a trail in the region of the request.' })
  async getTrailStatus(@Arg('input', () => TrailNameInput) input: TrailNameInput, @Ctx() ctx: GraphQLContext): Promise<TrailStatusResult> {
    return toTrailStatus(await ctx.services.trails.reads.getTrailStatus(requestContext(ctx), input));
  }
}
