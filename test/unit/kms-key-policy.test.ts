import type { Caller } from '../../src/common/request-context';
import { parseKeyArn, parseKeyId } from '../../src/kms/key-ids';
import { defaultKeyPolicy, keyPolicyAllows, parseKeyPolicy } from '../../src/kms/key-policy';
import type { PolicyDocument } from '../../src/policies/policy-document';

const OWNER = '111122223333';
const OTHER = '444455556666';
const KEY_ID = '0f0e0d0c-0b0a-4908-8706-050403020100';
const key = { arn: `arn:aws:kms:us-east-1:${OWNER}:key/${KEY_ID}`, accountId: OWNER };

function caller(accountId: string, userName: string, policies: PolicyDocument[] = []): { caller: Caller } {
  return {
    caller: {
      identity: {
        type: 'IAMUser',
        principalId: 'AIDA',
        arn: `arn:aws:iam::${accountId}:user/${userName}`,
        accountId,
        accessKeyId: 'ASIA',
        userName,
      },
      accountId,
      organizationId: null,
      policies,
      principalRef: { kind: 'user', id: 'x' },
      sourceAccessKeyId: 'AKIA',
    },
  };
}
const allowIam = (action: string, resource = '*'): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: [action], Resource: [resource] }],
});
const denyIam = (action: string): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Deny', Action: [action], Resource: ['*'] }],
});
const policy = (...statements: unknown[]) => parseKeyPolicy(JSON.stringify({ Version: '2012-10-17', Statement: statements })).policy;

describe('key policies: KMS authorization = key policy AND IAM', () => {
  const byDefault = parseKeyPolicy(JSON.stringify(defaultKeyPolicy(OWNER))).policy;

  it('the default policy delegates to IAM in the owner account', () => {
    expect(keyPolicyAllows(byDefault, key, caller(OWNER, 'alice', [allowIam('kms:Decrypt', key.arn)]), 'kms:Decrypt')).toBe(true);
    expect(
      keyPolicyAllows(
        byDefault,
        key,
        caller(OWNER, 'alice', [allowIam('kms:Decrypt', 'arn:aws:kms:us-east-1:111122223333:key/other')]),
        'kms:Decrypt',
      ),
    ).toBe(false);
    expect(keyPolicyAllows(byDefault, key, caller(OWNER, 'bob'), 'kms:Decrypt')).toBe(false);
    // Another account's IAM admin gets nothing from this account's root statement.
    expect(keyPolicyAllows(byDefault, key, caller(OTHER, 'admin', [allowIam('kms:*')]), 'kms:Decrypt')).toBe(false);
    // The service is not the account.
    expect(keyPolicyAllows(byDefault, key, { service: 'cloudtrail.amazonaws.com' }, 'kms:GenerateDataKey')).toBe(false);
  });

  it('a principal named in the policy needs no IAM grant in the owner account, but an IAM Deny still wins', () => {
    const p = policy({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OWNER}:user/alice` }, Action: 'kms:Decrypt', Resource: '*' });
    expect(keyPolicyAllows(p, key, caller(OWNER, 'alice'), 'kms:Decrypt')).toBe(true);
    expect(keyPolicyAllows(p, key, caller(OWNER, 'alice'), 'kms:Encrypt')).toBe(false);
    expect(keyPolicyAllows(p, key, caller(OWNER, 'alice', [denyIam('kms:*')]), 'kms:Decrypt')).toBe(false);
    expect(keyPolicyAllows(p, key, caller(OWNER, 'bob', [allowIam('kms:*')]), 'kms:Decrypt')).toBe(false);
  });

  it('cross-account use needs both the key policy and the caller account IAM', () => {
    const p = policy({ Effect: 'Allow', Principal: { AWS: OTHER }, Action: 'kms:Decrypt', Resource: '*' });
    expect(keyPolicyAllows(p, key, caller(OTHER, 'reader'), 'kms:Decrypt')).toBe(false);
    expect(keyPolicyAllows(p, key, caller(OTHER, 'reader', [allowIam('kms:Decrypt')]), 'kms:Decrypt')).toBe(true);
  });

  it('an explicit Deny in the key policy wins over everything', () => {
    const p = policy(
      { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OWNER}:root` }, Action: 'kms:*', Resource: '*' },
      {
        Effect: 'Deny',
        Principal: '*',
        Action: 'kms:Decrypt',
        Resource: '*',
        Condition: { StringNotEquals: { 'kms:EncryptionContext:aws:cloudtrail:arn': 'arn:aws:cloudtrail:us-east-1:111122223333:trail/t' } },
      },
    );
    const admin = caller(OWNER, 'admin', [allowIam('kms:*')]);
    expect(
      keyPolicyAllows(p, key, admin, 'kms:Decrypt', {
        'kms:EncryptionContext:aws:cloudtrail:arn': 'arn:aws:cloudtrail:us-east-1:111122223333:trail/t',
      }),
    ).toBe(true);
    expect(
      keyPolicyAllows(p, key, admin, 'kms:Decrypt', {
        'kms:EncryptionContext:aws:cloudtrail:arn': 'arn:aws:cloudtrail:us-east-1:111122223333:trail/other',
      }),
    ).toBe(false);
    expect(keyPolicyAllows(p, key, admin, 'kms:Decrypt')).toBe(false);
  });

  it("CloudTrail's statement: GenerateDataKey* for this account's trails only", () => {
    const p = policy({
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 'kms:GenerateDataKey*',
      Resource: '*',
      Condition: { StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': `arn:aws:cloudtrail:*:${OWNER}:trail/*` } },
    });
    const ct = { service: 'cloudtrail.amazonaws.com' };
    expect(
      keyPolicyAllows(p, key, ct, 'kms:GenerateDataKey', {
        'kms:EncryptionContext:aws:cloudtrail:arn': `arn:aws:cloudtrail:us-east-1:${OWNER}:trail/x`,
      }),
    ).toBe(true);
    expect(
      keyPolicyAllows(p, key, ct, 'kms:GenerateDataKey', {
        'kms:EncryptionContext:aws:cloudtrail:arn': `arn:aws:cloudtrail:us-east-1:${OTHER}:trail/x`,
      }),
    ).toBe(false);
    expect(keyPolicyAllows(p, key, ct, 'kms:GenerateDataKey')).toBe(false);
    expect(
      keyPolicyAllows(p, key, ct, 'kms:Decrypt', {
        'kms:EncryptionContext:aws:cloudtrail:arn': `arn:aws:cloudtrail:us-east-1:${OWNER}:trail/x`,
      }),
    ).toBe(false);
    expect(
      keyPolicyAllows(p, key, { service: 'logs.amazonaws.com' }, 'kms:GenerateDataKey', {
        'kms:EncryptionContext:aws:cloudtrail:arn': `arn:aws:cloudtrail:us-east-1:${OWNER}:trail/x`,
      }),
    ).toBe(false);
  });

  it.each([
    ['not json', '{'],
    ['not an object', '[]'],
    ['no statements', '{"Version":"2012-10-17","Statement":[]}'],
    ['a non-KMS action', JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '*' }] })],
    ['no principal', JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] })],
    ['a bad principal', JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { AWS: 'root' }, Action: 'kms:*', Resource: '*' }] })],
    [
      'an unsupported operator',
      JSON.stringify({
        Statement: [{ Effect: 'Allow', Principal: '*', Action: 'kms:*', Resource: '*', Condition: { NumericLessThan: { a: '1' } } }],
      }),
    ],
    ['an unknown field', JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: '*', Action: 'kms:*', Resource: '*', Extra: 1 }] })],
    ['Effect named twice', '{"Statement":[{"Effect":"Deny","Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"}]}'],
    [
      'a condition key named twice',
      '{"Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*","Condition":{"StringEquals":{"kms:CallerAccount":"111111111111","kms:CallerAccount":"222222222222"}}}]}',
    ],
    [
      'over 32 KB',
      JSON.stringify({ Statement: [{ Sid: 'x'.repeat(33_000), Effect: 'Allow', Principal: '*', Action: 'kms:*', Resource: '*' }] }),
    ],
  ])('rejects %s with MalformedPolicyDocumentException', (_what, text) => {
    expect(() => parseKeyPolicy(text)).toThrow(expect.objectContaining({ code: 'MalformedPolicyDocumentException' }));
  });
});

describe('key ids', () => {
  it('accepts a key id or key ARN; aliases and malformed ids are not found; malformed ARNs are InvalidArnException', () => {
    expect(parseKeyId(KEY_ID, 'eu-west-1', OWNER)).toEqual({
      accountId: OWNER,
      region: 'eu-west-1',
      keyId: KEY_ID,
      arn: `arn:aws:kms:eu-west-1:${OWNER}:key/${KEY_ID}`,
    });
    expect(parseKeyId(key.arn, 'eu-west-1', OTHER)).toMatchObject({ accountId: OWNER, region: 'us-east-1', keyId: KEY_ID });
    for (const bad of [
      '',
      'x',
      `${KEY_ID}x`,
      'alias/foo',
      `arn:aws:kms:us-east-1:${OWNER}:alias/foo`,
      `arn:aws:kms:us-east-1:${OWNER}:key/not-a-uuid`,
    ]) {
      expect(() => parseKeyId(bad, 'us-east-1', OWNER)).toThrow(expect.objectContaining({ code: 'NotFoundException' }));
    }
    for (const bad of ['arn:aws:kms:us-east-1:1234:key/x', 'arn:aws:s3:::bucket']) {
      expect(() => parseKeyId(bad, 'us-east-1', OWNER)).toThrow(expect.objectContaining({ code: 'InvalidArnException' }));
    }
    expect(parseKeyArn(`arn:aws:kms:us-east-1:${OWNER}:alias/foo`)).toBeNull();
  });
});
