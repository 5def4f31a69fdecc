/** The selectors editor's drafts and their mapping to get/putEventSelectors (schema/schema.graphql). */

export interface ApiEventSelector {
  readWriteType: string;
  includeManagementEvents: boolean;
  excludeManagementEventSources: string[];
  dataResources: Array<{ type: string; values: string[] }>;
}

export type Operator = 'equals' | 'notEquals' | 'startsWith' | 'notStartsWith' | 'endsWith' | 'notEndsWith';

export type ApiFieldSelector = { field: string } & Partial<Record<Operator, string[] | null>>;

export interface ApiAdvancedSelector {
  name: string | null;
  fieldSelectors: ApiFieldSelector[];
}

export interface ApiSelectors {
  eventSelectors: ApiEventSelector[] | null;
  advancedEventSelectors: ApiAdvancedSelector[] | null;
}

export const OPERATORS: Array<{ value: Operator; label: string }> = [
  { value: 'equals', label: 'equals' },
  { value: 'notEquals', label: 'does not equal' },
  { value: 'startsWith', label: 'starts with' },
  { value: 'notStartsWith', label: 'does not start with' },
  { value: 'endsWith', label: 'ends with' },
  { value: 'notEndsWith', label: 'does not end with' },
];

/** The fields CloudTrail's advanced selectors take on trails (offered; any text can be sent, the API decides). */
export const ADVANCED_FIELDS = [
  'eventCategory',
  'eventSource',
  'eventName',
  'eventType',
  'readOnly',
  'resources.type',
  'resources.ARN',
  'userIdentity.arn',
  'sessionCredentialFromConsole',
  'errorCode',
  'vpcEndpointId',
];

export const DATA_RESOURCE_TYPES = ['AWS::S3::Object', 'AWS::Lambda::Function', 'AWS::DynamoDB::Table'];

export interface BasicDraft {
  readWriteType: string;
  includeManagementEvents: boolean;
  excludeKms: boolean;
  excludeRdsData: boolean;
  dataResources: Array<{ type: string; values: string }>;
}

export interface ConditionDraft {
  field: string;
  operator: Operator;
  /** One value per line. */
  values: string;
}

export interface AdvancedDraft {
  name: string;
  conditions: ConditionDraft[];
}

export type SelectorsDraft = { mode: 'basic'; basic: BasicDraft[] } | { mode: 'advanced'; advanced: AdvancedDraft[] };

export const newBasic = (): BasicDraft => ({
  readWriteType: 'All',
  includeManagementEvents: true,
  excludeKms: false,
  excludeRdsData: false,
  dataResources: [],
});

export const newAdvanced = (n: number): AdvancedDraft => ({
  name: `Selector ${n}`,
  conditions: [{ field: 'eventCategory', operator: 'equals', values: 'Management' }],
});

const lines = (text: string) =>
  text
    .split('\n')
    .map((v) => v.trim())
    .filter((v) => v !== '');

export function draftFromApi(selectors: ApiSelectors): SelectorsDraft {
  if (selectors.advancedEventSelectors && selectors.advancedEventSelectors.length > 0) {
    return {
      mode: 'advanced',
      advanced: selectors.advancedEventSelectors.map((s) => ({
        name: s.name ?? '',
        // A field selector with several operators becomes one condition per operator.
        conditions: s.fieldSelectors.flatMap((f) =>
          OPERATORS.filter((op) => f[op.value]?.length).map((op) => ({
            field: f.field,
            operator: op.value,
            values: f[op.value]!.join('\n'),
          })),
        ),
      })),
    };
  }
  return {
    mode: 'basic',
    basic: (selectors.eventSelectors ?? []).map((s) => ({
      readWriteType: s.readWriteType,
      includeManagementEvents: s.includeManagementEvents,
      excludeKms: s.excludeManagementEventSources.includes('kms.amazonaws.com'),
      excludeRdsData: s.excludeManagementEventSources.includes('rdsdata.amazonaws.com'),
      dataResources: s.dataResources.map((d) => ({ type: d.type, values: d.values.join('\n') })),
    })),
  };
}

/** The putEventSelectors input for a draft: conditions on one field are sent as one field selector. */
export function putInput(trailName: string, draft: SelectorsDraft): Record<string, unknown> {
  if (draft.mode === 'basic') {
    return {
      trailName,
      eventSelectors: draft.basic.map((s) => ({
        readWriteType: s.readWriteType,
        includeManagementEvents: s.includeManagementEvents,
        excludeManagementEventSources: [
          ...(s.excludeKms ? ['kms.amazonaws.com'] : []),
          ...(s.excludeRdsData ? ['rdsdata.amazonaws.com'] : []),
        ],
        dataResources: s.dataResources.map((d) => ({ type: d.type, values: lines(d.values) })),
      })),
    };
  }
  return {
    trailName,
    advancedEventSelectors: draft.advanced.map((s) => {
      const byField = new Map<string, ApiFieldSelector>();
      for (const c of s.conditions) {
        const field = byField.get(c.field) ?? { field: c.field };
        field[c.operator] = [...(field[c.operator] ?? []), ...lines(c.values)];
        byField.set(c.field, field);
      }
      return { name: s.name || undefined, fieldSelectors: [...byField.values()] };
    }),
  };
}

/**
 * Which selector an InvalidEventSelectorsException is about. The API names advanced selectors as
 * `selector "<name>"` (first 100 characters) or `selector <n>`; basic selector errors name the
 * offending value, if any. -1: the selectors as a whole.
 */
export function selectorOfError(message: string, draft: SelectorsDraft): number {
  if (draft.mode === 'advanced') {
    const named = /selector "([^"]*)"/.exec(message);
    if (named) return draft.advanced.findIndex((s) => s.name.slice(0, 100) === named[1]);
    const numbered = /selector (\d+)\b/.exec(message);
    if (numbered && Number(numbered[1]) <= draft.advanced.length) return Number(numbered[1]) - 1;
    return -1;
  }
  return draft.basic.findIndex(
    (s) =>
      message.includes(`Value ${s.readWriteType} for parameter ReadWriteType`) ||
      s.dataResources.some(
        (d) => message.includes(`resource type ${d.type}.`) || lines(d.values).some((v) => message.includes(`Value ${v} `)),
      ),
  );
}
