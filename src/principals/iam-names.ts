import { IamErrors } from './iam.errors';

// IAM naming rules (IAM API reference, CreateUser/CreateRole/PutUserPolicy).
const PRINCIPAL_NAME = /^[\w+=,.@-]{1,64}$/;
const POLICY_NAME = /^[\w+=,.@-]{1,128}$/;
const PATH = /^(\/|\/[\u0021-\u007E]+\/)$/;
const ACCESS_KEY_ID = /^\w{16,128}$/;
const PAGE_MAX = 1000;

export function validateUserName(name: string, field = 'userName'): string {
  if (!PRINCIPAL_NAME.test(name)) {
    throw IamErrors.validation(`${field} must be 1-64 characters of letters, digits and _+=,.@-`);
  }
  return name;
}

export const validateRoleName = (name: string) => validateUserName(name, 'roleName');

export function validatePolicyName(name: string): string {
  if (!POLICY_NAME.test(name)) throw IamErrors.validation('policyName must be 1-128 characters of letters, digits and _+=,.@-');
  return name;
}

/** Paths start and end with `/`; IAM allows printable ASCII between them, up to 512 characters. */
export function validatePath(path: string | null | undefined, field = 'path'): string {
  if (path === null || path === undefined) return '/';
  if (path.length > 512 || !PATH.test(path) || path.includes('//')) {
    throw IamErrors.validation(`${field} must begin and end with / and contain printable ASCII characters (at most 512)`);
  }
  return path;
}

export function validateAccessKeyId(id: string): string {
  if (!ACCESS_KEY_ID.test(id)) throw IamErrors.validation('accessKeyId must be 16-128 letters or digits');
  return id;
}

/** maxItems of the IAM list operations: 1-1000, default 100. */
export function validateMaxItems(value: number | null | undefined): number {
  if (value === null || value === undefined) return 100;
  if (!Number.isInteger(value) || value < 1 || value > PAGE_MAX) throw IamErrors.validation(`maxItems must be between 1 and ${PAGE_MAX}`);
  return value;
}

export function validateMaxSessionDuration(value: number | null | undefined): number {
  if (value === null || value === undefined) return 3600;
  if (!Number.isInteger(value) || value < 3600 || value > 43200) {
    throw IamErrors.validation('maxSessionDuration must be between 3600 and 43200 seconds');
  }
  return value;
}

export function validateDescription(value: string | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (value.length > 1000 || /[^\t\n\r\u0020-\u007E\u00A1-\u00FF]/.test(value)) {
    throw IamErrors.validation('description must be at most 1000 printable characters');
  }
  return value;
}
