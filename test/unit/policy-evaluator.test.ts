import { evaluate, trustAllows, wildcardMatch } from '../../src/policies/policy-evaluator';
import type { PolicyDocument, PolicyStatement } from '../../src/policies/policy-document';

const doc = (...Statement: PolicyStatement[]): PolicyDocument => ({ Version: '2012-10-17', Statement });
const TRAIL = 'arn:aws:cloudtrail:us-east-1:111111111111:trail/Main';

describe('wildcardMatch', () => {
  it('matches * as any run and ? as exactly one character', () => {
    expect(wildcardMatch('cloudtrail:Get*', 'cloudtrail:GetTrail', false)).toBe(true);
    expect(wildcardMatch('cloudtrail:Get*', 'cloudtrail:Get', false)).toBe(true);
    expect(wildcardMatch('cloudtrail:Ge?Trail', 'cloudtrail:GetTrail', false)).toBe(true);
    expect(wildcardMatch('cloudtrail:Ge?Trail', 'cloudtrail:GeTrail', false)).toBe(false);
    expect(wildcardMatch('arn:aws:iam::*:user/*', 'arn:aws:iam::1:user/path/bob', false)).toBe(true);
  });

  it('treats regex metacharacters literally', () => {
    expect(wildcardMatch('a.b', 'axb', false)).toBe(false);
    expect(wildcardMatch('a+(b)', 'a+(b)', false)).toBe(true);
    expect(wildcardMatch('[ab]', 'a', false)).toBe(false);
  });

  it('is anchored at both ends', () => {
    expect(wildcardMatch('cloudtrail:Get', 'cloudtrail:GetTrail', false)).toBe(false);
    expect(wildcardMatch('Trail', 'cloudtrail:GetTrail', false)).toBe(false);
  });

  it('matches several stars, stars at the ends and case-insensitively', () => {
    expect(wildcardMatch('*a*b*c*', 'xxaxxbxxcxx', false)).toBe(true);
    expect(wildcardMatch('*a*b*c*', 'xxaxxcxxbxx', false)).toBe(false);
    expect(wildcardMatch('**', '', false)).toBe(true);
    expect(wildcardMatch('a*', '', false)).toBe(false);
    expect(wildcardMatch('*ab', 'aab', false)).toBe(true);
    expect(wildcardMatch('CloudTrail:get*', 'cloudtrail:GetTrail', true)).toBe(true);
    expect(wildcardMatch('CloudTrail:get*', 'cloudtrail:GetTrail', false)).toBe(false);
    expect(wildcardMatch('a?c', 'a\nc', false)).toBe(true);
  });

  it("answers a tenant's backtracking pattern at once (it froze the event loop as a regex)", () => {
    // As a policy sent it: Resource arn:aws:s3:::evil/*a*a*…X against a 5,000-character key.
    const pattern = `arn:aws:s3:::evil/${'*a'.repeat(40)}X`;
    expect(wildcardMatch(pattern, `arn:aws:s3:::evil/${'a'.repeat(5000)}`, false)).toBe(false);
    expect(wildcardMatch(pattern, `arn:aws:s3:::evil/${'a'.repeat(5000)}X`, false)).toBe(true);
  });
});

describe('evaluate', () => {
  it('denies by default when no statement applies', () => {
    expect(evaluate([], 'cloudtrail:CreateTrail', TRAIL)).toBe('ImplicitDeny');
    expect(evaluate([doc({ Effect: 'Allow', Action: ['s3:*'], Resource: ['*'] })], 'cloudtrail:CreateTrail', TRAIL)).toBe('ImplicitDeny');
  });

  it('allows matching wildcard actions and resources', () => {
    const p = doc({ Effect: 'Allow', Action: ['cloudtrail:Create*'], Resource: ['arn:aws:cloudtrail:*:111111111111:trail/*'] });
    expect(evaluate([p], 'cloudtrail:CreateTrail', TRAIL)).toBe('Allow');
    expect(evaluate([p], 'cloudtrail:DeleteTrail', TRAIL)).toBe('ImplicitDeny');
    expect(evaluate([p], 'cloudtrail:CreateTrail', 'arn:aws:cloudtrail:us-east-1:222222222222:trail/Main')).toBe('ImplicitDeny');
  });

  it('matches actions case-insensitively but resources case-sensitively', () => {
    const p = doc({ Effect: 'Allow', Action: ['CLOUDTRAIL:createtrail'], Resource: [TRAIL] });
    expect(evaluate([p], 'cloudtrail:CreateTrail', TRAIL)).toBe('Allow');
    expect(evaluate([p], 'cloudtrail:CreateTrail', TRAIL.replace('Main', 'main'))).toBe('ImplicitDeny');
  });

  it('lets an explicit deny win over any allow, in any order', () => {
    const allow = doc({ Effect: 'Allow', Action: ['*'], Resource: ['*'] });
    const deny = doc({ Effect: 'Deny', Action: ['cloudtrail:DeleteTrail'], Resource: ['*'] });
    expect(evaluate([allow, deny], 'cloudtrail:DeleteTrail', TRAIL)).toBe('ExplicitDeny');
    expect(evaluate([deny, allow], 'cloudtrail:DeleteTrail', TRAIL)).toBe('ExplicitDeny');
    expect(evaluate([allow, deny], 'cloudtrail:GetTrail', TRAIL)).toBe('Allow');
  });

  it('applies NotAction to every action except those listed', () => {
    const p = doc({ Effect: 'Allow', NotAction: ['iam:*'], Resource: ['*'] });
    expect(evaluate([p], 'cloudtrail:CreateTrail', TRAIL)).toBe('Allow');
    expect(evaluate([p], 'iam:CreateUser', 'arn:aws:iam::1:user/x')).toBe('ImplicitDeny');
    const denyAllButReads = doc({ Effect: 'Deny', NotAction: ['cloudtrail:Get*'], Resource: ['*'] });
    expect(evaluate([p, denyAllButReads], 'cloudtrail:GetTrail', TRAIL)).toBe('Allow');
    expect(evaluate([p, denyAllButReads], 'cloudtrail:CreateTrail', TRAIL)).toBe('ExplicitDeny');
  });

  it('applies NotResource to every resource except those listed', () => {
    const p = doc({ Effect: 'Allow', Action: ['cloudtrail:*'], NotResource: ['arn:aws:cloudtrail:*:*:trail/Secret*'] });
    expect(evaluate([p], 'cloudtrail:GetTrail', TRAIL)).toBe('Allow');
    expect(evaluate([p], 'cloudtrail:GetTrail', 'arn:aws:cloudtrail:us-east-1:111111111111:trail/SecretTrail')).toBe('ImplicitDeny');
  });
});

describe('trustAllows', () => {
  const trust = (principal: PolicyStatement['Principal'], effect: 'Allow' | 'Deny' = 'Allow', action = ['sts:AssumeRole']) =>
    doc({ Effect: effect, Principal: principal, Action: action });

  it('trusts every principal of an account named by its root ARN or bare id', () => {
    expect(trustAllows(trust({ AWS: ['arn:aws:iam::111111111111:root'] }), 'arn:aws:iam::111111111111:user/alice', '111111111111')).toBe(
      true,
    );
    expect(trustAllows(trust({ AWS: ['111111111111'] }), 'arn:aws:iam::111111111111:user/alice', '111111111111')).toBe(true);
    expect(trustAllows(trust({ AWS: ['arn:aws:iam::111111111111:root'] }), 'arn:aws:iam::222222222222:user/alice', '222222222222')).toBe(
      false,
    );
  });

  it('trusts a specific principal ARN (wildcards allowed) and nobody else', () => {
    const t = trust({ AWS: ['arn:aws:iam::111111111111:user/ops-*'] });
    expect(trustAllows(t, 'arn:aws:iam::111111111111:user/ops-bob', '111111111111')).toBe(true);
    expect(trustAllows(t, 'arn:aws:iam::111111111111:user/dev-bob', '111111111111')).toBe(false);
  });

  it('requires the statement to cover sts:AssumeRole', () => {
    expect(
      trustAllows(trust({ AWS: ['111111111111'] }, 'Allow', ['sts:TagSession']), 'arn:aws:iam::111111111111:user/a', '111111111111'),
    ).toBe(false);
    expect(trustAllows(trust({ AWS: ['111111111111'] }, 'Allow', ['sts:*']), 'arn:aws:iam::111111111111:user/a', '111111111111')).toBe(
      true,
    );
  });

  it('lets a Deny statement override a trusting one', () => {
    const t = doc(
      { Effect: 'Allow', Principal: '*', Action: ['sts:AssumeRole'] },
      { Effect: 'Deny', Principal: { AWS: ['arn:aws:iam::111111111111:user/mallory'] }, Action: ['sts:AssumeRole'] },
    );
    expect(trustAllows(t, 'arn:aws:iam::111111111111:user/alice', '111111111111')).toBe(true);
    expect(trustAllows(t, 'arn:aws:iam::111111111111:user/mallory', '111111111111')).toBe(false);
  });

  it('does not trust service principals as AWS principals', () => {
    expect(trustAllows(trust({ Service: ['cloudtrail.amazonaws.com'] }), 'arn:aws:iam::111111111111:user/a', '111111111111')).toBe(false);
  });
});
