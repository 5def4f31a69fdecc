import { Arg, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../common/request-context';
import { Operation, OperationService } from '../../graphql/operation.decorator';
import { CallerRequest } from '../../graphql/request-context.decorator';
import type { SampleQueryService } from './sample-query.service';
import { SearchSampleQueriesInput, SearchSampleQueriesResult } from './sample-query.types';

@Resolver()
@OperationService({ eventSource: 'cloudtrail.amazonaws.com', actionPrefix: 'cloudtrail' })
export class SampleQueryResolver {
  constructor(private readonly samples: SampleQueryService) {}

  @Operation()
  @Query(() => SearchSampleQueriesResult, {
    description: 'CloudTrail Lake sample queries ranked by relevance to a phrase (SearchSampleQueries).',
  })
  searchSampleQueries(
    @Arg('input', () => SearchSampleQueriesInput) input: SearchSampleQueriesInput,
    @CallerRequest() request: RequestContext,
  ): SearchSampleQueriesResult {
    return this.samples.search(request, input);
  }
}
