// Selector shapes shared by trails and event data stores; selector-validation.ts checks them.

/** A basic event selector (spec §4.3), stored as given after validation. */
export interface EventSelector {
  ReadWriteType: 'ReadOnly' | 'WriteOnly' | 'All';
  IncludeManagementEvents: boolean;
  DataResources: Array<{ Type: string; Values: string[] }>;
  ExcludeManagementEventSources: string[];
}

/** An advanced event selector (spec §4.4). */
export interface AdvancedEventSelector {
  Name?: string;
  FieldSelectors: Array<{
    Field: string;
    Equals?: string[];
    StartsWith?: string[];
    EndsWith?: string[];
    NotEquals?: string[];
    NotStartsWith?: string[];
    NotEndsWith?: string[];
  }>;
}

export interface InsightSelector {
  InsightType: 'ApiCallRateInsight' | 'ApiErrorRateInsight';
  EventCategories?: Array<'Management' | 'Data'>;
}
