import { escapeXml } from './aws-errors';

/**
 * S3's REST-XML bodies (botocore's s3 2006-03-01 model), written as S3 writes them: one
 * declaration, the 2006-03-01 namespace on the root, ISO-8601 times with milliseconds.
 */
export const S3_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';

export type XmlValue = string | number | boolean | null | undefined | XmlNode | XmlNode[];
export interface XmlNode {
  [element: string]: XmlValue;
}

function element(name: string, value: XmlValue): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map((v) => element(name, v)).join('');
  if (typeof value === 'object') return `<${name}>${children(value)}</${name}>`;
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

function children(node: XmlNode): string {
  return Object.entries(node)
    .map(([name, value]) => element(name, value))
    .join('');
}

/** `<?xml …?><Root xmlns="…">children</Root>`. */
export function s3Document(root: string, node: XmlNode): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${S3_NAMESPACE}">${children(node)}</${root}>`;
}

/** S3's timestamps in bodies: `2026-12-03T12:00:00.000Z`. */
export const s3Time = (iso: string | Date) => new Date(iso).toISOString();

/** `EncodingType=url`: keys and prefixes percent-encoded (botocore decodes them with unquote_plus). */
export const urlEncodeKey = (key: string) => encodeURIComponent(key).replace(/%2F/g, '/');

/** The CreateBucketConfiguration's LocationConstraint, if the body has one. */
export function locationConstraintOf(body: string): string | null {
  const match = /<LocationConstraint>\s*([^<]*?)\s*<\/LocationConstraint>/.exec(body);
  return match ? match[1] : null;
}

/**
 * A header value as S3 returns user metadata: printable ASCII as is, anything else as an RFC 2047
 * encoded word (Node refuses such bytes in a header, and S3 answers them this way).
 */
export function headerValue(value: string): string {
  return /^[\x20-\x7e\t]*$/.test(value) ? value : `=?UTF-8?B?${Buffer.from(value, 'utf8').toString('base64')}?=`;
}
