import type { Services } from '../../src/app/services';
import type { RequestContext } from '../../src/common/request-context';
import type { EventSelectorInput } from '../../src/selectors/selector-validation';
import type { AdvancedEventSelector } from '../../src/trails/trail.entity';
import { failsWith, startServiceHarness, type ServiceHarness } from '../helpers/service-harness';
import { cloudTrailBucketPolicy } from '../helpers/trails';

type FieldSelector = AdvancedEventSelector['FieldSelectors'][number];

/** Event selector and tag rules of trails (spec §4.3, §4.8, §10, §12.1) on the trail services. */
describe('service: trail selector and tag rules', () => {
  let h: ServiceHarness;
  let trails: Services['trails'];
  let ctx: RequestContext;
  let arn: string;
  const put = (
    input: { eventSelectors?: EventSelectorInput[] | null; advancedEventSelectors?: AdvancedEventSelector[] | null },
    at = ctx,
    trailName = 'sel-trail',
  ) => trails.selectors.putEventSelectors(at, { trailName, ...input });
  const putFails = (input: Parameters<typeof put>[0], code = 'InvalidEventSelectorsException') => failsWith(put(input), code);
  const adv = (...FieldSelectors: FieldSelector[]) => ({ advancedEventSelectors: [{ Name: 'x', FieldSelectors }] });
  const cat = (c: string): FieldSelector => ({ Field: 'eventCategory', Equals: [c] });

  beforeAll(async () => {
    h = await startServiceHarness();
    trails = h.services.trails;
    ctx = h.ctx();
    await h.services.storage.createBucket(ctx, 'selector-logs');
    await h.services.storage.putBucketPolicy(ctx, 'selector-logs', cloudTrailBucketPolicy('selector-logs', [h.admin.accountId]));
    arn = (await trails.lifecycle.createTrail(ctx, { name: 'sel-trail', s3BucketName: 'selector-logs' })).trailArn;
  });
  afterAll(async () => {
    await h?.close();
  });

  it('validates basic selectors', async () => {
    await putFails(
      { eventSelectors: [{}], advancedEventSelectors: [{ FieldSelectors: [cat('Management')] }] },
      'InvalidParameterCombinationException',
    );
    await putFails({});
    await putFails({ eventSelectors: [] });
    await putFails({ eventSelectors: Array.from({ length: 6 }, () => ({})) });
    expect(await putFails({ eventSelectors: [{ ReadWriteType: 'Sometimes' }] })).toBe(
      'Value Sometimes for parameter ReadWriteType is invalid. Valid values: ReadOnly, WriteOnly, All.',
    );
    await putFails({ eventSelectors: [{ ExcludeManagementEventSources: ['s3.amazonaws.com'] }] });
    await putFails({ eventSelectors: [{ DataResources: [{ Type: 'AWS::SNS::Topic', Values: ['arn:aws:sns'] }] }] });
    await putFails({ eventSelectors: [{ DataResources: [{ Type: 'AWS::S3::Object', Values: [] }] }] });
    await putFails({ eventSelectors: [{ DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:lambda'] }] }] });
    await putFails({
      eventSelectors: [{ DataResources: [{ Type: 'AWS::Lambda::Function', Values: ['arn:aws:lambda:us-east-1:123:function:f'] }] }],
    });
    const many = Array.from({ length: 251 }, (_, i) => `arn:aws:s3:::selector-logs/p${i}/`);
    expect(await putFails({ eventSelectors: [{ DataResources: [{ Type: 'AWS::S3::Object', Values: many }] }] })).toContain('at most 250');
    // 250 exactly is allowed, and "all" values do not count.
    await put({ eventSelectors: [{ DataResources: [{ Type: 'AWS::S3::Object', Values: [...many.slice(0, 250), 'arn:aws:s3'] }] }] });
  });

  it('fills in basic selector defaults and stores them', async () => {
    const out = await put({
      eventSelectors: [
        { ReadWriteType: 'WriteOnly' },
        { IncludeManagementEvents: false, DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3'] }] },
      ],
    });
    expect(out.eventSelectors).toEqual([
      { ReadWriteType: 'WriteOnly', IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: [] },
      {
        ReadWriteType: 'All',
        IncludeManagementEvents: false,
        DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3'] }],
        ExcludeManagementEventSources: [],
      },
    ]);
    expect((await trails.selectors.getEventSelectors(ctx, { trailName: arn })).eventSelectors).toEqual(out.eventSelectors);
  });

  it('validates advanced selectors per field and category', async () => {
    await putFails(adv({ Field: 'readOnly', Equals: ['true'] })); // no eventCategory
    await putFails(adv({ Field: 'eventCategory', Equals: ['Management', 'Data'] }));
    await putFails(adv(cat('Insight')));
    await putFails(adv({ Field: 'eventCategory', StartsWith: ['Manage'] }));
    await putFails(adv(cat('Management'), { Field: 'readOnly', Equals: ['yes'] }));
    await putFails(adv(cat('Management'), { Field: 'eventSource', Equals: ['ec2.amazonaws.com'] }));
    await putFails(adv(cat('Management'), { Field: 'eventName', Equals: ['RunInstances'] }));
    await putFails(adv(cat('Management'), { Field: 'resources.type', Equals: ['AWS::S3::Object'] }));
    await putFails(adv(cat('Data'))); // resources.type required
    await putFails(adv(cat('Data'), { Field: 'resources.type', Equals: ['AWS::Nope::Thing'] }));
    await putFails(
      adv(cat('Data'), { Field: 'resources.type', Equals: ['AWS::S3::Object'] }, { Field: 'resources.ARN', Equals: ['bucket/'] }),
    );
    await putFails(adv(cat('NetworkActivity'))); // eventSource required
    await putFails(
      adv(cat('NetworkActivity'), { Field: 'eventSource', Equals: ['kms.amazonaws.com'] }, { Field: 'errorCode', Equals: ['Other'] }),
    );
    await putFails(adv(cat('Management'), { Field: 'unknownField', Equals: ['x'] }));
    await putFails(adv(cat('Management'), { Field: 'bad field!', Equals: ['x'] }));
    await putFails(adv(cat('Management'), { Field: 'readOnly' }));
    await putFails(adv(cat('Management'), { Field: 'readOnly', Equals: [] }));
    await putFails(adv(cat('Management'), { Field: 'userIdentity.arn', Equals: ['x'.repeat(2049)] }));
    await putFails(adv(cat('Management'), cat('Management')));
    await putFails({ advancedEventSelectors: [{ FieldSelectors: [] }] });
    await putFails({ advancedEventSelectors: [] });
    await putFails({ advancedEventSelectors: [{ Name: 'n'.repeat(1001), FieldSelectors: [cat('Management')] }] });
    const values = Array.from({ length: 499 }, (_, i) => `arn:aws:iam::123456789012:user/u${i}`);
    expect(await putFails(adv(cat('Management'), { Field: 'userIdentity.arn', NotEquals: [...values, 'extra'] }))).toContain('at most 500');
    // 500 values exactly (499 + the eventCategory value) are allowed.
    await put(adv(cat('Management'), { Field: 'userIdentity.arn', NotEquals: values }));
    // The documented examples are accepted.
    await put({
      advancedEventSelectors: [
        {
          Name: 'S3 writes except log bucket',
          FieldSelectors: [
            cat('Data'),
            { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
            { Field: 'readOnly', Equals: ['false'] },
            { Field: 'resources.ARN', NotStartsWith: ['arn:aws:s3:::selector-logs/'] },
          ],
        },
        {
          Name: 'KMS network activity denials',
          FieldSelectors: [
            cat('NetworkActivity'),
            { Field: 'eventSource', Equals: ['kms.amazonaws.com'] },
            { Field: 'errorCode', Equals: ['VpceAccessDenied'] },
          ],
        },
      ],
    });
  });

  it('only changes selectors from the home region', async () => {
    const west = h.ctx('us-west-2');
    await failsWith(put({ eventSelectors: [{}] }, west, arn), 'CloudTrailARNInvalidException');
    await trails.lifecycle.updateTrail(ctx, { name: 'sel-trail', isMultiRegionTrail: true });
    await failsWith(put({ eventSelectors: [{}] }, west, arn), 'InvalidHomeRegionException');
    await failsWith(trails.selectors.putInsightSelectors(west, { trailName: arn, insightSelectors: [] }), 'InvalidHomeRegionException');
    expect((await trails.selectors.getEventSelectors(west, { trailName: arn })).trailArn).toBe(arn);
  });

  it('keeps tags within CloudTrail’s limits and rules', async () => {
    const tags = (n: number, from = 0) => Array.from({ length: n }, (_, i) => ({ key: `k${from + i}`, value: 'v' }));
    const add = (tagsList: Array<{ key: string; value?: string | null }>, resourceId = arn) =>
      h.services.tags.addTags(ctx, { resourceId, tagsList });
    await add(tags(50));
    await failsWith(add(tags(1, 100)), 'TagsLimitExceededException');
    // Overwriting an existing key does not count as another tag.
    await add([{ key: 'k0', value: 'again' }]);
    await failsWith(add([{ key: '' }]), 'InvalidTagParameterException');
    await failsWith(add([{ key: 'k'.repeat(129) }]), 'InvalidTagParameterException');
    await failsWith(add([{ key: 'k1', value: 'v'.repeat(257) }]), 'InvalidTagParameterException');
    await failsWith(add([{ key: 'aws:owner', value: 'v' }]), 'InvalidTagParameterException');
    await failsWith(
      add([
        { key: 'k1', value: '1' },
        { key: 'k1', value: '2' },
      ]),
      'InvalidTagParameterException',
    );
    const [listed] = await h.services.tags.listTags(ctx, { resourceIdList: [arn] });
    expect(listed.tags).toHaveLength(50);
    expect(listed.tags[0]).toEqual({ Key: 'k0', Value: 'again' });
    await failsWith(add([{ key: 'a' }], 'sel-trail'), 'CloudTrailARNInvalidException');
    await failsWith(add([{ key: 'a' }], arn.replace('sel-trail', 'missing-trail')), 'ResourceNotFoundException');
    await failsWith(h.services.tags.listTags(ctx, { resourceIdList: Array.from({ length: 21 }, () => arn) }), 'InvalidParameterException');
    await failsWith(
      trails.lifecycle.createTrail(ctx, { name: 'tagged-2', s3BucketName: 'selector-logs', tagsList: tags(51) }),
      'TagsLimitExceededException',
    );
    await failsWith(trails.reads.getTrail(ctx, { name: 'tagged-2' }), 'TrailNotFoundException');
  });
});
