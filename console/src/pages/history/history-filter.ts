/** The event history filter and its URL form (so links, reloads and sign-in keep it). */

export const ATTRIBUTE_KEYS = ['Username', 'EventName', 'EventSource', 'ResourceName', 'ResourceType', 'AccessKeyId', 'EventId'] as const;
export type AttributeKey = (typeof ATTRIBUTE_KEYS)[number] | 'ReadOnly';

export const ATTRIBUTE_LABELS: Record<AttributeKey, string> = {
  Username: 'User name',
  EventName: 'Event name',
  EventSource: 'Event source',
  ResourceName: 'Resource name',
  ResourceType: 'Resource type',
  AccessKeyId: 'AWS access key',
  EventId: 'Event ID',
  ReadOnly: 'Read-only',
};

export interface Attribute {
  key: AttributeKey;
  value: string;
}

export const RELATIVE_RANGES = [
  { value: '1h', label: 'Last hour', seconds: 3600 },
  { value: '24h', label: 'Last 24 hours', seconds: 86_400 },
  { value: '7d', label: 'Last 7 days', seconds: 7 * 86_400 },
  { value: '90d', label: 'Last 90 days', seconds: 90 * 86_400 },
] as const;

export interface HistoryFilter {
  /** A RELATIVE_RANGES value or 'custom' (then start/end). */
  range: string;
  start: string;
  end: string;
  attributes: Attribute[];
  /** '' (any), 'true' or 'false'. */
  readOnly: string;
  insights: boolean;
}

export function filterFromParams(params: URLSearchParams): HistoryFilter {
  const attributes: Attribute[] = [];
  for (const raw of params.getAll('a')) {
    const at = raw.indexOf(':');
    const key = raw.slice(0, at) as AttributeKey;
    if (at > 0 && (ATTRIBUTE_KEYS as readonly string[]).includes(key)) attributes.push({ key, value: raw.slice(at + 1) });
  }
  const readOnly = params.get('readOnly') ?? '';
  return {
    range: params.get('range') ?? (params.get('start') ? 'custom' : '90d'),
    start: params.get('start') ?? '',
    end: params.get('end') ?? '',
    attributes,
    readOnly: readOnly === 'true' || readOnly === 'false' ? readOnly : '',
    insights: params.get('insights') === '1',
  };
}

export function filterToQuery(filter: HistoryFilter): string {
  const params = new URLSearchParams();
  if (filter.range !== '90d') params.set('range', filter.range);
  if (filter.range === 'custom') {
    if (filter.start) params.set('start', filter.start);
    if (filter.end) params.set('end', filter.end);
  }
  for (const a of filter.attributes) if (a.value !== '') params.append('a', `${a.key}:${a.value}`);
  if (filter.readOnly) params.set('readOnly', filter.readOnly);
  if (filter.insights) params.set('insights', '1');
  const query = params.toString();
  return query ? `?${query}` : '';
}

/** datetime-local values are the browser's local time; the API wants ISO-8601 UTC. */
function toIso(local: string): string | undefined {
  if (!local) return undefined;
  const t = new Date(local);
  return Number.isNaN(t.getTime()) ? local : t.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The lookupEvents input (also the export endpoint's query) for a filter, resolved at `now`. */
export function lookupInput(
  filter: HistoryFilter,
  now = Date.now(),
): {
  startTime?: string;
  endTime?: string;
  eventCategory?: string;
  lookupAttributes: Array<{ attributeKey: AttributeKey; attributeValue: string }>;
} {
  const relative = RELATIVE_RANGES.find((r) => r.value === filter.range);
  const lookupAttributes = filter.attributes.filter((a) => a.value !== '').map((a) => ({ attributeKey: a.key, attributeValue: a.value }));
  if (filter.readOnly) lookupAttributes.push({ attributeKey: 'ReadOnly', attributeValue: filter.readOnly });
  return {
    startTime: relative ? new Date(now - relative.seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') : toIso(filter.start),
    endTime: relative ? undefined : toIso(filter.end),
    eventCategory: filter.insights ? 'insight' : undefined,
    lookupAttributes,
  };
}
