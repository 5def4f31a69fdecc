import { randomBytes, randomInt, randomUUID } from 'node:crypto';

const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
const SECRET_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function pick(alphabet: string, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

/** `o-` followed by 10 lowercase letters or digits, as AWS Organizations ids. */
export const newOrganizationId = () => `o-${pick(LOWER_ALNUM, 10)}`;
/** 12 digits, never starting with 0 so it survives numeric round trips in clients. */
export const newAccountId = () => `${randomInt(1, 10)}${pick('0123456789', 11)}`;
/** IAM unique ids: a 4-letter type prefix and 17 upper-case characters (AIDA user, AROA role). */
export const newPrincipalId = (prefix: 'AIDA' | 'AROA') => `${prefix}${pick(UPPER_ALNUM, 17)}`;
/** Access key ids: AKIA for long-term keys, ASIA for session credentials; 20 characters. */
export const newAccessKeyId = (prefix: 'AKIA' | 'ASIA') => `${prefix}${pick(UPPER_ALNUM, 16)}`;
/** 40-character secret with 240 bits of entropy. */
export const newSecretAccessKey = () => pick(SECRET_CHARS, 40);
export const newEventId = () => randomUUID();
export const newRequestId = () => randomUUID();
export const randomToken = (bytes = 32) => randomBytes(bytes).toString('base64url');
