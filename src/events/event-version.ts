/**
 * Which fields CloudTrail's format requires at a record's eventVersion (spec §2.2): a record of
 * an older version gains only the fields its version has, so a 1.05 record stored here is still
 * a valid 1.05 record rather than a hybrid no CloudTrail ever wrote.
 */
export const CURRENT_EVENT_VERSION = '1.11';

/** The fields OpenTrail fills in when a record lacks them, with the version that introduced each. */
const FILLED_SINCE = {
  eventID: [1, 1],
  eventType: [1, 2],
  recipientAccountId: [1, 2],
  managementEvent: [1, 6],
  eventCategory: [1, 7],
} as const;

export type FilledField = keyof typeof FILLED_SINCE;

/** [major, minor] of a version string such as "1.08"; the current version when it is not one. */
function parts(version: unknown): [number, number] {
  const m = typeof version === 'string' ? /^(\d{1,3})\.(\d{1,3})$/.exec(version) : null;
  return m ? [Number(m[1]), Number(m[2])] : [1, 11];
}

/** Whether a record of `version` carries `field`. */
export function versionHasField(version: unknown, field: FilledField): boolean {
  const [major, minor] = parts(version);
  const [sinceMajor, sinceMinor] = FILLED_SINCE[field];
  return major > sinceMajor || (major === sinceMajor && minor >= sinceMinor);
}
