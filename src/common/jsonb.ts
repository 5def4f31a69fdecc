/**
 * JSON text PostgreSQL's jsonb refuses although it is valid JSON: a `\u0000` escape, or an escaped
 * lone surrogate. Events are stored as text, but a record that reaches a jsonb column (Lake event
 * data stores) must be storable there, or it would fail the whole routing batch or request.
 * An escape counts only where its backslash is not itself escaped.
 */
const UNSTORABLE =
  /(?<=(?:^|[^\\])(?:\\\\)*)\\u(?:0000|d[89ab][0-9a-f]{2}(?!\\ud[c-f][0-9a-f]{2})|(?<!\\ud[89ab][0-9a-f]{2}\\u)d[c-f][0-9a-f]{2})/i;
const UNSTORABLE_ALL = new RegExp(UNSTORABLE.source, 'gi');

export function jsonbStorable(jsonText: string): boolean {
  return !jsonText.includes('\\u') || !UNSTORABLE.test(jsonText);
}

/** The same JSON with each such escape replaced by U+FFFD, for records the service writes itself. */
export function jsonbSafe(jsonText: string): string {
  return jsonbStorable(jsonText) ? jsonText : jsonText.replace(UNSTORABLE_ALL, '\\ufffd');
}
