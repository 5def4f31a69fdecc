import type { RequestContext } from '../../src/common/request-context';
import type { StorageService } from '../../src/storage/storage.service';
import { failsWith, startServiceHarness, type ServiceHarness } from '../helpers/service-harness';

jest.setTimeout(120_000);

/**
 * ListObjects with a delimiter (the S3 face's ListObjectsV2/ListObjects), on the filesystem
 * backend: a common prefix stands for all its keys, however many backend pages they fill, and a
 * page that ends on one resumes after all of them.
 */
describe('service: listObjects with a delimiter', () => {
  let h: ServiceHarness;
  let storage: StorageService;
  let ctx: RequestContext;
  const bucket = 'listing-walk';
  const names = (page: { objects: Array<{ key: string }>; commonPrefixes: string[] }) => [
    ...page.objects.map((o) => o.key),
    ...page.commonPrefixes,
  ];

  beforeAll(async () => {
    h = await startServiceHarness();
    storage = h.services.storage;
    ctx = h.ctx();
    await storage.createBucket(ctx, bucket);
    // More keys under one prefix than one backend page (1,000) holds.
    for (let i = 0; i < 1005; i++) await storage.objects.putObject(bucket, `a/${String(i).padStart(4, '0')}`, Buffer.from('x'));
    for (const key of ['a0', 'b/1', 'b/2', 'c']) await storage.objects.putObject(bucket, key, Buffer.from('y'));
  });

  afterAll(async () => {
    await h?.close();
  });

  it('rolls a prefix of more than a backend page up into one entry and pages past it', async () => {
    const first = await storage.listObjects(ctx, bucket, { delimiter: '/', first: 2 });
    expect(names(first)).toEqual(['a0', 'a/']);
    expect(first.hasNextPage).toBe(true);
    const second = await storage.listObjects(ctx, bucket, { delimiter: '/', first: 2, after: first.endCursor });
    expect(names(second)).toEqual(['c', 'b/']);
    expect(second.hasNextPage).toBe(false);
    // startAfter a common prefix skips it whole, as the Marker of ListObjects (version 1) does.
    expect(names(await storage.listObjects(ctx, bucket, { delimiter: '/', startAfter: 'a/', first: 10 }))).toEqual(['a0', 'c', 'b/']);
  });

  it('without a delimiter lists keys in order after startAfter; a page holding exactly the rest says so', async () => {
    const tail = await storage.listObjects(ctx, bucket, { startAfter: 'a/1003', first: 5 });
    expect(names(tail)).toEqual(['a/1004', 'a0', 'b/1', 'b/2', 'c']);
    expect(tail.hasNextPage).toBe(false);
    const prefixed = await storage.listObjects(ctx, bucket, { prefix: 'b/', delimiter: '/', first: 1 });
    expect(names(prefixed)).toEqual(['b/1']);
    expect(prefixed.hasNextPage).toBe(true);
  });

  it('refuses a token that is not one of its own', async () => {
    await failsWith(storage.listObjects(ctx, bucket, { after: 'not a token' }), 'InvalidArgument');
  });
});
