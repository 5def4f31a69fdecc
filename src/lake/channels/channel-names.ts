import type { CloudTrailResourceType } from '../../common/cloudtrail-resources';
import { arns } from '../../common/arn';
import type { ResourcePolicyGrants } from '../resource-policies/lake-resource-policy';
import { ChannelErrors } from './channel.errors';

const NAME = /^[a-zA-Z0-9._-]{3,128}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ARN = /^arn:[a-z-]+:cloudtrail:([a-z0-9-]+):(\d{12}):channel\/([0-9a-f-]{36})$/;
/** Custom, or a partner source name; `CloudTrail` is reserved for service-linked channels. */
const SOURCE = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,255}$/;

export const channelArn = (region: string, accountId: string, id: string) => arns.cloudtrail(region, accountId, `channel/${id}`);
/** Channels as operations name them: by ARN or by ID. */
export const CHANNEL_RESOURCE: CloudTrailResourceType = { type: 'channel', id: '[0-9a-f-]{36}' };

/** A channel's policy names the accounts that may send it events (spec §9.1). */
export const CHANNEL_POLICY_GRANTS: ResourcePolicyGrants = { service: 'cloudtrail-data', actions: ['cloudtrail-data:PutAuditEvents'] };

export function validateChannelName(name: string): void {
  if (!NAME.test(name))
    throw ChannelErrors.invalidParameter(
      `Channel name ${name.slice(0, 128)} is not valid: use 3 to 128 letters, digits, periods, underscores and hyphens.`,
    );
}

export function validateSource(source: string): void {
  if (!SOURCE.test(source) || source === 'CloudTrail') throw ChannelErrors.invalidSource(source);
}

export interface ChannelReference {
  id: string;
  region: string | null;
  accountId: string | null;
}

/** A `Channel` parameter (ARN or ID); null when malformed (each API has its own error for that). */
export function parseChannelReference(value: string): ChannelReference | null {
  if (typeof value !== 'string' || value.length < 3 || value.length > 256) return null;
  if (UUID.test(value)) return { id: value, region: null, accountId: null };
  const m = ARN.exec(value);
  if (!m || !UUID.test(m[3])) return null;
  return { id: m[3], region: m[1], accountId: m[2] };
}
