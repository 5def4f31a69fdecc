/**
 * Opaque keyset page tokens: the sort key of the last item returned, base64url-encoded. A
 * forged token only moves the start of the caller's own (tenant-filtered) listing, so it needs
 * no signature; a malformed one is rejected by the caller with its API's error code.
 */
export function encodePageToken(lastKey: string): string {
  return Buffer.from(JSON.stringify({ k: lastKey }), 'utf8').toString('base64url');
}

/** The key a token carries, or null when the token is not one of ours. */
export function decodePageToken(token: string): string | null {
  if (token.length < 4 || token.length > 1000) return null;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { k?: unknown };
    return typeof parsed.k === 'string' ? parsed.k : null;
  } catch {
    return null;
  }
}
