import type { RequestContext } from '../../src/common/request-context';
import { ensureLakePartitionsFor, insertLakeEvents } from '../../src/lake/lake-event.repository';
import { EDS_PLACEHOLDER, SAMPLE_QUERIES } from '../../src/lake/samples/sample-query.catalog';
import type { SampleQueryService, SearchSampleQueriesRequest } from '../../src/lake/samples/sample-query.service';
import { lakeEvent } from '../helpers/lake-query';
import { failsWith, startServiceHarness, type ServiceHarness } from '../helpers/service-harness';

jest.setTimeout(60_000);

/** searchSampleQueries (spec §8.2.3) on its service, and catalog queries run on a real store. */
describe('service: sample queries', () => {
  let h: ServiceHarness;
  let samples: SampleQueryService;
  let ctx: RequestContext;
  const search = (request: SearchSampleQueriesRequest) => samples.search(ctx, request);
  const refused = (request: SearchSampleQueriesRequest) =>
    failsWith(
      Promise.resolve().then(() => search(request)),
      'InvalidParameterException',
    );

  beforeAll(async () => {
    h = await startServiceHarness();
    samples = h.services.sampleQueries;
    ctx = h.ctx();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('checks SearchPhrase and MaxResults as the model states', async () => {
    expect(await refused({ searchPhrase: 'a' })).toMatch(/2 to 1000/);
    await refused({ searchPhrase: 'x'.repeat(1001) });
    expect(await refused({ searchPhrase: 'sign-ins café' })).toMatch(/printable ASCII/);
    await refused({ searchPhrase: 'tab\there' });
    expect(search({ searchPhrase: 'x'.repeat(1000) }).searchResults).toEqual([]);
    expect(search({ searchPhrase: 'console\nlogin' }).searchResults.length).toBeGreaterThan(0);
    for (const maxResults of [0, 51, 2.5])
      expect(await refused({ searchPhrase: 'console', maxResults })).toMatch(/MaxResults must be 1 to 50/);
  });

  it('pages 10 results by default and binds a NextToken to its phrase', async () => {
    const phrase = 'calls per principal in the past day';
    const all = search({ searchPhrase: phrase, maxResults: 50 });
    expect(all.searchResults.length).toBeGreaterThan(10);
    const first = search({ searchPhrase: phrase });
    expect(first.searchResults).toEqual(all.searchResults.slice(0, 10));
    const pages = [...first.searchResults];
    let token = first.nextToken;
    while (token) {
      const page = search({ searchPhrase: phrase, maxResults: 7, nextToken: token });
      pages.push(...page.searchResults);
      token = page.nextToken;
    }
    expect(pages).toEqual(all.searchResults);
    expect(all.nextToken).toBeNull();

    expect(await refused({ searchPhrase: 'other words', nextToken: first.nextToken })).toMatch(/NextToken/);
    await refused({ searchPhrase: phrase, nextToken: 'not-a-token' });
    await refused({ searchPhrase: phrase, nextToken: 'abc' });
  });

  it('returns name, description, SQL and a relevance in (0, 1), best first', () => {
    const [best, ...rest] = search({ searchPhrase: 'failed console sign-in attempts by IP address', maxResults: 50 }).searchResults;
    expect(best.name).toBe('Failed console sign-ins by source IP');
    expect(best.sql).toContain(`FROM ${EDS_PLACEHOLDER}`);
    expect(best.description).toMatch(/password guessing/);
    expect(best.relevance).toBeLessThan(1);
    expect(rest.every((r) => r.relevance > 0 && r.relevance <= best.relevance)).toBe(true);
  });

  it('runs catalog queries against a real store once its id replaces $EDS_ID', async () => {
    const store = await h.services.lakeStorage.stores.create(ctx, { name: 'samples', retentionPeriod: 7 });
    const storeId = store.arn.split('/').pop()!;
    const account = h.admin.accountId;
    const recent = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const signIn = (minutesAgo: number, mfa: string, outcome: string, ip: string) =>
      lakeEvent({
        eventTime: recent(minutesAgo),
        eventSource: 'signin.amazonaws.com',
        eventName: 'ConsoleLogin',
        sourceIPAddress: ip,
        additionalEventData: { MFAUsed: mfa },
        responseElements: { ConsoleLogin: outcome },
        recipientAccountId: account,
      });
    const records = [
      signIn(30, 'No', 'Success', '198.51.100.1'),
      signIn(20, 'Yes', 'Success', '198.51.100.1'),
      signIn(10, 'No', 'Failure', '198.51.100.9'),
      signIn(9, 'No', 'Failure', '198.51.100.9'),
      lakeEvent({
        eventTime: recent(5),
        eventSource: 's3.amazonaws.com',
        eventName: 'GetObject',
        eventCategory: 'Data',
        managementEvent: false,
        readOnly: true,
        requestParameters: { bucketName: 'reports', key: 'q1.csv' },
      }),
      lakeEvent({
        eventTime: recent(4),
        eventSource: 's3.amazonaws.com',
        eventName: 'GetObject',
        eventCategory: 'Data',
        managementEvent: false,
        readOnly: true,
        requestParameters: { bucketName: 'reports', key: 'q2.csv' },
      }),
      // Eight days old: outside the past week of the samples' time bound.
      signIn(8 * 24 * 60, 'No', 'Success', '198.51.100.2'),
    ];
    await ensureLakePartitionsFor(
      h.db.pool,
      records.map((r) => new Date(String(r.eventTime))),
    );
    const client = await h.db.pool.connect();
    try {
      await insertLakeEvents(client, storeId, account, records);
    } finally {
      client.release();
    }

    const run = async (name: string) => {
      const sample = SAMPLE_QUERIES.find((q) => q.name === name)!;
      const { queryId } = await h.services.lakeQueries.startQuery(ctx, { queryStatement: sample.sql.split(EDS_PLACEHOLDER).join(storeId) });
      expect(await h.services.lakeQueries.run(queryId)).toBe('FINISHED');
      return (await h.services.lakeQueries.getQueryResults(ctx, { queryId })).rows.map((row) => Object.assign({}, ...row));
    };
    expect((await run('Console sign-ins without MFA')).map((r) => r.sourceIPAddress)).toEqual(['198.51.100.1']);
    expect(await run('Failed console sign-ins by source IP')).toEqual([{ sourceIPAddress: '198.51.100.9', failedSignIns: '2' }]);
    expect(await run('S3 objects read per bucket')).toEqual([{ bucket: 'reports', reads: '2' }]);
    expect(await run('Event volume by category')).toEqual([
      { eventCategory: 'Management', eventType: 'AwsApiCall', events: '5' },
      { eventCategory: 'Data', eventType: 'AwsApiCall', events: '2' },
    ]);
  });
});
