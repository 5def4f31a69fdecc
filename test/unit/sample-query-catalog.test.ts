import { compileLakeQuery, loadLakeSqlParser } from '../../src/lake/sql/lake-sql.compiler';
import { EDS_PLACEHOLDER, SAMPLE_QUERIES } from '../../src/lake/samples/sample-query.catalog';

const STORE = '0d7c1a2b-1111-2222-3333-444455556666';

beforeAll(() => loadLakeSqlParser());

/** The sample query catalog (src/lake/samples): every statement is Lake SQL of one store. */
describe('sample query catalog', () => {
  it('has at least 40 queries with unique names, descriptions and the store placeholder', () => {
    expect(SAMPLE_QUERIES.length).toBeGreaterThanOrEqual(40);
    expect(new Set(SAMPLE_QUERIES.map((q) => q.name)).size).toBe(SAMPLE_QUERIES.length);
    for (const q of SAMPLE_QUERIES) {
      expect(q.description.length).toBeGreaterThan(20);
      expect(q.sql).toContain(`FROM ${EDS_PLACEHOLDER}`);
    }
  });

  it.each(SAMPLE_QUERIES.map((q) => [q.name, q.sql]))('%s compiles once a store id is substituted', (_name, sql) => {
    const compiled = compileLakeQuery(sql.split(EDS_PLACEHOLDER).join(STORE));
    expect(compiled.storeIds).toEqual([STORE]);
    expect(compiled.columns.length).toBeGreaterThan(0);
  });
});
