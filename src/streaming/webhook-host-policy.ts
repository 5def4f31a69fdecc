import { BlockList, isIP } from 'node:net';

/**
 * Which hosts a webhook may be sent to (SSRF protection).
 *
 * WEBHOOK_ALLOWED_HOSTS is a comma-separated list of entries:
 *   - `example.com`      exactly that host name
 *   - `*.example.com`    any sub-domain of example.com (not example.com itself)
 *   - `203.0.113.7`      that IP address (v4 or v6), as URL host or as resolved address
 *   - `10.0.0.0/8`       any address in the CIDR block, as URL host or as resolved address
 *   - `*`                any host (the default when the setting is empty)
 *
 * Whatever the list says, link-local addresses are always refused (169.254.0.0/16 holds the
 * cloud instance metadata services at 169.254.169.254; fe80::/10 and AWS's fd00:ec2::254 are the
 * IPv6 equivalents), and so are 0.0.0.0 and ::. The check runs on the URL host and again on every
 * address DNS returns, at connect time, so a name that resolves (or re-resolves) to a metadata
 * address is refused too.
 */
export interface HostPolicy {
  /** Allowed if the host name (lower case, no brackets) matches; null means "any host". */
  readonly names: readonly string[] | null;
  /** Allowed addresses (URL host literal or DNS result). */
  readonly addresses: BlockList;
  readonly hasAddressRules: boolean;
}

const ALWAYS_REFUSED = new BlockList();
ALWAYS_REFUSED.addSubnet('169.254.0.0', 16, 'ipv4');
ALWAYS_REFUSED.addAddress('0.0.0.0', 'ipv4');
ALWAYS_REFUSED.addSubnet('fe80::', 10, 'ipv6');
ALWAYS_REFUSED.addAddress('fd00:ec2::254', 'ipv6');
ALWAYS_REFUSED.addAddress('::', 'ipv6');

const NAME_ENTRY = /^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;

/** Validates the setting's entries; throws with a message naming the bad entry. */
export function parseAllowedHosts(raw: string): string[] {
  const entries = raw.split(',').map((e) => e.trim().toLowerCase()).filter((e) => e !== '');
  for (const entry of entries) {
    if (entry === '*' || NAME_ENTRY.test(entry) || isIP(entry) !== 0) continue;
    const [ip, bits, extra] = entry.split('/');
    const family = isIP(ip ?? '');
    const max = family === 4 ? 32 : 128;
    if (family !== 0 && extra === undefined && /^\d+$/.test(bits ?? '') && Number(bits) <= max) continue;
    throw new Error(`has an entry that is not a host name, *.domain, IP address or CIDR block: ${entry}`);
  }
  return entries;
}

export function compileHostPolicy(entries: readonly string[]): HostPolicy {
  const addresses = new BlockList();
  const names: string[] = [];
  let anyHost = entries.length === 0;
  let hasAddressRules = false;
  for (const entry of entries) {
    if (entry === '*') {
      anyHost = true;
    } else if (isIP(entry) !== 0) {
      addresses.addAddress(entry, isIP(entry) === 4 ? 'ipv4' : 'ipv6');
      hasAddressRules = true;
    } else if (entry.includes('/')) {
      const [ip, bits] = entry.split('/') as [string, string];
      addresses.addSubnet(ip, Number(bits), isIP(ip) === 4 ? 'ipv4' : 'ipv6');
      hasAddressRules = true;
    } else {
      names.push(entry);
    }
  }
  return { names: anyHost ? null : names, addresses, hasAddressRules };
}

/** `[::1]` → `::1`; IPv4-mapped IPv6 (`::ffff:169.254.169.254`) → the IPv4 address. */
export function normalizeHost(host: string): string {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(bare);
  return mapped ? mapped[1]! : bare;
}

function family(address: string): 'ipv4' | 'ipv6' {
  return isIP(address) === 4 ? 'ipv4' : 'ipv6';
}

export function isAlwaysRefusedAddress(address: string): boolean {
  const bare = normalizeHost(address);
  if (isIP(bare) === 0) return false;
  return ALWAYS_REFUSED.check(bare, family(bare));
}

function nameAllowed(policy: HostPolicy, hostname: string): boolean {
  if (policy.names === null) return true;
  return policy.names.some((entry) =>
    entry.startsWith('*.') ? hostname.endsWith(entry.slice(1)) : hostname === entry,
  );
}

/**
 * Decision for the URL host before any connection: literal IPs are decided here completely;
 * names are allowed or refused by the name rules, except that a name not listed may still pass
 * when the policy has address rules (then the resolved address decides, see `addressAllowed`).
 */
export function hostAllowed(policy: HostPolicy, urlHost: string): boolean {
  const host = normalizeHost(urlHost);
  if (isIP(host) !== 0) {
    if (isAlwaysRefusedAddress(host)) return false;
    return policy.names === null || policy.addresses.check(host, family(host));
  }
  return nameAllowed(policy, host) || policy.hasAddressRules;
}

/** Decision for an address DNS returned for `hostname`. */
export function addressAllowed(policy: HostPolicy, hostname: string, address: string): boolean {
  const bare = normalizeHost(address);
  if (isAlwaysRefusedAddress(bare)) return false;
  if (nameAllowed(policy, normalizeHost(hostname))) return true;
  return isIP(bare) !== 0 && policy.addresses.check(bare, family(bare));
}
