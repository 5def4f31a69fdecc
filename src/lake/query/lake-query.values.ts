/**
 * Result values as CloudTrail returns them: every value a string (Trino's rendering), in select
 * order. Rows arrive from PostgreSQL as text (no client-side parsing); a few types are
 * re-spelled the way Trino prints them.
 */
const BOOL = 16;
const TIMESTAMPTZ = 1184;
const TIMESTAMP = 1114;

export function renderValue(raw: string | null, typeOid: number): string | null {
  if (raw === null) return null;
  if (typeOid === BOOL) return raw === 't' ? 'true' : 'false';
  if (typeOid === TIMESTAMPTZ || typeOid === TIMESTAMP) return trinoTimestamp(raw);
  return raw;
}

/** `2023-01-22 10:11:12.5+00` → `2023-01-22 10:11:12.500` (the session runs in UTC). */
export function trinoTimestamp(raw: string): string {
  const m = /^(\d{4,}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})(?:\.(\d+))?/.exec(raw);
  if (!m) return raw;
  return `${m[1]}.${(m[2] ?? '').padEnd(3, '0').slice(0, 3)}`;
}

/** The pg type parser that keeps every value as the server's text. */
export const TEXT_TYPES = { getTypeParser: () => (value: string) => value };
