import { Ctx, Query, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../graphql/context';
import { REGIONS } from './region-catalog';
import { RegionInfo } from './regions.types';

@Resolver()
export class RegionsResolver {
  @Query(() => [RegionInfo], { description: 'The region catalog; name a region with the x-region header.' })
  listRegions(@Ctx() ctx: GraphQLContext): RegionInfo[] {
    const home = ctx.services.config.homeRegion;
    return REGIONS.map((r) => ({ ...r, isHomeRegion: r.regionName === home }));
  }
}
