import {
  evaluateResourcePolicy,
  type ResourcePolicy,
  type ResourcePolicyStatement,
  type ServiceSource,
} from '../../src/policies/resource-policy';

/**
 * The confused-deputy rule of resource policies (resource-policy.ts namesSource): evaluated bound to
 * a source, an Allow counts only from a statement whose positive source condition pins that account
 * or organization; wildcards over the account, names a tenant can choose and negations pin nothing.
 */
const A = '111122223333';
const ORG = 'o-aaaabbbb11';
const TRAIL = `arn:aws:cloudtrail:us-east-1:${A}:trail/Main`;
const source: ServiceSource = { accountId: A, organizationId: ORG };

type Conditions = Record<string, Record<string, string | string[]>>;
const lists = (c: Conditions): ResourcePolicyStatement['Condition'] =>
  Object.fromEntries(
    Object.entries(c).map(([op, block]) => [
      op,
      Object.fromEntries(Object.entries(block).map(([k, v]) => [k, Array.isArray(v) ? v : [v]])),
    ]),
  );
const policy = (condition?: Conditions): ResourcePolicy => ({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { Service: ['cloudtrail.amazonaws.com'] },
      Action: ['s3:PutObject'],
      Resource: ['arn:aws:s3:::b/*'],
      ...(condition ? { Condition: lists(condition) } : {}),
    },
  ],
});
const request = (context: Record<string, string> = {}) => ({
  principal: { service: 'cloudtrail.amazonaws.com' },
  action: 's3:PutObject',
  resource: 'arn:aws:s3:::b/AWSLogs/999988887777/x',
  context: { 'aws:SourceAccount': A, 'aws:SourceArn': TRAIL, 'aws:SourceOrgID': ORG, ...context },
});
const bound = (p: ResourcePolicy, context?: Record<string, string>) => evaluateResourcePolicy(p, request(context), { boundTo: source });

describe('resource policies bound to a service source', () => {
  it('a grant to the service alone (the README policy before) allows unbound and grants nothing bound', () => {
    expect(evaluateResourcePolicy(policy(), request())).toBe('Allow');
    expect(bound(policy())).toBe('ImplicitDeny');
    expect(
      bound(policy({ StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' } }), { 's3:x-amz-acl': 'bucket-owner-full-control' }),
    ).toBe('ImplicitDeny');
  });

  it('aws:SourceAccount, aws:SourceArn (exact or with the account pinned), aws:SourceOrgID and the CloudTrail encryption context name the source', () => {
    expect(bound(policy({ StringEquals: { 'aws:SourceAccount': A } }))).toBe('Allow');
    expect(bound(policy({ StringEquals: { 'aws:SourceArn': TRAIL } }))).toBe('Allow');
    expect(bound(policy({ ArnLike: { 'aws:SourceArn': `arn:aws:cloudtrail:*:${A}:trail/*` } }))).toBe('Allow');
    expect(bound(policy({ StringEquals: { 'aws:SourceOrgID': ORG } }))).toBe('Allow');
    expect(
      bound(policy({ StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': `arn:aws:cloudtrail:*:${A}:trail/*` } }), {
        'kms:EncryptionContext:aws:cloudtrail:arn': TRAIL,
      }),
    ).toBe('Allow');
    // Several accounts named, the source among them.
    expect(bound(policy({ StringEquals: { 'aws:SourceAccount': ['444455556666', A] } }))).toBe('Allow');
  });

  it('conditions that any tenant meets name nobody', () => {
    expect(bound(policy({ StringLike: { 'aws:SourceAccount': '*' } }))).toBe('ImplicitDeny');
    expect(bound(policy({ StringLike: { 'aws:SourceAccount': '1111222233?3' } }))).toBe('ImplicitDeny');
    expect(bound(policy({ StringLike: { 'aws:SourceAccount': '11112222*' } }))).toBe('ImplicitDeny');
    expect(bound(policy({ ArnLike: { 'aws:SourceArn': 'arn:aws:cloudtrail:*:*:trail/*' } }))).toBe('ImplicitDeny');
    // A trail name is the requester's choice.
    expect(bound(policy({ ArnLike: { 'aws:SourceArn': 'arn:aws:cloudtrail:*:*:trail/Main' } }))).toBe('ImplicitDeny');
    expect(bound(policy({ StringLike: { 'aws:SourceOrgID': 'o-*' } }))).toBe('ImplicitDeny');
    expect(bound(policy({ StringNotEquals: { 'aws:SourceAccount': '444455556666' } }))).toBe('ImplicitDeny');
    expect(bound(policy({ StringEqualsIfExists: { 'aws:SourceAccount': A } }))).toBe('ImplicitDeny');
    // Naming the account elsewhere (a key the requester controls) is no source condition.
    expect(bound(policy({ StringEquals: { 'aws:PrincipalAccount': A } }), { 'aws:PrincipalAccount': A })).toBe('ImplicitDeny');
  });

  it('naming another account or organization does not grant, and a Deny still wins bound', () => {
    expect(bound(policy({ StringEquals: { 'aws:SourceAccount': '444455556666' } }))).toBe('ImplicitDeny');
    expect(bound(policy({ StringEquals: { 'aws:SourceOrgID': 'o-ccccdddd22' } }))).toBe('ImplicitDeny');
    const both: ResourcePolicy = {
      Version: '2012-10-17',
      Statement: [
        ...policy({ StringEquals: { 'aws:SourceAccount': A } }).Statement,
        { Effect: 'Deny', Principal: '*', Action: ['s3:PutObject'], Resource: ['*'] },
      ],
    };
    expect(bound(both)).toBe('ExplicitDeny');
  });
});
