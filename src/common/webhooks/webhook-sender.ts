import { createHmac, timingSafeEqual } from 'node:crypto';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { addressAllowed, compileHostPolicy, hostAllowed, type HostPolicy } from './webhook-host-policy';

/**
 * Signed webhook POSTs, used for topic notifications (delivery) and event rules (streaming).
 *
 * Signature scheme (see README.md): header
 *   x-opentrail-signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
 * Receivers recompute the HMAC over the exact bytes received, compare in constant time and reject
 * timestamps too far from their clock (replay window). `verifySignature` does all three.
 */
export interface SignedWebhook {
  url: string;
  secret: string;
  /** A JSON string is sent as is; anything else is JSON.stringify'd. */
  body: unknown;
  /** Stable delivery id (x-opentrail-delivery-id): the same id on every retry, for receiver de-duplication. */
  id: string;
}

/**
 * Why a POST failed, as tenants may see it. Socket error codes (ECONNREFUSED vs ECONNRESET vs
 * EHOSTUNREACH) would let a tenant map hosts and ports, so they only reach `detail`, for the
 * server log.
 */
export type WebhookFailure = 'timeout' | 'http-status' | 'refused-by-policy' | 'connection-failed';

export interface WebhookResult {
  ok: boolean;
  status?: number;
  failure?: WebhookFailure;
  /** Tenant-safe text: `HTTP <status>`, `Timed out after <n> ms`, `Refused by policy`, `Connection failed`. */
  error?: string;
  /** Operator-only detail (socket error code and message); log it, never store it for tenants. */
  detail?: string;
}

export const REFUSED_BY_POLICY = 'Refused by policy: the webhook host or an address it resolves to is not allowed (WEBHOOK_ALLOWED_HOSTS)';
export const CONNECTION_FAILED = 'Connection failed';

/** The config settings the sender honours; pass the Config object itself. */
export interface WebhookSettings {
  webhookAllowedHosts?: readonly string[];
  webhookTimeoutMs?: number;
}

export const SIGNATURE_HEADER = 'x-opentrail-signature';
export const DELIVERY_ID_HEADER = 'x-opentrail-delivery-id';
const DEFAULT_TIMEOUT_MS = 5000;
/** Response bodies are ignored; reading stops here so a huge response cannot hold the worker. */
const MAX_RESPONSE_BYTES = 64 * 1024;

export function signPayload(secret: string, timestamp: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${mac}`;
}

/**
 * Verifies an `x-opentrail-signature` header against the raw body. `toleranceSeconds` bounds the
 * distance between the signed timestamp and `now` (default 300 s) so a captured request cannot be
 * replayed later.
 */
export function verifySignature(input: {
  secret: string;
  body: string | Buffer;
  header: string | undefined;
  toleranceSeconds?: number;
  nowSeconds?: number;
}): boolean {
  if (!input.header) return false;
  const parts = new Map<string, string[]>();
  for (const piece of input.header.split(',')) {
    const at = piece.indexOf('=');
    if (at <= 0) continue;
    const key = piece.slice(0, at).trim();
    parts.set(key, [...(parts.get(key) ?? []), piece.slice(at + 1).trim()]);
  }
  const t = parts.get('t')?.[0];
  if (!t || !/^\d+$/.test(t)) return false;
  const now = input.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - Number(t)) > (input.toleranceSeconds ?? 300)) return false;
  const body = typeof input.body === 'string' ? input.body : input.body.toString('utf8');
  const expected = Buffer.from(createHmac('sha256', input.secret).update(`${t}.${body}`).digest('hex'));
  // Several v1 values may be present while a receiver rotates secrets; any match passes.
  return (parts.get('v1') ?? []).some((candidate) => {
    const given = Buffer.from(candidate);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

/** Refuses at connect time any DNS answer that the policy does not allow (DNS rebinding). */
function guardedLookup(policy: HostPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      const refused = addresses.find((a) => !addressAllowed(policy, hostname, a.address));
      if (refused || addresses.length === 0) {
        const denied = Object.assign(new Error(`webhook host ${hostname} resolves to a refused address`), {
          code: 'EWEBHOOKHOSTREFUSED',
        });
        return callback(denied, '', 0);
      }
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

/** Checks scheme and host without sending; returns the reason a URL is refused, or null. */
export function refuseWebhookUrl(url: string, settings: WebhookSettings = {}): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'not a valid URL';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return 'only http and https URLs are allowed';
  if (parsed.username || parsed.password) return 'URLs with credentials are not allowed';
  const policy = compileHostPolicy(settings.webhookAllowedHosts ?? []);
  if (!hostAllowed(policy, parsed.hostname)) {
    return `host ${parsed.hostname} is not allowed: internal, reserved and metadata addresses are refused unless WEBHOOK_ALLOWED_HOSTS opens them`;
  }
  return null;
}

/**
 * POSTs `body` as JSON to `url`, signed with `secret`. Never throws: the result says whether the
 * receiver answered 2xx, and if not, the tenant-safe failure class. Redirects are not followed (a 3xx is a failure), the whole exchange is
 * bounded by the timeout, and hosts are checked against WEBHOOK_ALLOWED_HOSTS before connecting
 * and again on every resolved address.
 */
export async function sendSignedWebhook(message: SignedWebhook, settings: WebhookSettings = {}): Promise<WebhookResult> {
  const refusal = refuseWebhookUrl(message.url, settings);
  if (refusal) return { ok: false, failure: 'refused-by-policy', error: REFUSED_BY_POLICY, detail: refusal };
  const policy = compileHostPolicy(settings.webhookAllowedHosts ?? []);
  const url = new URL(message.url);
  const body = typeof message.body === 'string' ? message.body : JSON.stringify(message.body);
  const timestamp = Math.floor(Date.now() / 1000);
  const client = url.protocol === 'https:' ? https : http;
  const timeoutMs = settings.webhookTimeoutMs ?? DEFAULT_TIMEOUT_MS;

  return new Promise<WebhookResult>((resolve) => {
    let settled = false;
    const finish = (result: WebhookResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const request = client.request(
      url,
      {
        method: 'POST',
        lookup: guardedLookup(policy),
        // A fresh connection per delivery: a pooled socket would skip the address check.
        agent: false,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'user-agent': 'OpenTrail-Webhook/1',
          [SIGNATURE_HEADER]: signPayload(message.secret, timestamp, body),
          [DELIVERY_ID_HEADER]: message.id,
        },
      },
      (response) => {
        const status = response.statusCode ?? 0;
        let received = 0;
        response.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > MAX_RESPONSE_BYTES) response.destroy();
        });
        const done = (): void =>
          finish(
            status >= 200 && status < 300 ? { ok: true, status } : { ok: false, status, failure: 'http-status', error: `HTTP ${status}` },
          );
        response.on('end', done);
        response.on('close', done);
        response.on('error', done);
      },
    );
    const timer = setTimeout(() => {
      request.destroy();
      finish({ ok: false, failure: 'timeout', error: `Timed out after ${timeoutMs} ms` });
    }, timeoutMs);
    request.on('error', (err: NodeJS.ErrnoException) => {
      const detail = `${err.code ?? 'Error'}: ${err.message}`;
      finish(
        err.code === 'EWEBHOOKHOSTREFUSED'
          ? { ok: false, failure: 'refused-by-policy', error: REFUSED_BY_POLICY, detail }
          : { ok: false, failure: 'connection-failed', error: CONNECTION_FAILED, detail },
      );
    });
    request.end(body);
  });
}
