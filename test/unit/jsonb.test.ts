import { jsonbSafe, jsonbStorable } from '../../src/common/jsonb';

describe('JSON that jsonb can store', () => {
  it.each([
    [JSON.stringify({ a: 'x\u0000' }), false],
    [JSON.stringify({ a: 'x\ud800' }), false],
    [JSON.stringify({ a: '\udc00y' }), false],
    [JSON.stringify({ a: '😀 é' }), true],
    ['{"a":"\\ud83d\\ude00"}', true], // an escaped pair is fine
    ['{"a":"\\\\u0000"}', true], // a backslash, then the text u0000
    ['{"a":"\\\\\\u0000"}', false], // a backslash, then a NUL
    ['{"a":"\\u00e9"}', true],
  ])('%s → %s (as PostgreSQL decides)', (text, storable) => {
    expect(jsonbStorable(text)).toBe(storable);
  });

  it('replaces what jsonb refuses, keeping the rest', () => {
    const safe = jsonbSafe(JSON.stringify({ a: 'x\u0000y\ud800', b: '😀' }));
    expect(jsonbStorable(safe)).toBe(true);
    expect(JSON.parse(safe)).toEqual({ a: 'x\ufffdy\ufffd', b: '😀' });
  });
});
