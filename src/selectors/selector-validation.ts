import type { AdvancedEventSelector, EventSelector, InsightSelector } from './event-selectors';
import { BASIC_DATA_RESOURCE_TYPES, DATA_RESOURCE_TYPES } from './data-resource-types';
import { SelectorErrors } from './selector.errors';
import { DEFAULT_EVENT_SELECTORS, isAllResourcesValue } from './selector-matcher';

/** Validation of PutEventSelectors / PutInsightSelectors input (spec §4.3, §4.4, §10, §12.1). Pure. */

export const MAX_EVENT_SELECTORS = 5;
export const MAX_DATA_RESOURCE_VALUES = 250;
export const MAX_ADVANCED_VALUES = 500;
const EXCLUDABLE_SOURCES = new Set(['kms.amazonaws.com', 'rdsdata.amazonaws.com']);
const READ_WRITE = new Set(['ReadOnly', 'WriteOnly', 'All']);
const bad = SelectorErrors.eventSelectors;

/** Input shape: the entity type with every field optional, as a client may send it. */
export interface EventSelectorInput {
  ReadWriteType?: string | null;
  IncludeManagementEvents?: boolean | null;
  DataResources?: Array<{ Type?: string | null; Values?: string[] | null }> | null;
  ExcludeManagementEventSources?: string[] | null;
}

/** Validates basic selectors and returns them with defaults filled in. */
export function validateEventSelectors(input: EventSelectorInput[]): EventSelector[] {
  if (input.length < 1 || input.length > MAX_EVENT_SELECTORS) {
    throw bad(`A trail can have 1 to ${MAX_EVENT_SELECTORS} event selectors; ${input.length} were specified.`);
  }
  let values = 0;
  const out = input.map((s): EventSelector => {
    const rw = s.ReadWriteType ?? 'All';
    if (!READ_WRITE.has(rw)) throw bad(`Value ${rw} for parameter ReadWriteType is invalid. Valid values: ReadOnly, WriteOnly, All.`);
    const excluded = s.ExcludeManagementEventSources ?? [];
    for (const source of excluded) {
      if (!EXCLUDABLE_SOURCES.has(source)) {
        throw bad(`Value ${source} for ExcludeManagementEventSources is invalid. Valid values: kms.amazonaws.com, rdsdata.amazonaws.com.`);
      }
    }
    const dataResources = (s.DataResources ?? []).map((dr) => {
      const type = dr.Type ?? '';
      if (!BASIC_DATA_RESOURCE_TYPES.has(type)) {
        throw bad(
          `Invalid data resource type ${type}. Basic event selectors accept AWS::S3::Object, AWS::Lambda::Function and AWS::DynamoDB::Table; use advanced event selectors for other types.`,
        );
      }
      const list = dr.Values ?? [];
      if (list.length === 0) throw bad(`Data resource ${type} needs at least one value.`);
      for (const v of list) {
        validateDataResourceValue(type, v);
        if (!isAllResourcesValue(v)) values++;
      }
      return { Type: type, Values: [...list] };
    });
    return {
      ReadWriteType: rw as EventSelector['ReadWriteType'],
      IncludeManagementEvents: s.IncludeManagementEvents ?? true,
      DataResources: dataResources,
      ExcludeManagementEventSources: [...excluded],
    };
  });
  if (values > MAX_DATA_RESOURCE_VALUES) {
    throw bad(
      `A trail can have at most ${MAX_DATA_RESOURCE_VALUES} data resource values across all event selectors; ${values} were specified.`,
    );
  }
  return out;
}

const S3_VALUE = /^arn:[a-z-]+:s3:::([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(\/.*)?$/;
const LAMBDA_VALUE = /^arn:[a-z-]+:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9$_-]+)?$/;
const DYNAMO_VALUE = /^arn:[a-z-]+:dynamodb:[a-z0-9-]+:\d{12}:table\/[A-Za-z0-9_.-]{3,255}$/;

function validateDataResourceValue(type: string, value: string): void {
  const service = type === 'AWS::S3::Object' ? 's3' : type === 'AWS::Lambda::Function' ? 'lambda' : 'dynamodb';
  if (isAllResourcesValue(value) && value.split(':')[2] === service) return;
  const ok = service === 's3' ? S3_VALUE.test(value) : service === 'lambda' ? LAMBDA_VALUE.test(value) : DYNAMO_VALUE.test(value);
  if (!ok) throw bad(`Value ${value.slice(0, 2048)} for DataResources.Values of type ${type} is not a valid ARN or ARN prefix.`);
}

// ---------------------------------------------------------------------------------------------

const OPERATORS = ['Equals', 'StartsWith', 'EndsWith', 'NotEquals', 'NotStartsWith', 'NotEndsWith'] as const;
type Operator = (typeof OPERATORS)[number];
type FieldSelector = AdvancedEventSelector['FieldSelectors'][number];
const FIELD_PATTERN = /^[\w|.]+$/;
const TRAIL_CATEGORIES = new Set(['Management', 'Data', 'NetworkActivity']);
/** Event data stores also select these categories, with no field other than eventCategory (spec §4.4). */
const EDS_ONLY_CATEGORIES = new Set(['Insight', 'ConfigurationItem', 'Evidence', 'ActivityAuditLog']);
/** Advanced event selectors per event data store (spec §12.1). */
export const MAX_EDS_ADVANCED_SELECTORS = 5;

/** Trails, or event data stores (more categories, any eventSource operator, eventName on Management). */
export type SelectorTarget = 'trail' | 'eventDataStore';

/** Which categories a field applies to on a trail, and which operators it takes (spec §4.4). */
const FIELD_RULES: Record<string, { categories: string[]; operators: readonly Operator[] }> = {
  eventCategory: { categories: ['Management', 'Data', 'NetworkActivity'], operators: ['Equals'] },
  readOnly: { categories: ['Management', 'Data'], operators: ['Equals'] },
  eventSource: { categories: ['Management', 'Data', 'NetworkActivity'], operators: OPERATORS },
  eventName: { categories: ['Data', 'NetworkActivity'], operators: OPERATORS },
  'resources.type': { categories: ['Data'], operators: ['Equals'] },
  'resources.ARN': { categories: ['Data'], operators: OPERATORS },
  errorCode: { categories: ['NetworkActivity'], operators: ['Equals'] },
  vpcEndpointId: { categories: ['NetworkActivity'], operators: OPERATORS },
  eventType: { categories: ['Management', 'Data'], operators: OPERATORS },
  sessionCredentialFromConsole: { categories: ['Management', 'Data'], operators: ['Equals', 'NotEquals'] },
  'userIdentity.arn': { categories: ['Management', 'Data'], operators: OPERATORS },
};

/** Validates advanced selectors; returns them with only the operators that were given. */
export function validateAdvancedEventSelectors(input: AdvancedEventSelector[], target: SelectorTarget = 'trail'): AdvancedEventSelector[] {
  if (input.length < 1) throw bad('Specify at least one advanced event selector.');
  if (target === 'eventDataStore' && input.length > MAX_EDS_ADVANCED_SELECTORS) {
    throw bad(
      `An event data store can have at most ${MAX_EDS_ADVANCED_SELECTORS} advanced event selectors; ${input.length} were specified.`,
    );
  }
  let values = 0;
  const out = input.map((selector, i) => {
    const label = selector.Name ? `selector "${selector.Name.slice(0, 100)}"` : `selector ${i + 1}`;
    if (selector.Name !== undefined && selector.Name !== null && selector.Name.length > 1000)
      throw bad(`The name of ${label} is longer than 1000 characters.`);
    const fields = selector.FieldSelectors ?? [];
    if (fields.length === 0) throw bad(`The ${label} must have at least one field selector.`);
    const seen = new Set<string>();
    const cleaned = fields.map((f) => {
      if (!f.Field || f.Field.length > 1000 || !FIELD_PATTERN.test(f.Field))
        throw bad(`Field ${String(f.Field).slice(0, 100)} in ${label} is not a valid field name.`);
      if (seen.has(f.Field)) throw bad(`Field ${f.Field} appears more than once in ${label}.`);
      seen.add(f.Field);
      const rule = FIELD_RULES[f.Field];
      if (!rule) throw bad(`Field ${f.Field} in ${label} is not supported for ${target === 'trail' ? 'trails' : 'event data stores'}.`);
      const ops = OPERATORS.filter((op) => f[op] !== undefined && f[op] !== null);
      if (ops.length === 0) throw bad(`Field ${f.Field} in ${label} needs at least one operator (${OPERATORS.join(', ')}).`);
      const kept: FieldSelector = { Field: f.Field };
      for (const op of ops) {
        if (!rule.operators.includes(op))
          throw bad(`Operator ${op} is not supported for field ${f.Field} in ${label}; use ${rule.operators.join(', ')}.`);
        const list = f[op] as string[];
        if (list.length === 0) throw bad(`Operator ${op} of field ${f.Field} in ${label} needs at least one value.`);
        for (const v of list) {
          if (v.length < 1 || v.length > 2048) throw bad(`Values of field ${f.Field} in ${label} must be 1 to 2048 characters.`);
        }
        values += list.length;
        kept[op] = [...list];
      }
      return kept;
    });
    checkCategoryRules(cleaned, label, target);
    return selector.Name ? { Name: selector.Name, FieldSelectors: cleaned } : { FieldSelectors: cleaned };
  });
  if (values > MAX_ADVANCED_VALUES) {
    throw bad(
      `A trail's advanced event selectors can have at most ${MAX_ADVANCED_VALUES} values across all conditions; ${values} were specified.`,
    );
  }
  return out;
}

function checkCategoryRules(fields: FieldSelector[], label: string, target: SelectorTarget): void {
  const byField = new Map(fields.map((f) => [f.Field, f]));
  const category = byField.get('eventCategory');
  if (!category || !category.Equals || category.Equals.length !== 1) {
    throw bad(`The ${label} must have exactly one eventCategory field selector with one Equals value.`);
  }
  const cat = category.Equals[0];
  if (target === 'eventDataStore' && EDS_ONLY_CATEGORIES.has(cat)) {
    if (fields.length > 1) throw bad(`The ${label} selects eventCategory ${cat}: its only field selector can be eventCategory.`);
    return;
  }
  if (!TRAIL_CATEGORIES.has(cat)) {
    throw target === 'trail'
      ? bad(`eventCategory ${cat} in ${label} is not valid for trails; use Management, Data or NetworkActivity.`)
      : bad(
          `eventCategory ${cat} in ${label} is not valid; use Management, Data, NetworkActivity, Insight, ConfigurationItem, Evidence or ActivityAuditLog.`,
        );
  }
  for (const f of fields) {
    const eventNameOnManagement = target === 'eventDataStore' && f.Field === 'eventName' && cat === 'Management';
    if (!FIELD_RULES[f.Field].categories.includes(cat) && !eventNameOnManagement)
      throw bad(`Field ${f.Field} cannot be used with eventCategory ${cat} in ${label}.`);
  }
  const readOnly = byField.get('readOnly');
  if (readOnly && !(readOnly.Equals ?? []).every((v) => v === 'true' || v === 'false'))
    throw bad(`readOnly in ${label} takes Equals true or false.`);
  const console = byField.get('sessionCredentialFromConsole');
  if (console && ![...(console.Equals ?? []), ...(console.NotEquals ?? [])].every((v) => v === 'true' || v === 'false')) {
    throw bad(`sessionCredentialFromConsole in ${label} takes true or false.`);
  }
  const source = byField.get('eventSource');
  if (cat === 'Management' && source && target === 'trail') {
    // Trails may only exclude the two high-volume sources (spec §4.4).
    const onlyExclusions =
      Object.keys(source).every((k) => k === 'Field' || k === 'NotEquals') &&
      (source.NotEquals ?? []).every((v) => EXCLUDABLE_SOURCES.has(v));
    if (!onlyExclusions)
      throw bad(`For management events, eventSource in ${label} takes only NotEquals kms.amazonaws.com or rdsdata.amazonaws.com.`);
  }
  if (cat === 'Data') {
    const type = byField.get('resources.type');
    if (!type || !type.Equals || type.Equals.length !== 1)
      throw bad(`The ${label} selects data events and needs exactly one resources.type Equals value.`);
    if (!DATA_RESOURCE_TYPES.has(type.Equals[0]))
      throw bad(`Value ${type.Equals[0]} for resources.type in ${label} is not a supported data resource type.`);
    const arn = byField.get('resources.ARN');
    for (const v of [...(arn?.Equals ?? []), ...(arn?.NotEquals ?? [])]) {
      if (!/^arn:[a-z-]+:[a-z0-9-]+:/.test(v))
        throw bad(`resources.ARN value ${v.slice(0, 2048)} in ${label} must be a full ARN with Equals and NotEquals.`);
    }
  }
  if (cat === 'NetworkActivity') {
    if (!source || Object.keys(source).some((k) => k !== 'Field' && k !== 'Equals') || source.Equals?.length !== 1) {
      throw bad(`The ${label} selects network activity events and needs one eventSource Equals value.`);
    }
    const errorCode = byField.get('errorCode');
    if (errorCode && !(errorCode.Equals ?? []).every((v) => v === 'VpceAccessDenied'))
      throw bad(`errorCode in ${label} takes only VpceAccessDenied.`);
  }
}

// ---------------------------------------------------------------------------------------------

/** What management events the trail's selectors log: needed by the Insights prerequisites. */
export function loggedEventKinds(trail: {
  eventSelectors: EventSelector[] | null;
  advancedEventSelectors: AdvancedEventSelector[] | null;
}): {
  managementReads: boolean;
  managementWrites: boolean;
  dataEvents: boolean;
} {
  const result = { managementReads: false, managementWrites: false, dataEvents: false };
  if (trail.advancedEventSelectors) {
    for (const s of trail.advancedEventSelectors) {
      const cat = s.FieldSelectors.find((f) => f.Field === 'eventCategory')?.Equals?.[0];
      const ro = s.FieldSelectors.find((f) => f.Field === 'readOnly')?.Equals ?? ['true', 'false'];
      if (cat === 'Management') {
        result.managementReads ||= ro.includes('true');
        result.managementWrites ||= ro.includes('false');
      }
      if (cat === 'Data') result.dataEvents = true;
    }
    return result;
  }
  for (const s of trail.eventSelectors ?? DEFAULT_EVENT_SELECTORS) {
    if (s.IncludeManagementEvents) {
      result.managementReads ||= s.ReadWriteType !== 'WriteOnly';
      result.managementWrites ||= s.ReadWriteType !== 'ReadOnly';
    }
    if (s.DataResources.length > 0) result.dataEvents = true;
  }
  return result;
}

const INSIGHT_TYPES = new Set(['ApiCallRateInsight', 'ApiErrorRateInsight']);

/** Validates insight selectors against the trail's selectors (spec §10); [] disables Insights. */
export function validateInsightSelectors(
  input: Array<{ InsightType?: string | null; EventCategories?: string[] | null }>,
  trail: { eventSelectors: EventSelector[] | null; advancedEventSelectors: AdvancedEventSelector[] | null },
): InsightSelector[] {
  const logged = loggedEventKinds(trail);
  const seen = new Set<string>();
  return input.map((s) => {
    const type = s.InsightType ?? '';
    if (!INSIGHT_TYPES.has(type))
      throw SelectorErrors.insightSelectors(`InsightType ${type} is not valid; use ApiCallRateInsight or ApiErrorRateInsight.`);
    if (seen.has(type)) throw SelectorErrors.insightSelectors(`InsightType ${type} is specified more than once.`);
    seen.add(type);
    const categories = s.EventCategories ?? ['Management'];
    if (categories.length === 0 || !categories.every((c) => c === 'Management' || c === 'Data')) {
      throw SelectorErrors.insightSelectors('EventCategories must be Management, Data or both.');
    }
    if (categories.includes('Management')) {
      const ok = type === 'ApiCallRateInsight' ? logged.managementWrites : logged.managementReads || logged.managementWrites;
      if (!ok) {
        throw SelectorErrors.insightSelectors(
          type === 'ApiCallRateInsight'
            ? 'ApiCallRateInsight requires the trail to log write management events.'
            : 'ApiErrorRateInsight requires the trail to log read or write management events.',
        );
      }
    }
    if (categories.includes('Data') && !logged.dataEvents) {
      throw SelectorErrors.insightSelectors(`${type} on data events requires the trail to log data events.`);
    }
    const out: InsightSelector = { InsightType: type as InsightSelector['InsightType'] };
    if (s.EventCategories) out.EventCategories = [...new Set(categories)] as InsightSelector['EventCategories'];
    return out;
  });
}
