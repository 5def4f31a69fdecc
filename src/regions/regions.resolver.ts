import { Query, Resolver } from 'type-graphql';
import { Operation, OperationService } from '../graphql/operation.decorator';
import { REGIONS } from './region-catalog';
import { RegionInfo } from './regions.types';

@Resolver()
@OperationService({ eventSource: 'account.amazonaws.com', actionPrefix: 'account' })
export class RegionsResolver {
  constructor(private readonly homeRegion: string) {}

  @Operation()
  @Query(() => [RegionInfo], { description: 'The region catalog; name a region with the x-region header.' })
  listRegions(): RegionInfo[] {
    return REGIONS.map((r) => ({ ...r, isHomeRegion: r.regionName === this.homeRegion }));
  }
}
