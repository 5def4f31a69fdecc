/** Dashboards as the API returns them, and a chart's widget form (viewProperties). */

export interface Widget {
  queryAlias: string;
  queryStatement: string;
  queryParameters: string[] | null;
  viewProperties: Array<{ key: string; value: string }>;
  queryId: string | null;
  queryStatus: string | null;
}

export interface Dashboard {
  dashboardArn: string;
  name: string;
  type: string;
  status: string | null;
  lastRefreshId: string | null;
  lastRefreshFailureReason: string | null;
  updatedTimestamp: string;
  widgets: Widget[];
}

export const dashboardName = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1);

export const viewProperty = (w: Pick<Widget, 'viewProperties'>, key: string) => w.viewProperties.find((p) => p.key === key)?.value;

/** A widget as updateDashboard takes it back (the list is replaced as a whole). */
export const widgetInput = (w: Widget) => ({
  queryStatement: w.queryStatement,
  queryParameters: w.queryParameters,
  viewProperties: w.viewProperties.map(({ key, value }) => ({ key, value })),
});

/** View property values allow letters, digits, `._-` and spaces (1–128): anything else becomes a space. */
export const viewValue = (text: string) =>
  text
    .replace(/[^a-zA-Z0-9._\- ]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 128);

export const WIDGET_RUNNING = new Set(['QUEUED', 'RUNNING']);
