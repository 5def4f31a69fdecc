/** CloudTrail's digest time renderings (spec §5.1, §6.2, §6.8). */

import { formatEventTime } from '../events/event-record';

/** `YYYY-MM-DDTHH:MM:SSZ` (digest JSON fields, validate-logs output): CloudTrail's eventTime format. */
export const isoSeconds = formatEventTime;

/** `YYYYMMDDTHHMMSSZ` (digest key timestamp). */
export function compactSeconds(d: Date): string {
  return isoSeconds(d).replace(/[-:]/g, '');
}

/** Parses `YYYYMMDDTHHMMSSZ`; null when malformed. */
export function parseCompact(s: string): Date | null {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) return null;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
  return Number.isNaN(d.getTime()) ? null : d;
}

/** Whole seconds (digest windows are second-precise: key and JSON carry no milliseconds). */
export function floorSeconds(d: Date): Date {
  return new Date(Math.floor(d.getTime() / 1000) * 1000);
}

/**
 * validate-logs' lenient time parsing (spec §6.7): any ISO-like string or a Unix timestamp in
 * seconds; no zone means UTC. null when unparseable.
 */
export function parseLenient(value: string): Date | null {
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return new Date(Number(v) * 1000);
  const iso = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?(Z|[+-]\d{2}:?\d{2})?$/i.exec(v);
  if (!iso) return null;
  const zone = iso[3] ? (iso[3].toUpperCase() === 'Z' ? 'Z' : iso[3].replace(/^([+-]\d{2})(\d{2})$/, '$1:$2')) : 'Z';
  const d = new Date(`${iso[1]}T${iso[2] ?? '00:00:00'}${zone}`);
  return Number.isNaN(d.getTime()) ? null : d;
}
