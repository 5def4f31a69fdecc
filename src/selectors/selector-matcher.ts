import type { AdvancedEventSelector, EventSelector, InsightSelector } from './event-selectors';

/**
 * The selector decision of a trail (spec §4.3, §4.4): does this trail's configuration select
 * this event? Pure and synchronous — routing by account, region and organization happens
 * elsewhere (src/delivery); this module answers only "do the selectors match".
 */

/** One `resources[]` item of a record, in CloudTrail's casing. */
export interface SelectableResource {
  type?: string;
  ARN?: string;
}

/**
 * The event as the matcher sees it. `eventCategory` … `managementEvent` are the normalised
 * columns of an `events` row; `record` is the full CloudTrail record, read for the fields that
 * have no column (`userIdentity.arn`, `errorCode`, `eventType`, `sessionCredentialFromConsole`,
 * `vpcEndpointId`, `insightDetails`, any other dotted path an advanced selector names).
 */
export interface SelectableEvent {
  record: Record<string, unknown>;
  /** `Management` | `Data` | `NetworkActivity` | `Insight`. */
  eventCategory: string;
  eventSource: string;
  eventName: string;
  readOnly: boolean | null;
  /** The region the event was recorded in (`awsRegion`). */
  region: string;
  managementEvent: boolean;
  /** Defaults to `record.resources`. */
  resources?: ReadonlyArray<SelectableResource>;
}

/** A stored event as routers read it: the promoted columns and the record as JSON text. */
export type StoredSelectableEvent = Omit<SelectableEvent, 'record' | 'resources'> & { record: string };

/** The matcher's view of a stored event; its JSON is parsed only if a selector needs the record. */
export function lazySelectable(e: StoredSelectableEvent): SelectableEvent {
  let parsed: Record<string, unknown> | undefined;
  return {
    get record() {
      parsed ??= JSON.parse(e.record) as Record<string, unknown>;
      return parsed;
    },
    eventCategory: e.eventCategory,
    eventSource: e.eventSource,
    eventName: e.eventName,
    readOnly: e.readOnly,
    region: e.region,
    managementEvent: e.managementEvent,
  };
}

/** The settings of a trail (or of a data store seen as one) that decide which events it selects. */
export interface SelectorTrail {
  eventSelectors: EventSelector[] | null;
  advancedEventSelectors: AdvancedEventSelector[] | null;
  includeGlobalServiceEvents: boolean;
  isMultiRegionTrail: boolean;
  homeRegion: string;
  insightSelectors?: InsightSelector[] | null;
}

/** Global services record their events in us-east-1 (spec §1.5). */
export const GLOBAL_SERVICE_REGION = 'us-east-1';
export const GLOBAL_SERVICE_SOURCES: ReadonlySet<string> = new Set([
  'iam.amazonaws.com',
  'sts.amazonaws.com',
  'cloudfront.amazonaws.com',
  'signin.amazonaws.com',
]);

/** What a trail logs when nothing was configured: all read and write management events (§4.1). */
export const DEFAULT_EVENT_SELECTORS: readonly EventSelector[] = Object.freeze([
  { ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: [] },
]) as readonly EventSelector[];

/** True when the event is a global-service management event as recorded in us-east-1. */
export function isGlobalServiceEvent(event: Pick<SelectableEvent, 'eventSource' | 'region' | 'eventCategory'>): boolean {
  return event.eventCategory === 'Management' && event.region === GLOBAL_SERVICE_REGION && GLOBAL_SERVICE_SOURCES.has(event.eventSource);
}

/** Does `trail` select `event`? */
export function trailSelects(trail: SelectorTrail, event: SelectableEvent): boolean {
  if (event.eventCategory === 'Insight') return insightSelected(trail, event);
  if (!trail.includeGlobalServiceEvents && isGlobalServiceEvent(event)) return false;
  if (trail.advancedEventSelectors) return trail.advancedEventSelectors.some((s) => advancedSelectorMatches(s, event));
  const basic = trail.eventSelectors ?? DEFAULT_EVENT_SELECTORS;
  return basic.some((s) => basicSelectorMatches(s, event));
}

// Insights events are not chosen by event selectors: a trail receives them for the insight
// types it enabled (spec §10), for the categories it enabled (default Management).
function insightSelected(trail: SelectorTrail, event: SelectableEvent): boolean {
  const details = event.record.insightDetails as Record<string, unknown> | undefined;
  const type = details?.insightType;
  const category = typeof details?.eventCategory === 'string' ? details.eventCategory : 'Management';
  return (trail.insightSelectors ?? []).some(
    (s) => s.InsightType === type && (s.EventCategories ?? ['Management']).includes(category as 'Management' | 'Data'),
  );
}

function resourcesOf(event: SelectableEvent): ReadonlyArray<SelectableResource> {
  if (event.resources) return event.resources;
  const raw = event.record.resources;
  return Array.isArray(raw) ? (raw.filter((r) => typeof r === 'object' && r !== null) as SelectableResource[]) : [];
}

// ---------------------------------------------------------------------------------------------
// Basic selectors (§4.3)

function readWriteMatches(type: EventSelector['ReadWriteType'] | undefined, readOnly: boolean | null): boolean {
  if (type === undefined || type === 'All') return true;
  // An event without readOnly is neither a read nor a write: only `All` takes it.
  return type === 'ReadOnly' ? readOnly === true : readOnly === false;
}

export function basicSelectorMatches(selector: EventSelector, event: SelectableEvent): boolean {
  if (!readWriteMatches(selector.ReadWriteType, event.readOnly)) return false;
  if (event.eventCategory === 'Management') {
    if (selector.IncludeManagementEvents === false) return false;
    return !(selector.ExcludeManagementEventSources ?? []).includes(event.eventSource);
  }
  if (event.eventCategory !== 'Data') return false; // network activity needs advanced selectors
  const resources = resourcesOf(event);
  return (selector.DataResources ?? []).some((dr) =>
    resources.some(
      (r) =>
        r.type === dr.Type && typeof r.ARN === 'string' && dr.Values.some((v) => dataResourceValueMatches(dr.Type, v, r.ARN as string)),
    ),
  );
}

const ALL_OF_SERVICE = /^arn:[a-z-]+:(s3|lambda|dynamodb)(:*)$/;

/** True for the prefix-only values that mean "every resource of the type" (`arn:aws:s3`, …). */
export function isAllResourcesValue(value: string): boolean {
  return ALL_OF_SERVICE.test(value);
}

/**
 * One DataResources value against one resource ARN. S3 values are object prefixes
 * (`arn:aws:s3:::bucket/` = the whole bucket; a bare `arn:aws:s3:::bucket` is read as the whole
 * bucket too, so `bucket` never matches `bucket2`); Lambda and DynamoDB values are exact ARNs
 * (a Lambda value also covers its qualified versions/aliases, `…:function:f:PROD`).
 */
export function dataResourceValueMatches(type: string, value: string, arn: string): boolean {
  if (isAllResourcesValue(value)) return arn.startsWith(value.replace(/:+$/, '') + ':');
  if (type === 'AWS::S3::Object') {
    const objectPrefix = /^arn:[a-z-]+:s3:::[^/]+$/.test(value) ? `${value}/` : value;
    return arn.startsWith(objectPrefix);
  }
  if (type === 'AWS::Lambda::Function') return arn === value || arn.startsWith(`${value}:`);
  return arn === value;
}

// ---------------------------------------------------------------------------------------------
// Advanced selectors (§4.4)

type FieldSelector = AdvancedEventSelector['FieldSelectors'][number];

const RESOURCE_FIELDS = new Set(['resources.type', 'resources.ARN']);

/** All field selectors must hold (AND); `resources.*` conditions must hold for the same resource. */
export function advancedSelectorMatches(selector: AdvancedEventSelector, event: SelectableEvent): boolean {
  const perResource = selector.FieldSelectors.filter((f) => RESOURCE_FIELDS.has(f.Field));
  const perEvent = selector.FieldSelectors.filter((f) => !RESOURCE_FIELDS.has(f.Field));
  if (!perEvent.every((f) => fieldSelectorMatches(f, eventFieldValue(event, f.Field)))) return false;
  if (perResource.length === 0) return true;
  return resourcesOf(event).some((r) => perResource.every((f) => fieldSelectorMatches(f, f.Field === 'resources.type' ? r.type : r.ARN)));
}

/**
 * Every operator present must hold. Positive operators need the value to equal/start/end with
 * any listed string; negative ones need it to do so with none. A missing value fails every
 * positive operator and passes every negative one (`errorCode NotEquals X` keeps successes).
 */
export function fieldSelectorMatches(selector: FieldSelector, value: string | undefined): boolean {
  const checks: Array<[string[] | undefined, (v: string, x: string) => boolean, boolean]> = [
    [selector.Equals, (v, x) => v === x, true],
    [selector.StartsWith, (v, x) => v.startsWith(x), true],
    [selector.EndsWith, (v, x) => v.endsWith(x), true],
    [selector.NotEquals, (v, x) => v === x, false],
    [selector.NotStartsWith, (v, x) => v.startsWith(x), false],
    [selector.NotEndsWith, (v, x) => v.endsWith(x), false],
  ];
  for (const [values, test, positive] of checks) {
    if (!values) continue;
    const hit = value !== undefined && values.some((x) => test(value, x));
    if (hit !== positive) return false;
  }
  return true;
}

/** The string value of a selector field; undefined when the event does not carry it. */
export function eventFieldValue(event: SelectableEvent, field: string): string | undefined {
  switch (field) {
    case 'eventCategory':
      return event.eventCategory;
    case 'eventSource':
      return event.eventSource;
    case 'eventName':
      return event.eventName;
    case 'readOnly':
      return event.readOnly === null ? undefined : String(event.readOnly);
    case 'sessionCredentialFromConsole': {
      // CloudTrail writes the field only when true; its absence means "false".
      const v = readPath(event.record, field);
      return v === undefined ? 'false' : v;
    }
    default:
      return readPath(event.record, field);
  }
}

function readPath(record: Record<string, unknown>, path: string): string | undefined {
  let cur: unknown = record;
  for (const part of path.split('.')) {
    if (typeof cur !== 'object' || cur === null || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  if (typeof cur === 'string') return cur;
  if (typeof cur === 'boolean' || typeof cur === 'number') return String(cur);
  return undefined;
}
