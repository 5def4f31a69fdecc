import { createHash, createHmac, timingSafeEqual, type Hash, type Hmac } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { ALGORITHM_IDENTIFIER, getCanonicalHeaders, SignatureV4, UNSIGNED_PAYLOAD } from '@smithy/signature-v4';

/**
 * SigV4 verification (issue 14). The signature is recomputed with the AWS SDK's own signer
 * (`@smithy/signature-v4`: canonical request, string to sign, signing key) from the request as
 * received, over exactly the headers the client listed in SignedHeaders, and compared in constant
 * time. Both forms are read: the Authorization header and the presigned query
 * (X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders,
 * X-Amz-Signature, X-Amz-Security-Token).
 */

/** How far a header-signed request's time may be from the server's (AWS: 15 minutes). */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;
/** The longest presigned URL AWS accepts: 7 days. */
const MAX_PRESIGNED_SECONDS = 7 * 24 * 3600;
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/**
 * Why a request's signature is refused, in STS's (query protocol) vocabulary; the router maps a
 * few of them to the JSON protocols' names (aws-errors.ts).
 */
export type SigV4ErrorCode =
  | 'MissingAuthenticationToken'
  | 'IncompleteSignature'
  | 'InvalidClientTokenId'
  | 'SignatureDoesNotMatch'
  /** A header-signed request more than 15 minutes off: S3's name; STS says SignatureDoesNotMatch. */
  | 'RequestTimeTooSkewed'
  | 'ExpiredToken'
  | 'RequestExpired'
  | 'XAmzContentSHA256Mismatch';

export class SigV4Error extends Error {
  constructor(
    readonly code: SigV4ErrorCode,
    message: string,
    readonly httpStatus = 403,
  ) {
    super(message);
    this.name = code;
  }
}

/** What the signature claims, read before the secret is known. */
export interface SignedRequest {
  form: 'header' | 'query';
  accessKeyId: string;
  /** The credential scope: `<date>/<region>/<service>/aws4_request`. */
  scope: string;
  region: string;
  service: string;
  /** The signing time as SigV4 writes it (20240101T120000Z). */
  longDate: string;
  signingDate: Date;
  signedHeaders: string[];
  signature: string;
  sessionToken: string | null;
  /** Presigned only: seconds the URL is valid from signingDate. */
  expiresSeconds: number | null;
}

/** The request as it arrived, for recomputing the signature. */
export interface ReceivedRequest {
  method: string;
  /** The path as the client sent it (still percent-encoded), without the query. */
  rawPath: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

const MESSAGES = {
  signatureDoesNotMatch:
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
};

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** Whether a request carries SigV4 at all (header or presigned form); says nothing of its validity. */
export function carriesSigV4(headers: IncomingHttpHeaders, query: URLSearchParams): boolean {
  return (
    /^AWS4-HMAC-SHA256(\s|$)/.test(header(headers, 'authorization') ?? '') || query.has('X-Amz-Signature') || query.has('X-Amz-Algorithm')
  );
}

const LONG_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

function parseLongDate(value: string): Date | null {
  const m = LONG_DATE.exec(value);
  if (!m) return null;
  const date = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
  return Number.isNaN(date.getTime()) ? null : date;
}

export function longDateOf(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

function parseCredential(credential: string): Pick<SignedRequest, 'accessKeyId' | 'scope' | 'region' | 'service'> & { day: string } {
  const parts = credential.split('/');
  if (parts.length !== 5 || parts.some((p) => p.length === 0)) {
    throw new SigV4Error(
      'IncompleteSignature',
      `Credential should have exactly 5 parts: 'Access key ID/date/region/service/aws4_request', got '${credential.slice(0, 200)}'.`,
      400,
    );
  }
  const [accessKeyId, day, region, service, terminator] = parts;
  if (terminator !== 'aws4_request') {
    throw new SigV4Error(
      'SignatureDoesNotMatch',
      `Credential should be scoped with a valid terminator: 'aws4_request', not '${terminator.slice(0, 40)}'.`,
    );
  }
  return { accessKeyId, day, region, service, scope: `${day}/${region}/${service}/aws4_request` };
}

/**
 * Reads the signature's claims from the Authorization header or the presigned query: null when
 * the request carries no SigV4; SigV4Error when it does but is malformed.
 */
export function parseSigV4(headers: IncomingHttpHeaders, query: URLSearchParams): SignedRequest | null {
  const authorization = header(headers, 'authorization') ?? '';
  if (/^AWS4-HMAC-SHA256(\s|$)/.test(authorization)) {
    const fields = new Map<string, string>();
    for (const part of authorization.slice(ALGORITHM_IDENTIFIER.length).split(',')) {
      const eq = part.indexOf('=');
      if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
    }
    for (const name of ['Credential', 'Signature', 'SignedHeaders']) {
      if (!fields.get(name)) {
        throw new SigV4Error(
          'IncompleteSignature',
          `Authorization header requires '${name}' parameter. Authorization=${authorization.slice(0, 200)}`,
          400,
        );
      }
    }
    const amzDate = header(headers, 'x-amz-date');
    const dateHeader = header(headers, 'date');
    const signingDate = amzDate ? parseLongDate(amzDate) : dateHeader ? new Date(dateHeader) : null;
    if (!signingDate || Number.isNaN(signingDate.getTime())) {
      throw new SigV4Error(
        'IncompleteSignature',
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
        400,
      );
    }
    const credential = parseCredential(fields.get('Credential')!);
    return checkedScope({
      form: 'header',
      ...credential,
      longDate: longDateOf(signingDate),
      signingDate,
      signedHeaders: fields.get('SignedHeaders')!.split(';'),
      signature: fields.get('Signature')!,
      sessionToken: header(headers, 'x-amz-security-token') ?? null,
      expiresSeconds: null,
    });
  }
  if (!query.has('X-Amz-Signature') && !query.has('X-Amz-Algorithm')) return null;
  for (const name of ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-SignedHeaders', 'X-Amz-Date']) {
    if (!query.get(name)) throw new SigV4Error('IncompleteSignature', `AWS query-string parameters must include '${name}'.`, 400);
  }
  if (query.get('X-Amz-Algorithm') !== ALGORITHM_IDENTIFIER) {
    throw new SigV4Error('IncompleteSignature', `X-Amz-Algorithm only supports '${ALGORITHM_IDENTIFIER}'.`, 400);
  }
  const signingDate = parseLongDate(query.get('X-Amz-Date')!);
  if (!signingDate)
    throw new SigV4Error('IncompleteSignature', "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\".", 400);
  const expires = Number(query.get('X-Amz-Expires') ?? MAX_PRESIGNED_SECONDS);
  if (!Number.isInteger(expires) || expires < 1 || expires > MAX_PRESIGNED_SECONDS) {
    throw new SigV4Error('IncompleteSignature', 'X-Amz-Expires must be between 1 and 604800 seconds.', 400);
  }
  return checkedScope({
    form: 'query',
    ...parseCredential(query.get('X-Amz-Credential')!),
    longDate: longDateOf(signingDate),
    signingDate,
    signedHeaders: query.get('X-Amz-SignedHeaders')!.split(';'),
    signature: query.get('X-Amz-Signature')!,
    sessionToken: query.get('X-Amz-Security-Token'),
    expiresSeconds: expires,
  });
}

function checkedScope(signed: SignedRequest & { day: string }): SignedRequest {
  const { day, ...rest } = signed;
  if (day !== signed.longDate.slice(0, 8)) {
    throw new SigV4Error(
      'SignatureDoesNotMatch',
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${day.slice(0, 16)}' != '${signed.longDate.slice(0, 8)}', from '${signed.longDate}'.`,
    );
  }
  if (!rest.signedHeaders.includes('host')) {
    throw new SigV4Error('SignatureDoesNotMatch', "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  }
  return rest;
}

/**
 * The time rules, before any secret is looked up: a header-signed request within 15 minutes of
 * the server's clock (AWS's "Signature expired" wording), a presigned one before it expires.
 */
export function checkSigningTime(signed: SignedRequest, now: Date): void {
  const at = signed.signingDate.getTime();
  if (signed.form === 'query') {
    if (now.getTime() > at + signed.expiresSeconds! * 1000) throw new SigV4Error('RequestExpired', 'Request has expired.');
    if (at - now.getTime() > MAX_CLOCK_SKEW_MS) throw notYetCurrent(signed, now);
    return;
  }
  if (now.getTime() - at > MAX_CLOCK_SKEW_MS) {
    throw new SigV4Error(
      'RequestTimeTooSkewed',
      `Signature expired: ${signed.longDate} is now earlier than ${longDateOf(new Date(now.getTime() - MAX_CLOCK_SKEW_MS))} (${longDateOf(now)} - 15 min.)`,
    );
  }
  if (at - now.getTime() > MAX_CLOCK_SKEW_MS) throw notYetCurrent(signed, now);
}

function notYetCurrent(signed: SignedRequest, now: Date): SigV4Error {
  return new SigV4Error(
    'RequestTimeTooSkewed',
    `Signature not yet current: ${signed.longDate} is still later than ${longDateOf(new Date(now.getTime() + MAX_CLOCK_SKEW_MS))} (${longDateOf(now)} + 15 min.)`,
  );
}

/** node:crypto in the shape the signer takes (a SHA-256 hash, or an HMAC-SHA256 when given a secret). */
export class NodeSha256 {
  private readonly hash: Hash | Hmac;

  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', toBuffer(secret));
  }

  update(data: Uint8Array): void {
    this.hash.update(data);
  }

  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

function toBuffer(value: string | ArrayBuffer | ArrayBufferView): Buffer {
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  if (ArrayBuffer.isView(value)) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  return Buffer.from(value);
}

/** The SDK's signer, asked only for the pieces a verifier needs. */
class SignatureRecomputer extends SignatureV4 {
  async signatureFor(signed: SignedRequest, request: ReceivedRequest, payloadHash: string): Promise<string> {
    const headers: Record<string, string> = {};
    for (const name of signed.signedHeaders) {
      const value = header(request.headers, name);
      if (value === undefined) throw new SigV4Error('SignatureDoesNotMatch', MESSAGES.signatureDoesNotMatch);
      headers[name] = value;
    }
    const query: Record<string, string | string[]> = {};
    for (const key of new Set(request.query.keys())) {
      const values = request.query.getAll(key);
      query[key] = values.length === 1 ? values[0] : values;
    }
    const httpRequest = { method: request.method, protocol: 'http:', hostname: '', path: request.rawPath, query, headers };
    const canonicalHeaders = getCanonicalHeaders(httpRequest, undefined, new Set(signed.signedHeaders));
    const canonicalRequest = this.createCanonicalRequest(httpRequest, canonicalHeaders, payloadHash);
    const stringToSign = await this.createStringToSign(signed.longDate, signed.scope, canonicalRequest, ALGORITHM_IDENTIFIER);
    return this.sign(stringToSign, { signingDate: signed.signingDate, signingRegion: signed.region, signingService: signed.service });
  }
}

/**
 * The payload hashes the signature may cover: x-amz-content-sha256 when sent (and then it must be
 * the body's, unless UNSIGNED-PAYLOAD), else the body's hash. A presigned URL without
 * X-Amz-Content-Sha256 may have signed either UNSIGNED-PAYLOAD (botocore, and S3 from every SDK)
 * or the body's hash (the JavaScript and Go SDKs outside S3); AWS accepts both.
 */
function payloadHashesOf(signed: SignedRequest, request: ReceivedRequest): string[] {
  const declared =
    header(request.headers, 'x-amz-content-sha256') ?? (signed.form === 'query' ? request.query.get('X-Amz-Content-Sha256') : null);
  const actual = request.body.length === 0 ? EMPTY_SHA256 : createHash('sha256').update(request.body).digest('hex');
  if (declared === null || declared === undefined) return signed.form === 'query' ? [UNSIGNED_PAYLOAD, actual] : [actual];
  if (declared !== UNSIGNED_PAYLOAD && declared.toLowerCase() !== actual) {
    throw new SigV4Error('XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.", 400);
  }
  return [declared];
}

/**
 * Recomputes the signature of `request` with `secretAccessKey` and compares it in constant time
 * with the one the client sent; SignatureDoesNotMatch when they differ.
 */
export async function verifySignature(signed: SignedRequest, request: ReceivedRequest, secretAccessKey: string): Promise<void> {
  const signer = new SignatureRecomputer({
    credentials: { accessKeyId: signed.accessKeyId, secretAccessKey, sessionToken: signed.sessionToken ?? undefined },
    region: signed.region,
    service: signed.service,
    sha256: NodeSha256,
    // S3 signs the path as sent; every other service signs it URI-encoded once more.
    uriEscapePath: signed.service !== 's3',
    applyChecksum: false,
  });
  const presented = Buffer.from(signed.signature, 'utf8');
  for (const payloadHash of payloadHashesOf(signed, request)) {
    const expected = Buffer.from(await signer.signatureFor(signed, request, payloadHash), 'utf8');
    if (expected.length === presented.length && timingSafeEqual(expected, presented)) return;
  }
  throw new SigV4Error('SignatureDoesNotMatch', MESSAGES.signatureDoesNotMatch);
}
