import { SAMPLE_QUERIES } from '../../src/lake/samples/sample-query.catalog';
import { SampleQueryIndex, terms } from '../../src/lake/samples/sample-query.ranking';

const index = new SampleQueryIndex(SAMPLE_QUERIES);
const top = (phrase: string, n = 3) => index.search(phrase).slice(0, n);

/** BM25F ranking of the sample query catalog (src/lake/samples/sample-query.ranking.ts). */
describe('sample query ranking', () => {
  it('splits camelCase, drops stop words and folds plurals and verb endings', () => {
    expect(terms('Who signed in to the ConsoleLogin pages?')).toEqual(['sign', 'console', 'login', 'page']);
    expect(terms('deleted S3 buckets')).toEqual(['delet', 's3', 'bucket']);
    expect(terms('userIdentity.accessKeyId')).toEqual(['user', 'identity', 'access', 'key']);
  });

  it('ranks the query a phrase describes first', () => {
    expect(top('console sign-ins without MFA')[0].name).toBe('Console sign-ins without MFA');
    expect(top('who deleted objects in S3')[0].name).toBe('S3 objects deleted');
    expect(top('root user API calls')[0].name).toBe('API calls made by the root user');
    expect(top('access denied errors')[0].name).toBe('Access denied errors by principal');
    expect(top('throttling')[0].name).toBe('Throttled API calls by service');
  });

  it('returns only matching queries, ordered by relevance in (0, 1)', () => {
    const results = index.search('insights');
    expect(results.length).toBeGreaterThanOrEqual(3);
    for (const r of results) {
      expect(r.relevance).toBeGreaterThan(0);
      expect(r.relevance).toBeLessThan(1);
    }
    const relevances = results.map((r) => r.relevance);
    expect(relevances).toEqual([...relevances].sort((a, b) => b - a));
    expect(results.every((r) => `${r.name} ${r.description} ${r.sql}`.toLowerCase().includes('insight'))).toBe(true);
  });

  it('scores a closer match higher and a phrase of unknown words not at all', () => {
    const created = (phrase: string) => index.search(phrase).find((r) => r.name === 'S3 buckets created or deleted')!.relevance;
    expect(index.search('bucket policy')[0].name).toBe('S3 bucket policy and ACL changes');
    // The same query matches more of a phrase that adds one of its words.
    expect(created('bucket created')).toBeGreaterThan(created('bucket policy'));
    expect(index.search('zebra quokka')).toEqual([]);
    expect(index.search('the of and')).toEqual([]);
  });
});
