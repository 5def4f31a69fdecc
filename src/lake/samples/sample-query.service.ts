import { createHash } from 'node:crypto';
import { decodePageToken, encodePageToken } from '../../common/page-token';
import type { RequestContext } from '../../common/request-context';
import { LakeErrors } from '../lake.errors';
import { SAMPLE_QUERIES, type SampleQuery } from './sample-query.catalog';
import { type RankedQuery, SampleQueryIndex } from './sample-query.ranking';

export interface SearchSampleQueriesRequest {
  searchPhrase: string;
  maxResults?: number | null;
  nextToken?: string | null;
}

export interface SearchSampleQueriesPage {
  searchResults: RankedQuery[];
  nextToken: string | null;
}

// SearchSampleQueries' limits (botocore model): the phrase is 2 to 1000 printable ASCII
// characters or newlines; pages hold 1 to 50 results, 10 by default.
const PHRASE = /^[ -~\n]*$/;
const MIN_PHRASE = 2;
const MAX_PHRASE = 1000;
const MAX_RESULTS = 50;
const DEFAULT_RESULTS = 10;

/**
 * searchSampleQueries (spec §8.2.3): the built-in sample queries ranked by relevance to a
 * phrase. The catalog is the same for every caller and region, so the call reads nothing of the
 * tenant; the caller's context is taken like every service method's.
 */
export class SampleQueryService {
  private readonly index: SampleQueryIndex;

  constructor(catalog: readonly SampleQuery[] = SAMPLE_QUERIES) {
    this.index = new SampleQueryIndex(catalog);
  }

  /** One page of the queries matching `searchPhrase`, most relevant first. */
  search(_ctx: RequestContext, request: SearchSampleQueriesRequest): SearchSampleQueriesPage {
    const phrase = request.searchPhrase;
    if (typeof phrase !== 'string' || phrase.length < MIN_PHRASE || phrase.length > MAX_PHRASE) {
      throw LakeErrors.invalidParameter(`SearchPhrase must be ${MIN_PHRASE} to ${MAX_PHRASE} characters long.`);
    }
    if (!PHRASE.test(phrase)) throw LakeErrors.invalidParameter('SearchPhrase may contain only printable ASCII characters and newlines.');
    const maxResults = request.maxResults ?? DEFAULT_RESULTS;
    if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > MAX_RESULTS) {
      throw LakeErrors.invalidParameter(`MaxResults must be 1 to ${MAX_RESULTS}.`);
    }
    const binding = phraseBinding(phrase);
    const offset = request.nextToken === undefined || request.nextToken === null ? 0 : decodeOffset(request.nextToken, binding);

    const ranked = this.index.search(phrase);
    const searchResults = ranked.slice(offset, offset + maxResults);
    const next = offset + searchResults.length;
    return { searchResults, nextToken: next < ranked.length ? encodePageToken(`${next}:${binding}`) : null };
  }
}

/** A token holds the position in the ranking of one phrase; another phrase may not reuse it. */
function phraseBinding(phrase: string): string {
  return createHash('sha256').update(phrase).digest('base64url').slice(0, 16);
}

function decodeOffset(token: string, binding: string): number {
  const key = decodePageToken(token);
  const match = key ? /^(\d{1,4}):(.+)$/.exec(key) : null;
  if (!match || match[2] !== binding) {
    throw LakeErrors.invalidParameter('NextToken is not valid: it must come from a previous page of the same SearchPhrase.');
  }
  return Number(match[1]);
}
