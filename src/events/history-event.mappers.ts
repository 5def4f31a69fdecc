import { eventTimeOf } from './event-history.service';
import type { StoredEventRow } from './event.repository';
import type { HistoryEvent } from './events.types';

/** A stored event as LookupEvents and ListInsightsData return it (CloudTrail's `Event`). */
export function toHistoryEvent(r: StoredEventRow): HistoryEvent {
  return {
    eventId: r.event_id,
    eventName: r.event_name,
    eventTime: eventTimeOf(r),
    eventSource: r.event_source,
    username: r.username,
    readOnly: r.read_only === null ? null : String(r.read_only),
    accessKeyId: r.access_key_id,
    resources: r.resource_types.map((type, i) => ({ resourceType: type || null, resourceName: r.resource_names[i] || null })),
    cloudTrailEvent: r.record,
  };
}
