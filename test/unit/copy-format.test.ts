import { arrayLiteral, copyField } from '../../src/events/copy-format';

describe('COPY text format', () => {
  it('escapes the characters COPY gives meaning to', () => {
    expect(copyField('a\tb\nc\rd\\e')).toBe('a\\tb\\nc\\rd\\\\e');
    expect(copyField(null)).toBe('\\N');
    expect(copyField('\\N')).toBe('\\\\N');
    expect(copyField(true)).toBe('true');
  });

  it('quotes array elements', () => {
    expect(arrayLiteral([])).toBe('{}');
    expect(arrayLiteral(['a', 'b "c"', 'd\\e', 'x,y', 'NULL'])).toBe('{"a","b \\"c\\"","d\\\\e","x,y","NULL"}');
  });
});
