import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Which hosts a webhook may be sent to (SSRF protection). Tenants name the URLs; the server, on
 * its network, makes the connection, so by default a webhook reaches only public unicast
 * addresses: loopback, private (RFC 1918), link-local, CGNAT (100.64/10), unique-local (fc00::/7),
 * NAT64 (64:ff9b::/96, 64:ff9b:1::/48), 6to4, Teredo, multicast, broadcast, reserved, unspecified,
 * documentation and benchmarking ranges are refused, and so is every IPv6 address outside global
 * unicast (2000::/3) — which covers the deprecated IPv4-compatible `::a.b.c.d` form. IPv4-mapped
 * addresses (`::ffff:a.b.c.d`) are judged as the IPv4 address they map. Octal, hex and shorthand
 * IPv4 (`0177.1`, `0x7f.1`, `127.1`, `2130706433`) never reach this code as such: the WHATWG URL
 * parser rewrites them to dotted decimal, and DNS answers are canonical.
 *
 * WEBHOOK_ALLOWED_HOSTS is a comma-separated list of entries:
 *   - `example.com`      only that host name (with any other name entries)
 *   - `*.example.com`    any sub-domain of example.com (not example.com itself)
 *   - `*`                any host name (the default when the list has no name entries)
 *   - `203.0.113.7`      that address, as URL host or as a DNS answer — even an internal one
 *   - `10.0.0.0/8`       any address in the block, as URL host or as a DNS answer — even internal
 * Name entries narrow which names are accepted, never which addresses: a listed name that
 * resolves to an internal address is still refused unless an IP/CIDR entry opens that address.
 *
 * Whatever the list says, link-local addresses (169.254.0.0/16 holds the cloud instance metadata
 * services at 169.254.169.254; fe80::/10 and AWS's fd00:ec2::254 are the IPv6 equivalents) and
 * 0.0.0.0/8 and :: (which connect to the local host) are refused, also when embedded in an IPv6
 * address (mapped, NAT64, 6to4). The check runs on the URL host and again on every address DNS
 * returns, at connect time, so a name that resolves (or re-resolves) to an internal address is
 * refused too.
 */
export interface HostPolicy {
  /** Allowed host names (lower case); null means "any host name". */
  readonly names: readonly string[] | null;
  /** Address blocks the operator opened (IPv4-mapped entries are stored as IPv4). */
  readonly cidrs: ReadonlyArray<[ipaddr.IPv4 | ipaddr.IPv6, number]>;
}

const NAME_ENTRY = /^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;

const ALWAYS_REFUSED: Array<[ipaddr.IPv4 | ipaddr.IPv6, number]> = [
  ipaddr.parseCIDR('169.254.0.0/16'),
  ipaddr.parseCIDR('0.0.0.0/8'),
  ipaddr.parseCIDR('fe80::/10'),
  ipaddr.parseCIDR('fd00:ec2::254/128'),
  ipaddr.parseCIDR('::/128'),
];
const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3');

/** Validates the setting's entries; throws with a message naming the bad entry. */
export function parseAllowedHosts(raw: string): string[] {
  const entries = raw
    .split(',')
    .map((e) => e.trim().toLowerCase())
    .filter((e) => e !== '');
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
  const names: string[] = [];
  const cidrs: Array<[ipaddr.IPv4 | ipaddr.IPv6, number]> = [];
  for (const entry of entries) {
    if (entry === '*') continue;
    if (isIP(entry) === 0 && !entry.includes('/')) {
      names.push(entry);
      continue;
    }
    const [ip, bits] = entry.includes('/') ? ipaddr.parseCIDR(entry) : [ipaddr.parse(entry), isIP(entry) === 4 ? 32 : 128];
    // `::ffff:10.0.0.0/104` opens the same addresses as `10.0.0.0/8`.
    if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96) {
      cidrs.push([(ip as ipaddr.IPv6).toIPv4Address(), bits - 96]);
    } else {
      cidrs.push([ip, bits]);
    }
  }
  // Address entries open internal blocks; they do not narrow public destinations. So the names
  // are "any" unless the list has name entries and no `*`.
  return { names: names.length === 0 || entries.includes('*') ? null : names, cidrs };
}

/** Parses an address (brackets and zone ids allowed); IPv4-mapped IPv6 becomes IPv4. Null if not an IP. */
export function parseAddress(address: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (isIP(bare) === 0) return null;
  const parsed = ipaddr.parse(bare);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) return (parsed as ipaddr.IPv6).toIPv4Address();
  return parsed;
}

function inBlocks(ip: ipaddr.IPv4 | ipaddr.IPv6, blocks: ReadonlyArray<[ipaddr.IPv4 | ipaddr.IPv6, number]>): boolean {
  return blocks.some(([block, bits]) => block.kind() === ip.kind() && ip.match(block, bits));
}

const METADATA_V4 = ipaddr.parseCIDR('169.254.0.0/16');
const IPV4_COMPATIBLE = ipaddr.parseCIDR('::/96');

/** Whether an IPv6 address carries a link-local IPv4 one (IPv4-compatible, NAT64, SIIT, 6to4). */
function embedsMetadataV4(ip: ipaddr.IPv6): boolean {
  const bytes = ip.toByteArray();
  const range = ip.range();
  const carried: ipaddr.IPv4[] = [];
  if (range === 'rfc6052' || range === 'rfc6145' || ip.match(IPV4_COMPATIBLE)) carried.push(new ipaddr.IPv4(bytes.slice(12, 16)));
  if (range === '6to4') carried.push(new ipaddr.IPv4(bytes.slice(2, 6)));
  return carried.some((v4) => v4.match(METADATA_V4));
}

/**
 * The address class that decides the default: 'public' for global unicast, else the reason it is
 * internal ('loopback', 'private', 'linkLocal', 'carrierGradeNat', 'uniqueLocal', 'rfc6052' (NAT64),
 * 'multicast', 'reserved', ... as ipaddr.js names them).
 */
export function addressClass(ip: ipaddr.IPv4 | ipaddr.IPv6): string {
  const range = ip.range();
  if (range !== 'unicast') return range;
  if (ip.kind() === 'ipv6' && !ip.match(GLOBAL_UNICAST_V6)) return 'reserved';
  return 'public';
}

export function isAlwaysRefusedAddress(address: string): boolean {
  const ip = parseAddress(address);
  if (!ip) return false;
  return inBlocks(ip, ALWAYS_REFUSED) || (ip.kind() === 'ipv6' && embedsMetadataV4(ip as ipaddr.IPv6));
}

function nameAllowed(policy: HostPolicy, hostname: string): boolean {
  if (policy.names === null) return true;
  const host = hostname.replace(/\.$/, '').toLowerCase();
  return policy.names.some((entry) => (entry.startsWith('*.') ? host.endsWith(entry.slice(1)) : host === entry));
}

/**
 * Decision for one address the connection would go to (a literal URL host, or a DNS answer for
 * `hostname`): metadata and unspecified addresses never; blocks the operator opened always;
 * otherwise public addresses only, and only for host names the list allows.
 */
export function addressAllowed(policy: HostPolicy, hostname: string, address: string): boolean {
  const ip = parseAddress(address);
  if (!ip || isAlwaysRefusedAddress(address)) return false;
  if (inBlocks(ip, policy.cidrs)) return true;
  if (addressClass(ip) !== 'public') return false;
  return parseAddress(hostname) !== null ? policy.names === null : nameAllowed(policy, hostname);
}

/** `localhost` and `*.localhost` always mean the loopback interface (RFC 6761). */
const LOOPBACK_NAME = /(^|\.)localhost\.?$/i;

/**
 * Decision for the URL host before any connection: a literal IP is decided here completely (Node
 * does not call `lookup` for one); a name passes when the list allows it, or when operator address
 * blocks might admit what it resolves to — the DNS answers decide at connect time.
 */
export function hostAllowed(policy: HostPolicy, urlHost: string): boolean {
  const host = urlHost.replace(/^\[|\]$/g, '').toLowerCase();
  if (parseAddress(host) !== null) return addressAllowed(policy, host, host);
  if (LOOPBACK_NAME.test(host)) return addressAllowed(policy, host, '127.0.0.1') || addressAllowed(policy, host, '::1');
  return nameAllowed(policy, host) || policy.cidrs.length > 0;
}
