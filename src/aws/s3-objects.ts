import { headerValue } from './s3-xml';

/** What getObject/headObject answer in GraphQL (storage.types.ts HeadObjectResult). */
export interface ObjectHeadFields {
  eTag: string;
  contentType: string | null;
  contentEncoding: string | null;
  lastModified: string;
  metadata: Array<{ key: string; value: string }>;
  serverSideEncryption: string;
  ssekmsKeyId: string | null;
}

/**
 * GetObject/HeadObject's response headers. User metadata comes back as x-amz-meta-* (digests
 * carry `signature` and `signature-algorithm` there); the SSE-KMS bookkeeping the service keeps
 * beside it (x-amz-server-side-encryption*, x-opentrail-*) becomes S3's own SSE headers instead.
 */
export function objectHeaders(object: ObjectHeadFields): Record<string, string> {
  const headers: Record<string, string> = {
    etag: `"${object.eTag}"`,
    'last-modified': new Date(object.lastModified).toUTCString(),
    'content-type': object.contentType ?? 'binary/octet-stream',
    'accept-ranges': 'bytes',
    'x-amz-server-side-encryption': object.serverSideEncryption,
  };
  if (object.contentEncoding) headers['content-encoding'] = object.contentEncoding;
  if (object.ssekmsKeyId) headers['x-amz-server-side-encryption-aws-kms-key-id'] = object.ssekmsKeyId;
  for (const { key, value } of object.metadata) {
    if (/^x-(amz|opentrail)-/.test(key)) continue;
    headers[`x-amz-meta-${key}`] = headerValue(value);
  }
  return headers;
}

/**
 * A single `Range: bytes=…` (first-last, first-, -suffix) over `size` bytes, as S3 serves it:
 * null (the whole object) when there is none or it is not one S3 reads (several ranges, other
 * units, bad syntax), 'unsatisfiable' when it starts past the end (416 InvalidRange).
 */
export function rangeOf(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | null {
  if (!header) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return null;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0) return 'unsatisfiable';
    return size === 0 ? 'unsatisfiable' : { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (match[2] !== '' && Number(match[2]) < start) return null;
  if (start >= size) return 'unsatisfiable';
  return { start, end };
}
