import type { IncomingHttpHeaders } from 'node:http';
import type { AwsResponse } from './aws-face';

/**
 * Errors the router answers before a face runs (signature, credentials, limits, an unknown
 * service), in the error shape of the request's protocol, told by its own markers: a JSON
 * protocol request carries X-Amz-Target, S3 is REST-XML, CloudTrail Data REST-JSON, and the
 * rest (STS) is the query protocol.
 */
export type AwsProtocol = 'query' | 'json' | 'rest-json' | 'rest-xml';

export function protocolOf(service: string | null, headers: IncomingHttpHeaders): AwsProtocol {
  if (headers['x-amz-target']) return 'json';
  if (service === 's3') return 'rest-xml';
  if (service === 'cloudtrail-data') return 'rest-json';
  return 'query';
}

/**
 * `code` is the query protocol's (STS's) name for an error, except for the few the protocols
 * name differently all round: those are renamed for each, STS's included.
 */
const QUERY_CODES: Record<string, string> = { RequestTimeTooSkewed: 'SignatureDoesNotMatch' };
const JSON_CODES: Record<string, string> = {
  MissingAuthenticationToken: 'MissingAuthenticationTokenException',
  IncompleteSignature: 'IncompleteSignatureException',
  InvalidClientTokenId: 'UnrecognizedClientException',
  SignatureDoesNotMatch: 'InvalidSignatureException',
  ExpiredToken: 'ExpiredTokenException',
  RequestExpired: 'InvalidSignatureException',
  RequestTimeTooSkewed: 'InvalidSignatureException',
  Throttling: 'ThrottlingException',
  InvalidAction: 'UnknownOperationException',
  ServiceUnavailable: 'ServiceUnavailableException',
};
const S3_CODES: Record<string, string> = {
  MissingAuthenticationToken: 'AccessDenied',
  IncompleteSignature: 'AuthorizationHeaderMalformed',
  InvalidClientTokenId: 'InvalidAccessKeyId',
  RequestExpired: 'AccessDenied',
  Throttling: 'SlowDown',
  InvalidAction: 'NotImplemented',
};
/** S3 words a skewed clock its own way (the other protocols keep the signer's "Signature expired: …"). */
const S3_MESSAGES: Record<string, string> = {
  RequestTimeTooSkewed: 'The difference between the request time and the current time is too large.',
};

/** XML namespaces of the query-protocol services whose faces exist. */
const QUERY_NAMESPACES: Record<string, string> = { sts: 'https://sts.amazonaws.com/doc/2011-06-15/' };

export function escapeXml(value: string): string {
  return value.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
}

/** A query-protocol ErrorResponse (the shape botocore's query parser reads). */
export function queryError(namespace: string | null, code: string, message: string, status: number, requestId: string): AwsResponse {
  const type = status >= 500 ? 'Receiver' : 'Sender';
  const xmlns = namespace ? ` xmlns="${namespace}"` : '';
  return {
    status,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
    body:
      `<ErrorResponse${xmlns}>\n  <Error>\n    <Type>${type}</Type>\n    <Code>${escapeXml(code)}</Code>\n` +
      `    <Message>${escapeXml(message)}</Message>\n  </Error>\n  <RequestId>${escapeXml(requestId)}</RequestId>\n</ErrorResponse>\n`,
  };
}

/** `code` is the query protocol's name for the error; other protocols get theirs. */
export function awsError(
  protocol: AwsProtocol,
  service: string | null,
  code: string,
  message: string,
  status: number,
  requestId: string,
): AwsResponse {
  if (protocol === 'query')
    return queryError(QUERY_NAMESPACES[service ?? ''] ?? null, QUERY_CODES[code] ?? code, message, status, requestId);
  if (protocol === 'rest-xml') {
    return {
      status,
      headers: { 'content-type': 'application/xml', 'x-amz-request-id': requestId },
      body:
        `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${escapeXml(S3_CODES[code] ?? code)}</Code>` +
        `<Message>${escapeXml(S3_MESSAGES[code] ?? message)}</Message><RequestId>${escapeXml(requestId)}</RequestId></Error>`,
    };
  }
  const jsonCode = JSON_CODES[code] ?? code;
  return {
    status,
    headers: {
      'content-type': protocol === 'json' ? 'application/x-amz-json-1.1' : 'application/json',
      'x-amzn-requestid': requestId,
      'x-amzn-errortype': jsonCode,
    },
    body: JSON.stringify({ __type: jsonCode, message }),
  };
}
