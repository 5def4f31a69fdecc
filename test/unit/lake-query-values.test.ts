import { parseDeliveryUri } from '../../src/lake/query/lake-query.delivery';
import { renderValue, trinoTimestamp } from '../../src/lake/query/lake-query.values';

describe('lake query values and delivery URIs', () => {
  it('renders values the way Trino prints them', () => {
    expect(renderValue('t', 16)).toBe('true');
    expect(renderValue('f', 16)).toBe('false');
    expect(renderValue(null, 25)).toBeNull();
    expect(trinoTimestamp('2023-01-22 10:11:12.5+00')).toBe('2023-01-22 10:11:12.500');
    expect(trinoTimestamp('2023-01-22 10:11:12+00')).toBe('2023-01-22 10:11:12.000');
    expect(renderValue('{"a": 1}', 3802)).toBe('{"a": 1}');
  });

  it('parses s3://bucket[/prefix] and refuses the rest', () => {
    expect(parseDeliveryUri('s3://my-bucket')).toEqual({ bucket: 'my-bucket', prefix: null });
    expect(parseDeliveryUri('s3://my-bucket/a/b/')).toEqual({ bucket: 'my-bucket', prefix: 'a/b' });
    expect(() => parseDeliveryUri('s3://My_Bucket')).toThrow(expect.objectContaining({ code: 'InvalidS3BucketNameException' }));
    expect(() => parseDeliveryUri('s3://bucket/../x')).toThrow(expect.objectContaining({ code: 'InvalidS3PrefixException' }));
  });
});
