import { OpenTrailError } from '../../src/common/errors';
import { parsePolicyDocument } from '../../src/policies/policy-document';

function malformed(input: unknown, trustPolicy = false): string {
  try {
    parsePolicyDocument(input, { trustPolicy });
  } catch (err) {
    expect(err).toBeInstanceOf(OpenTrailError);
    expect((err as OpenTrailError).code).toBe('MalformedPolicyDocumentException');
    return (err as OpenTrailError).message;
  }
  throw new Error(`expected ${JSON.stringify(input)} to be rejected`);
}

const allowAll = { Effect: 'Allow', Action: '*', Resource: '*' };

describe('parsePolicyDocument', () => {
  it('normalises single strings and a single statement into lists', () => {
    const doc = parsePolicyDocument(JSON.stringify({ Version: '2012-10-17', Statement: allowAll }));
    expect(doc.Statement).toEqual([{ Effect: 'Allow', Action: ['*'], Resource: ['*'] }]);
  });

  it('parses a trust policy with a Principal', () => {
    const doc = parsePolicyDocument(
      {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:root' }, Action: 'sts:AssumeRole' }],
      },
      { trustPolicy: true },
    );
    expect(doc.Statement[0].Principal).toEqual({ AWS: ['arn:aws:iam::111111111111:root'], Service: undefined });
  });

  it.each([
    ['not JSON', '{"Version": '],
    ['a JSON array', '[]'],
    ['a JSON string', '"x"'],
    ['null', 'null'],
    ['an unknown version', { Version: '2020-01-01', Statement: [allowAll] }],
    ['no statements', { Version: '2012-10-17', Statement: [] }],
    ['a missing Statement', { Version: '2012-10-17' }],
    ['a bad Effect', { Statement: [{ ...allowAll, Effect: 'Permit' }] }],
    ['a lower-case effect', { Statement: [{ ...allowAll, Effect: 'allow' }] }],
    ['neither Action nor NotAction', { Statement: [{ Effect: 'Allow', Resource: '*' }] }],
    ['both Action and NotAction', { Statement: [{ ...allowAll, NotAction: 'iam:*' }] }],
    ['neither Resource nor NotResource', { Statement: [{ Effect: 'Allow', Action: '*' }] }],
    ['both Resource and NotResource', { Statement: [{ ...allowAll, NotResource: 'x' }] }],
    ['an empty Action list', { Statement: [{ ...allowAll, Action: [] }] }],
    ['a non-string action', { Statement: [{ ...allowAll, Action: [42] }] }],
    ['an action without service prefix', { Statement: [{ ...allowAll, Action: 'CreateTrail' }] }],
    ['a Condition', { Statement: [{ ...allowAll, Condition: { Bool: { 'aws:SecureTransport': 'true' } } }] }],
    ['an unknown field', { Statement: [{ ...allowAll, Effects: 'Allow' }] }],
    ['a Principal in an identity policy', { Statement: [{ ...allowAll, Principal: '*' }] }],
    ['a statement that is not an object', { Statement: ['Allow'] }],
    ['a document over 10240 characters', JSON.stringify({ Statement: [allowAll], Sid: 'x'.repeat(10_300) })],
  ])('rejects %s', (_label, input) => {
    expect(malformed(input).length).toBeGreaterThan(0);
  });

  it.each([
    ['a missing Principal', { Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole' }] }],
    ['an unsupported principal type', { Statement: [{ Effect: 'Allow', Principal: { Federated: 'x' }, Action: 'sts:AssumeRole' }] }],
    ['a Principal that is a bare string', { Statement: [{ Effect: 'Allow', Principal: 'arn:aws:iam::1:root', Action: 'sts:AssumeRole' }] }],
    ['an empty principal list', { Statement: [{ Effect: 'Allow', Principal: { AWS: [] }, Action: 'sts:AssumeRole' }] }],
  ])('rejects a trust policy with %s', (_label, input) => {
    expect(malformed(input, true).length).toBeGreaterThan(0);
  });

  it('names the offending statement', () => {
    expect(malformed({ Statement: [allowAll, { Effect: 'Maybe', Action: '*', Resource: '*' }] })).toMatch(/Statement 1/);
  });
});

describe('policy documents with a key named twice', () => {
  it.each([
    [
      'Effect in a statement',
      '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Effect":"Allow","Action":"*","Resource":"*"}]}',
      'Effect',
      '$.Statement[0]',
    ],
    [
      'Statement at the top level',
      '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}],"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}',
      'Statement',
      '$',
    ],
    [
      'an escaped spelling of Effect',
      '{"Statement":{"Effect":"Deny","Eff\\u0065ct":"Allow","Action":"*","Resource":"*"}}',
      'Effect',
      '$.Statement',
    ],
    [
      'Resource',
      '{"Statement":{"Effect":"Allow","Action":"*","Resource":"arn:aws:cloudtrail:*:111111111111:trail/a","Resource":"*"}}',
      'Resource',
      '$.Statement',
    ],
  ])('refuses %s as MalformedPolicyDocumentException instead of keeping the last value', (_what, text, key, path) => {
    expect(() => JSON.parse(text)).not.toThrow(); // JSON.parse alone accepts it and keeps the last value
    expect(malformed(text)).toBe(`Syntax errors in policy: the key "${key}" appears more than once in the object at ${path}`);
  });

  it('refuses a duplicate inside a trust policy Principal', () => {
    const text =
      '{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root","AWS":"*"},"Action":"sts:AssumeRole"}]}';
    expect(malformed(text, true)).toContain('"AWS" appears more than once in the object at $.Statement[0].Principal');
  });
});
