import { startTestApp, type TestApp } from '../helpers/test-app';

jest.setTimeout(120_000);

const SEARCH = `query($input: SearchSampleQueriesInput!) { searchSampleQueries(input: $input) {
  searchResults { name description sql relevance } nextToken } }`;

/** searchSampleQueries over GraphQL (spec §8.2.3): the result shape, paging and its error code. */
describe('searchSampleQueries', () => {
  let app: TestApp;
  let token: string;

  beforeAll(async () => {
    app = await startTestApp();
    token = await app.login(app.admin);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('answers ranked sample queries with a NextToken, and InvalidParameterException for a bad phrase', async () => {
    const first = await app.gql(SEARCH, { input: { searchPhrase: 'who deleted S3 objects', maxResults: 2 } }, { token });
    expect(first.errors).toBeUndefined();
    const page = first.data!.searchSampleQueries;
    expect(page.searchResults).toHaveLength(2);
    expect(page.searchResults[0]).toMatchObject({ name: 'S3 objects deleted', sql: expect.stringContaining('FROM $EDS_ID') });
    expect(page.searchResults[0].relevance).toBeGreaterThan(page.searchResults[1].relevance);
    expect(typeof page.nextToken).toBe('string');

    const next = await app.gql(
      SEARCH,
      { input: { searchPhrase: 'who deleted S3 objects', maxResults: 2, nextToken: page.nextToken } },
      { token },
    );
    expect(next.data!.searchSampleQueries.searchResults[0].name).not.toBe(page.searchResults[0].name);

    const bad = await app.gql(SEARCH, { input: { searchPhrase: 'ü' } }, { token });
    expect(bad.errors?.[0].extensions?.code).toBe('InvalidParameterException');
  });
});
