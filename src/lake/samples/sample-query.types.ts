import { Field, Float, InputType, Int, ObjectType } from 'type-graphql';
import { ListPage } from '../../graphql/list-page';

@InputType()
export class SearchSampleQueriesInput {
  @Field(() => String, { description: 'Words describing what to find, in English: 2 to 1000 printable ASCII characters.' })
  searchPhrase!: string;

  @Field(() => Int, { nullable: true, description: '1 to 50 results per page; default 10.' })
  maxResults?: number | null;

  @Field(() => String, { nullable: true, description: 'From a previous page of the same searchPhrase.' })
  nextToken?: string | null;
}

@ObjectType({ description: 'A sample query (CloudTrail SearchSampleQueriesSearchResult).', simpleResolvers: true })
export class SampleQuerySearchResult {
  @Field(() => String)
  name!: string;

  @Field(() => String)
  description!: string;

  @Field(() => String, { description: 'CloudTrail Lake SQL; put the event data store id in place of $EDS_ID.' })
  sql!: string;

  @Field(() => Float, { description: 'Similarity of the query to the search phrase, between 0 and 1.' })
  relevance!: number;
}

@ObjectType({ simpleResolvers: true })
export class SearchSampleQueriesResult extends ListPage('searchResults', SampleQuerySearchResult, 'nextToken', { simpleResolvers: true }) {}
