import { OpenTrailError } from '../../src/common/errors';
import type { Caller } from '../../src/common/request-context';
import { accessDenial, authorize } from '../../src/policies/authorize';
import type { PolicyDocument, PolicyStatement } from '../../src/policies/policy-document';

const doc = (...Statement: PolicyStatement[]): PolicyDocument => ({ Version: '2012-10-17', Statement });
const TRAIL = 'arn:aws:cloudtrail:us-east-1:111111111111:trail/Main';
const ARN = 'arn:aws:iam::111111111111:user/alice';

const caller = (...policies: PolicyDocument[]): { caller: Caller } => ({
  caller: {
    identity: { type: 'IAMUser', principalId: 'AIDA', arn: ARN, accountId: '111111111111', accessKeyId: 'AKIA', userName: 'alice' },
    accountId: '111111111111',
    organizationId: null,
    policies,
    principalRef: { kind: 'user', id: 'u1' },
    sourceAccessKeyId: 'AKIA',
  },
});

const denialOf = (fn: () => void): OpenTrailError => {
  try {
    fn();
  } catch (err) {
    return err as OpenTrailError;
  }
  throw new Error('expected a denial');
};

describe('authorize', () => {
  it('passes what identity policies allow and denies by default, naming caller, action and resource', () => {
    const reader = caller(doc({ Effect: 'Allow', Action: ['cloudtrail:Get*'], Resource: ['*'] }));
    expect(() => authorize(reader, 'cloudtrail:GetTrail', TRAIL)).not.toThrow();
    const err = denialOf(() => authorize(reader, 'cloudtrail:DeleteTrail', TRAIL));
    expect(err).toBeInstanceOf(OpenTrailError);
    expect(err.code).toBe('AccessDeniedException');
    expect(err.message).toBe(`User: ${ARN} is not authorized to perform: cloudtrail:DeleteTrail on resource: ${TRAIL}`);
  });

  it('lets an explicit Deny win over an Allow', () => {
    const denied = caller(
      doc({ Effect: 'Allow', Action: ['*'], Resource: ['*'] }),
      doc({ Effect: 'Deny', Action: ['cloudtrail:StartQuery'], Resource: [TRAIL] }),
    );
    expect(accessDenial(denied, 'cloudtrail:StartQuery', TRAIL)?.code).toBe('AccessDeniedException');
    expect(accessDenial(denied, 'cloudtrail:GetTrail', TRAIL)).toBeNull();
  });

  it('takes a service decision and wording in place of IAM (KMS key policies)', () => {
    const admin = caller(doc({ Effect: 'Allow', Action: ['*'], Resource: ['*'] }));
    const denied = (action: string, resource: string, who: string) =>
      new OpenTrailError('AccessDeniedException', `${who}|${action}|${resource}`, 403);
    const err = denialOf(() => authorize(admin, 'kms:Decrypt', 'key', { allows: () => false, denied }));
    expect(err.message).toBe(`${ARN}|kms:Decrypt|key`);
    expect(() => authorize(caller(), 'kms:Decrypt', 'key', { allows: (c) => c.accountId === '111111111111' })).not.toThrow();
  });
});
