import { findDuplicateKey, parseStrictJson } from '../../src/policies/strict-json';

describe('parseStrictJson', () => {
  it('returns what JSON.parse returns for documents without repeated keys', () => {
    const text = '{"a":{"b":[1,{"c":"}{[],:\\"x"}],"d":null},"e":"\\u0041","f":[{"a":1},{"a":2}]}';
    expect(parseStrictJson(text)).toEqual({ value: JSON.parse(text) });
  });

  it('refuses a key repeated at the top level', () => {
    expect(parseStrictJson('{"Version":"2012-10-17","Version":"2008-10-17"}')).toEqual({
      error: 'duplicate',
      duplicate: { key: 'Version', path: '$' },
    });
  });

  it('refuses the Deny-then-Allow statement and names where it is', () => {
    const text =
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Effect":"Allow","Action":"*","Resource":"*"}]}';
    expect(parseStrictJson(text)).toEqual({ error: 'duplicate', duplicate: { key: 'Effect', path: '$.Statement[1]' } });
  });

  it('refuses duplicates nested deep inside objects and arrays', () => {
    const text = '{"Statement":[{"Condition":{"StringEquals":{"aws:SourceAccount":"1","aws:SourceAccount":"2"}}}]}';
    expect(findDuplicateKey(text)).toEqual({ key: 'aws:SourceAccount', path: '$.Statement[0].Condition.StringEquals' });
  });

  it.each([
    ['a unicode escape', '{"Effect":"Deny","Eff\\u0065ct":"Allow"}'],
    ['an upper-case unicode escape', '{"Effect":"Deny","\\u0045\\u0066fect":"Allow"}'],
    ['an escaped solidus', '{"a/b":1,"a\\/b":2}'],
    ['a surrogate pair against the literal character', '{"😀":1,"\\ud83d\\ude00":2}'],
  ])('compares keys after decoding escapes: %s', (_what, text) => {
    expect(parseStrictJson(text)).toMatchObject({ error: 'duplicate' });
  });

  it('does not take strings that look like keys, or the same key in sibling objects, for duplicates', () => {
    expect(findDuplicateKey('{"a":"\\"a\\":1,","b":["a","a"],"c":{"a":1},"d":{"a":1}}')).toBeNull();
    expect(findDuplicateKey('{"Effect":"Effect"}')).toBeNull();
    expect(findDuplicateKey('[{"k":1},{"k":1}]')).toBeNull();
    expect(findDuplicateKey('{"a":"x\\\\","a":"y"}')).toEqual({ key: 'a', path: '$' });
  });

  it('treats keys that differ only in case as different, as JSON does', () => {
    expect(findDuplicateKey('{"Effect":"Deny","effect":"Allow"}')).toBeNull();
  });

  it('reports invalid JSON as a syntax error', () => {
    expect(parseStrictJson('{"a":1,}')).toEqual({ error: 'syntax' });
    expect(parseStrictJson('{"a":1')).toEqual({ error: 'syntax' });
  });

  it('handles large and deeply nested documents', () => {
    const wide: Record<string, number> = {};
    for (let i = 0; i < 50_000; i++) wide[`key-${i}`] = i;
    const text = JSON.stringify(wide);
    expect(parseStrictJson(text)).toEqual({ value: wide });
    expect(findDuplicateKey(`${text.slice(0, -1)},"key-49999":0}`)).toEqual({ key: 'key-49999', path: '$' });
    // Far deeper than a recursive scanner's stack would allow.
    const depth = 100_000;
    const deep = `${'{"a":['.repeat(depth)}1${']}'.repeat(depth)}`;
    expect(findDuplicateKey(deep)).toBeNull();
    const deepDuplicate = `${'[{"a":'.repeat(1000)}{"x":1,"x":2}${'}]'.repeat(1000)}`;
    expect(findDuplicateKey(deepDuplicate)).toEqual({ key: 'x', path: `$${'[0].a'.repeat(1000)}` });
  });
});
