import { rangeOf } from '../../src/aws/s3-objects';
import { urlEncodeKey } from '../../src/aws/s3-xml';

describe("S3 GetObject's Range header", () => {
  it('reads first-last, first- and -suffix over the object, capping the end at its size', () => {
    expect(rangeOf('bytes=0-7', 22)).toEqual({ start: 0, end: 7 });
    expect(rangeOf('bytes=5-', 22)).toEqual({ start: 5, end: 21 });
    expect(rangeOf('bytes=-3', 22)).toEqual({ start: 19, end: 21 });
    expect(rangeOf('bytes=-100', 22)).toEqual({ start: 0, end: 21 });
    expect(rangeOf('bytes=10-1000', 22)).toEqual({ start: 10, end: 21 });
  });

  it('serves the whole object for none, several ranges, other units or a reversed range; past the end is unsatisfiable', () => {
    for (const header of [undefined, '', 'bytes=0-1,4-5', 'items=0-1', 'bytes=7-3', 'bytes=-']) expect(rangeOf(header, 22)).toBeNull();
    expect(rangeOf('bytes=22-', 22)).toBe('unsatisfiable');
    expect(rangeOf('bytes=-0', 22)).toBe('unsatisfiable');
    expect(rangeOf('bytes=0-', 0)).toBe('unsatisfiable');
  });
});

describe('EncodingType=url', () => {
  it('percent-encodes keys but keeps the slashes, so botocore unquote_plus gives the key back', () => {
    expect(urlEncodeKey('AWSLogs/a b+c/ü.json')).toBe('AWSLogs/a%20b%2Bc/%C3%BC.json');
  });
});
