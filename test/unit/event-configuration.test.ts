import 'reflect-metadata';
import { cloudTrailOperations } from '../../src/aws/json-service-face';
import type { BatchEvent } from '../../src/events/event.repository';
import { operationCatalog } from '../../src/graphql/operation-catalog';
import { buildOpenTrailSchema } from '../../src/graphql/schema';
import {
  eventContextOf,
  involvedArns,
  MAX_EVENT_BYTES,
  validateContextKeySelectors,
} from '../../src/lake/event-configuration/event-configuration-rules';
import { storedRecords } from '../../src/lake/lake-event.router';
import type { RoutableStore } from '../../src/lake/lake-routing.repository';

const ACCOUNT = '111122223333';
const STORE_ARN = `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:eventdatastore/0b3c8c1e-5d5e-4c55-9a6e-1f1f1f1f1f1f`;

const record = (over: Record<string, unknown> = {}) => ({
  eventVersion: '1.08',
  userIdentity: {
    type: 'AssumedRole',
    principalId: 'AROAEXAMPLE:alice',
    arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Admin/alice`,
    accountId: ACCOUNT,
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: 'AROAEXAMPLE',
        arn: `arn:aws:iam::${ACCOUNT}:role/Admin`,
        accountId: ACCOUNT,
        userName: 'Admin',
      },
      attributes: { creationDate: '2026-11-20T10:00:00Z', mfaAuthenticated: 'true' },
    },
  },
  eventTime: '2026-11-20T12:00:00Z',
  eventSource: 'cloudtrail.amazonaws.com',
  eventName: 'UpdateEventDataStore',
  awsRegion: 'us-east-1',
  sourceIPAddress: '198.51.100.7',
  tlsDetails: { tlsVersion: 'TLSv1.3' },
  requestParameters: { eventDataStore: STORE_ARN, retentionPeriod: 90 },
  responseElements: null,
  ...over,
});

const batchEvent = (r: Record<string, unknown>, category = 'Management'): BatchEvent =>
  ({ eventCategory: category, record: JSON.stringify(r) }) as unknown as BatchEvent;

const store = (over: Partial<RoutableStore> = {}): RoutableStore => ({
  id: 's',
  accountId: ACCOUNT,
  region: 'us-east-1',
  multiRegionEnabled: true,
  advancedEventSelectors: [],
  maxEventSize: 'Standard',
  contextKeySelectors: null,
  ...over,
});

describe('event configuration rules (spec §4.5)', () => {
  it('bounds context key selectors as CloudTrail does and spells condition keys canonically', () => {
    expect(
      validateContextKeySelectors([
        { Type: 'RequestContext', Equals: ['AWS:SOURCEIP', 'aws:principalorgid'] },
        { Type: 'TagContext', Equals: ['Team'] },
      ]),
    ).toEqual([
      { Type: 'RequestContext', Equals: ['aws:SourceIp', 'aws:PrincipalOrgID'] },
      { Type: 'TagContext', Equals: ['Team'] },
    ]);
    expect(validateContextKeySelectors([])).toEqual([]);
    const bad: unknown[] = [
      'x',
      [
        { Type: 'TagContext', Equals: ['a'] },
        { Type: 'RequestContext', Equals: ['aws:SourceIp'] },
        { Type: 'TagContext', Equals: ['b'] },
      ],
      [{ Type: 'Other', Equals: ['a'] }],
      [{ Type: 'TagContext' }],
      [{ Type: 'TagContext', Equals: [''] }],
      [{ Type: 'RequestContext', Equals: ['aws:SourceIp', 'AWS:SourceIp'] }],
      [{ Type: 'RequestContext', Equals: ['s3:prefix'] }],
    ];
    for (const input of bad)
      expect(() => validateContextKeySelectors(input)).toThrow(expect.objectContaining({ code: 'InvalidParameterException' }));
  });

  it('finds the ARNs a call involved, in resources and in its request and response', () => {
    const arns = involvedArns(
      record({
        resources: [{ ARN: `arn:aws:kms:us-east-1:${ACCOUNT}:key/k1` }, { ARN: 'arn:aws:s3:::no-account-bucket' }],
        responseElements: { trail: { trailARN: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/t` } },
      }),
    );
    expect(arns.sort()).toEqual(
      [`arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/t`, `arn:aws:kms:us-east-1:${ACCOUNT}:key/k1`, STORE_ARN].sort(),
    );
  });

  it('builds eventContext from the selected keys only, leaving out keys the request had no value for', () => {
    const selectors = validateContextKeySelectors([
      {
        Type: 'RequestContext',
        Equals: [
          'aws:PrincipalArn',
          'aws:PrincipalOrgID',
          'aws:MultiFactorAuthPresent',
          'aws:SecureTransport',
          'aws:username',
          'aws:EpochTime',
        ],
      },
      { Type: 'TagContext', Equals: ['team'] },
    ]);
    const resources = new Map([
      [
        STORE_ARN,
        [
          { Key: 'team', Value: 'lake' },
          { Key: 'secret', Value: 'x' },
        ],
      ],
    ]);
    expect(eventContextOf(record(), selectors, { resources, principalOrgId: 'o-abc123' })).toEqual({
      requestContext: {
        'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/Admin`,
        'aws:PrincipalOrgID': 'o-abc123',
        'aws:MultiFactorAuthPresent': 'true',
        'aws:SecureTransport': 'true',
        'aws:EpochTime': String(Date.parse('2026-11-20T12:00:00Z') / 1000),
      },
      tagContext: { resourceTags: [{ arn: STORE_ARN, tags: { team: 'lake' } }] },
    });
    expect(eventContextOf(record(), [{ Type: 'TagContext', Equals: ['nope'] }], { resources, principalOrgId: null })).toBeNull();
  });

  it('stores every routed event as recorded, and enriches only management and data events', () => {
    // Accepted into event history at up to 256 KB as submitted, a record a few fields longer once
    // normalised still goes into a Standard store (it used to be left out of it).
    const base = JSON.stringify(record({ requestParameters: { blob: '' } })).length;
    const full = record({ requestParameters: { blob: 'x'.repeat(MAX_EVENT_BYTES.Standard - base + 100) } });
    expect(JSON.stringify(full).length).toBe(MAX_EVENT_BYTES.Standard + 100);
    const small = record();
    const facts = { accountId: ACCOUNT, resources: new Map(), organizationId: null };
    const events = [batchEvent(full), batchEvent(small)];
    expect(storedRecords(store(), events, facts)).toEqual([JSON.stringify(full), JSON.stringify(small)]);
    expect(storedRecords(store({ maxEventSize: 'Large' }), events, facts)).toHaveLength(2);

    const enriching = store({ maxEventSize: 'Large', contextKeySelectors: [{ Type: 'RequestContext', Equals: ['aws:SourceIp'] }] });
    const [enriched] = storedRecords(enriching, [batchEvent(small)], facts).map((r) => JSON.parse(r));
    expect(enriched.eventContext).toEqual({ requestContext: { 'aws:SourceIp': '198.51.100.7' } });
    const network = storedRecords(enriching, [batchEvent(small, 'NetworkActivity')], facts).map((r) => JSON.parse(r));
    expect(network[0].eventContext).toBeUndefined();
    // Enrichment never costs an event: past the limit with its eventContext, it is stored without.
    const edgeBase = JSON.stringify(record({ requestParameters: { blob: '' } })).length;
    const edge = record({ requestParameters: { blob: 'x'.repeat(MAX_EVENT_BYTES.Large - edgeBase - 10) } });
    expect(JSON.stringify(edge).length).toBe(MAX_EVENT_BYTES.Large - 10);
    const [kept] = storedRecords(enriching, [batchEvent(edge)], facts).map((r) => JSON.parse(r));
    expect(kept.eventContext).toBeUndefined();
    // Another account's principal: no organization of ours is attached to it.
    const foreign = record({ userIdentity: { type: 'IAMUser', principalId: 'AIDA', accountId: '444455556666', userName: 'x' } });
    const orgStore = store({ maxEventSize: 'Large', contextKeySelectors: [{ Type: 'RequestContext', Equals: ['aws:PrincipalOrgID'] }] });
    expect(storedRecords(orgStore, [batchEvent(foreign)], { ...facts, organizationId: 'o-abc123' })).toEqual([JSON.stringify(foreign)]);
  });
});

describe('event configuration on the AWS face', () => {
  it("maps PutEventConfiguration's and GetEventConfiguration's shapes to the GraphQL operations and back", async () => {
    const operations = cloudTrailOperations(await buildOpenTrailSchema(), operationCatalog());
    const put = operations.get('PutEventConfiguration')!;
    expect(
      put.variables({ EventDataStore: 'eds', MaxEventSize: 'Large', ContextKeySelectors: [{ Type: 'TagContext', Equals: ['team'] }] }),
    ).toEqual({ input: { eventDataStore: 'eds', maxEventSize: 'Large', contextKeySelectors: [{ type: 'TagContext', equals: ['team'] }] } });
    expect(
      put.output({
        trailARN: null,
        eventDataStoreArn: STORE_ARN,
        maxEventSize: 'Large',
        contextKeySelectors: [{ type: 'TagContext', equals: ['team'] }],
        aggregationConfigurations: null,
      }),
    ).toEqual({ EventDataStoreArn: STORE_ARN, MaxEventSize: 'Large', ContextKeySelectors: [{ Type: 'TagContext', Equals: ['team'] }] });
    expect(operations.get('GetEventConfiguration')!.variables({ TrailName: 't' })).toEqual({ input: { trailName: 't' } });
  });
});
