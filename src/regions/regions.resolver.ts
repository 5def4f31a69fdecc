import { Ctx, Query, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../graphql/context';
import { Operation, OperationService } from '../graphql/operation.decorator';
import { REGIONS } from './region-catalog';
import { RegionInfo } from './regions.types';

@Resolver()
@OperationService({ eventSource: 'account.amazonaws.com', actionPrefix: 'account' })
export class RegionsResolver {
  @Operation()
  @Query(() => [RegionInfo], { description: 'The region catalog; name a region with the x-region header.' })
  listRegions(@Ctx() ctx: GraphQLContext): RegionInfo[] {
    const home = ctx.services.config.homeRegion;
    return REGIONS.map((r) => ({ ...r, isHomeRegion: r.regionName === home }));
  }
}
