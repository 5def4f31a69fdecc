import type { CloudTrailResourceType } from '../../common/cloudtrail-resources';
import { arns } from '../../common/arn';
import { DashboardErrors } from './dashboard.errors';

/** Spec §1.3: 3–128 letters, digits, underscores and hyphens (no period). */
const NAME = /^[a-zA-Z0-9_-]{3,128}$/;
const ARN = /^arn:[a-z-]+:cloudtrail:([a-z0-9-]+):(\d{12}):dashboard\/([a-zA-Z0-9_-]{3,128})$/;

export const dashboardArn = (region: string, accountId: string, name: string) => arns.cloudtrail(region, accountId, `dashboard/${name}`);
/** Dashboards as operations name them: by ARN or by name. */
export const DASHBOARD_RESOURCE: CloudTrailResourceType = { type: 'dashboard', id: '[a-zA-Z0-9_-]{3,128}' };

export function validateDashboardName(name: string): void {
  if (typeof name !== 'string' || !NAME.test(name))
    throw DashboardErrors.invalidParameter(
      `Dashboard name ${String(name).slice(0, 128)} is not valid: use 3 to 128 letters, digits, underscores and hyphens.`,
    );
}

export interface DashboardReference {
  name: string;
  region: string | null;
  accountId: string | null;
}

/** A `DashboardId` (ARN or name); null when malformed. */
export function parseDashboardReference(value: string): DashboardReference | null {
  if (typeof value !== 'string') return null;
  if (NAME.test(value)) return { name: value, region: null, accountId: null };
  const m = ARN.exec(value);
  return m ? { name: m[3], region: m[1], accountId: m[2] } : null;
}
