import type { DashboardEntity, StoredWidget } from './dashboard.entity';

/**
 * The managed dashboards (spec §8.5): built-in widget sets a caller enables by creating the
 * dashboard under its reserved name. Their widgets are not stored: every read and refresh uses
 * these, so improving a query here improves every enabled copy. Each reads the store given as
 * `$EventDataStoreId$` over the refresh's window.
 */
export interface ManagedDashboard {
  name: string;
  /** Spec: the Highlights dashboard must keep a 6-hourly ENABLED schedule. */
  requiredSchedule: { unit: 'HOURS'; value: number } | null;
  widgets: StoredWidget[];
}

const WINDOW = `eventTime >= '?' AND eventTime < '?'`;
const STORE_AND_WINDOW = ['$EventDataStoreId$', '$StartTime$', '$EndTime$'];

function widget(alias: string, title: string, view: string, select: string, parameters = STORE_AND_WINDOW): StoredWidget {
  return { queryAlias: alias, queryStatement: select, queryParameters: parameters, viewProperties: { Title: title, View: view } };
}

export const HIGHLIGHTS_DASHBOARD = 'AWSCloudTrail-Highlights';

export const MANAGED_DASHBOARDS: ManagedDashboard[] = [
  {
    name: HIGHLIGHTS_DASHBOARD,
    requiredSchedule: { unit: 'HOURS', value: 6 },
    widgets: [
      widget(
        'highlights-busiest-services',
        'Busiest services',
        'Table',
        `SELECT eventSource, count(*) AS calls FROM ? WHERE ${WINDOW} GROUP BY eventSource ORDER BY calls DESC LIMIT 10`,
      ),
      widget(
        'highlights-failing-calls',
        'Calls that failed most',
        'Table',
        `SELECT eventName, errorCode, count(*) AS failures FROM ? WHERE ${WINDOW} AND errorCode IS NOT NULL GROUP BY eventName, errorCode ORDER BY failures DESC LIMIT 10`,
      ),
      widget(
        'highlights-active-identities',
        'Identities making the most calls',
        'Table',
        `SELECT userIdentity.arn AS identity, count(*) AS calls FROM ? WHERE ${WINDOW} GROUP BY userIdentity.arn ORDER BY calls DESC LIMIT 10`,
      ),
      widget(
        'highlights-denied-calls',
        'Access denied over time',
        'LineChart',
        `SELECT date_trunc('?', eventTime) AS period, count(*) AS denied FROM ? WHERE ${WINDOW} AND errorCode IN ('AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation') GROUP BY 1 ORDER BY 1`,
        ['$Period$', ...STORE_AND_WINDOW],
      ),
    ],
  },
  {
    name: 'AWSCloudTrail-ManagementActivity',
    requiredSchedule: null,
    widgets: [
      widget(
        'management-calls-over-time',
        'Management calls over time',
        'LineChart',
        `SELECT date_trunc('?', eventTime) AS period, count(*) AS calls FROM ? WHERE ${WINDOW} AND eventCategory = 'Management' GROUP BY 1 ORDER BY 1`,
        ['$Period$', ...STORE_AND_WINDOW],
      ),
      widget(
        'management-changes',
        'Most frequent changes',
        'Table',
        `SELECT eventSource, eventName, count(*) AS calls FROM ? WHERE ${WINDOW} AND eventCategory = 'Management' AND readOnly = false GROUP BY eventSource, eventName ORDER BY calls DESC LIMIT 10`,
      ),
      widget(
        'management-source-addresses',
        'Source addresses',
        'Table',
        `SELECT sourceIPAddress, count(*) AS calls FROM ? WHERE ${WINDOW} AND eventCategory = 'Management' GROUP BY sourceIPAddress ORDER BY calls DESC LIMIT 10`,
      ),
    ],
  },
  {
    name: 'AWSCloudTrail-DataActivity',
    requiredSchedule: null,
    widgets: [
      widget(
        'data-calls-over-time',
        'Data calls over time',
        'LineChart',
        `SELECT date_trunc('?', eventTime) AS period, count(*) AS calls FROM ? WHERE ${WINDOW} AND eventCategory = 'Data' GROUP BY 1 ORDER BY 1`,
        ['$Period$', ...STORE_AND_WINDOW],
      ),
      widget(
        'data-operations',
        'Data operations by service',
        'Table',
        `SELECT eventSource, eventName, count(*) AS calls FROM ? WHERE ${WINDOW} AND eventCategory = 'Data' GROUP BY eventSource, eventName ORDER BY calls DESC LIMIT 10`,
      ),
      widget(
        'data-callers',
        'Identities reading and writing data',
        'Table',
        `SELECT userIdentity.arn AS identity, count(*) AS calls FROM ? WHERE ${WINDOW} AND eventCategory = 'Data' GROUP BY userIdentity.arn ORDER BY calls DESC LIMIT 10`,
      ),
    ],
  },
];

export const managedDashboard = (name: string): ManagedDashboard | undefined => MANAGED_DASHBOARDS.find((d) => d.name === name);

/** A dashboard's widgets: a managed dashboard's are built in, a custom one's are stored. */
export const dashboardWidgets = (d: DashboardEntity): StoredWidget[] =>
  d.type === 'MANAGED' ? (managedDashboard(d.name)?.widgets ?? []) : d.widgets;
