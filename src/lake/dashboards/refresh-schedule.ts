import type { StoredRefreshSchedule } from './dashboard.entity';
import { DashboardErrors } from './dashboard.errors';

export interface RefreshScheduleInput {
  frequency?: { unit?: string | null; value?: number | null } | null;
  status?: string | null;
  timeOfDay?: string | null;
}

const HOUR_MS = 3_600_000;
const TIME_OF_DAY = /^([01]\d|2[0-3]):([0-5]\d)$/;
/** Spec §8.5: custom schedules refresh every 1, 6, 12 or 24 hours, or once a day. */
const HOURS = [1, 6, 12, 24];

/** A RefreshSchedule as given, checked: frequency HOURS 1/6/12/24 or DAYS 1, TimeOfDay HH:MM UTC (default 00:00). */
export function validateRefreshSchedule(input: RefreshScheduleInput): StoredRefreshSchedule {
  const status = input.status ?? 'ENABLED';
  if (status !== 'ENABLED' && status !== 'DISABLED')
    throw DashboardErrors.invalidParameter(`Refresh schedule status ${String(status).slice(0, 20)} is not valid: use ENABLED or DISABLED.`);
  const timeOfDay = input.timeOfDay ?? '00:00';
  if (!TIME_OF_DAY.test(timeOfDay))
    throw DashboardErrors.invalidParameter(`Refresh schedule timeOfDay ${timeOfDay.slice(0, 20)} is not valid: use HH:MM in UTC.`);
  let frequency: StoredRefreshSchedule['frequency'] = null;
  if (input.frequency) {
    const { unit, value } = input.frequency;
    const ok = (unit === 'HOURS' && HOURS.includes(value ?? NaN)) || (unit === 'DAYS' && value === 1);
    if (!ok)
      throw DashboardErrors.invalidParameter(
        `Refresh schedule frequency ${String(unit)} ${String(value)} is not valid: use HOURS with 1, 6, 12 or 24, or DAYS with 1.`,
      );
    frequency = { unit: unit as 'HOURS' | 'DAYS', value: value! };
  }
  if (status === 'ENABLED' && !frequency) throw DashboardErrors.invalidParameter('An ENABLED refresh schedule needs a frequency.');
  return { frequency, status, timeOfDay };
}

/**
 * The start of the schedule's latest slot at or before `now`: slots fall at TimeOfDay (UTC)
 * and every period after it through the day (a 6-hourly schedule at 01:30 refreshes at 01:30,
 * 07:30, 13:30 and 19:30). Null for a schedule without frequency.
 */
export function latestSlot(schedule: StoredRefreshSchedule, now: Date): Date | null {
  if (!schedule.frequency) return null;
  const hours = schedule.frequency.unit === 'DAYS' ? 24 * schedule.frequency.value : schedule.frequency.value;
  const [h, m] = schedule.timeOfDay.split(':').map(Number);
  const day = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  let anchor = day + h * HOUR_MS + m * 60_000;
  if (anchor > now.getTime()) anchor -= 24 * HOUR_MS;
  const period = hours * HOUR_MS;
  return new Date(anchor + Math.floor((now.getTime() - anchor) / period) * period);
}
