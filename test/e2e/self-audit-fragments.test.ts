import { startTestApp, type TestApp } from '../helpers/test-app';

/**
 * Every root field execution runs is one self-audit event, however the document spells it: a
 * mutation inside an inline fragment or a fragment spread used to run unrecorded, and a field
 * @skip'ped by the client was recorded as a call that never ran.
 */
describe('self-audit of root fields written through fragments and directives', () => {
  let app: TestApp;
  let token: string;
  beforeAll(async () => {
    app = await startTestApp();
    token = await app.login(app.admin);
  });
  afterAll(async () => app?.close());

  const recorded = async (eventName: string) =>
    (
      await app.db.pool.query(`SELECT count(*)::int AS n FROM events WHERE account_id = $1 AND event_name = $2`, [
        app.admin.accountId,
        eventName,
      ])
    ).rows[0].n as number;

  it('records a mutation inside an inline fragment and a query through a fragment spread', async () => {
    const made = await app.gql(
      `mutation { ... on Mutation { createBucket(input: {bucketName: "fragment-bucket"}) { bucketName } } }`,
      {},
      { token },
    );
    expect(made.errors).toBeUndefined();
    expect(await recorded('CreateBucket')).toBe(1);

    const read = await app.gql(`query { ...who } fragment who on Query { listBuckets { buckets { bucketName } } }`, {}, { token });
    expect(read.errors).toBeUndefined();
    expect(await recorded('ListBuckets')).toBe(1);
  });

  it('does not record a field the client skipped', async () => {
    const r = await app.gql(
      `query($no: Boolean!) { listRegions @skip(if: $no) { regionName } getCallerIdentity { account } }`,
      { no: true },
      { token },
    );
    expect(r.errors).toBeUndefined();
    expect(await recorded('ListRegions')).toBe(0);
    expect(await recorded('GetCallerIdentity')).toBe(1);
  });
});
