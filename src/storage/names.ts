import { StorageErrors } from './storage.errors';

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** S3 bucket naming rules (spec §1.4); throws InvalidBucketName saying which rule failed. */
export function validateBucketName(name: string): void {
  const bad = (why: string) => StorageErrors.invalidBucketName(name, why);
  if (name.length < 3 || name.length > 63) throw bad('must be 3 to 63 characters long');
  if (!/^[a-z0-9.-]+$/.test(name)) throw bad('may contain only lowercase letters, digits, periods and hyphens');
  if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name)) throw bad('must start and end with a letter or digit');
  if (name.includes('..') || name.includes('.-') || name.includes('-.')) throw bad('must not contain "..", ".-" or "-."');
  if (IPV4.test(name)) throw bad('must not be formatted as an IP address');
  if (name.startsWith('xn--') || name.endsWith('-s3alias')) throw bad('uses a reserved prefix or suffix');
}

const MAX_KEY_BYTES = 1024;

/**
 * Object keys the stores accept. S3 itself allows almost any key, but the filesystem backend maps
 * keys to paths, so a key must never be able to leave its bucket's directory or alias another
 * key: no absolute paths, no `.`/`..` or empty segments, no NUL, no backslashes (a separator on
 * Windows), no control characters. CloudTrail's own key layouts all pass.
 */
export function validateObjectKey(key: string): void {
  const bad = (why: string) => StorageErrors.invalidObjectKey(why);
  if (typeof key !== 'string' || key.length === 0) throw bad('the key must not be empty');
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) throw bad(`the key must be at most ${MAX_KEY_BYTES} bytes`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(key)) throw bad('the key must not contain NUL or control characters');
  if (key.includes('\\')) throw bad('the key must not contain backslashes');
  if (key.startsWith('/')) throw bad('the key must not start with "/"');
  for (const segment of key.split('/')) {
    if (segment === '') throw bad('the key must not contain empty path segments ("//" or a trailing "/")');
    if (segment === '.' || segment === '..') throw bad('the key must not contain "." or ".." path segments');
  }
}

/** S3 compares keys by their UTF-8 bytes (not JavaScript's UTF-16 order). */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** S3 lowercases user metadata names (x-amz-meta-* headers); both backends do the same. */
export function normalizeMetadata(metadata: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(metadata ?? {})) {
    const lower = name.toLowerCase();
    if (!/^[a-z0-9][a-z0-9_.-]*$/.test(lower))
      throw StorageErrors.invalidArgument(`Metadata name ${JSON.stringify(name)} is not a valid header name.`);
    if (/[^\u0020-\u007e]/.test(value)) throw StorageErrors.invalidArgument(`Metadata ${lower} must be printable ASCII.`);
    out[lower] = value;
  }
  return out;
}
