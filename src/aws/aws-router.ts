import type { IncomingHttpHeaders } from 'node:http';
import express, { type RequestHandler, type Response } from 'express';
import { subjectOf } from '../auth/authenticator';
import { OpenTrailError, ThrottlingError } from '../common/errors';
import { isDatabaseUnavailable } from '../db/connection-errors';
import { requestMeta, type GraphQLContext } from '../graphql/context';
import { isKnownRegion } from '../regions/region-catalog';
import type { AwsResponse, AwsServiceFace } from './aws-face';
import { awsError, protocolOf } from './aws-errors';
import { carriesSigV4, checkSigningTime, parseSigV4, SigV4Error, verifySignature } from './sigv4';

/**
 * Whether a request is the AWS face's: it carries SigV4 (header or presigned query), or a JSON
 * protocol's X-Amz-Target, or is a query-protocol form POST to `/` (an unsigned AWS client, which
 * then learns it is missing authentication). Everything else (/graphql, /ingest, /console …)
 * passes by untouched.
 */
function isAwsRequest(method: string, path: string, headers: IncomingHttpHeaders, query: URLSearchParams): boolean {
  if (carriesSigV4(headers, query) || headers['x-amz-target']) return true;
  return method === 'POST' && path === '/' && /^application\/x-www-form-urlencoded/i.test(headers['content-type'] ?? '');
}

/** A long-term (AKIA) or temporary (ASIA) access key id. */
const WELL_FORMED_KEY_ID = /^A[KS]IA[A-Z2-7]{16}$/;

function send(res: Response, response: AwsResponse, requestId: string): void {
  res.status(response.status);
  for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
  if (!res.hasHeader('x-amzn-requestid') && !res.hasHeader('x-amz-request-id')) res.setHeader('x-amzn-requestid', requestId);
  res.end(response.body);
}

/**
 * The AWS protocols' endpoint (issue 14), mounted before every other route: verifies SigV4, admits
 * the request under its account's limits as /graphql does, builds the GraphQL context a /graphql
 * request of the same caller would have (region from the credential scope, the client's own user
 * agent and address, the caller as the audit subject), and hands the request to the face of the
 * credential scope's service.
 */
export function awsRouter(services: GraphQLContext['services'], faces: Record<string, AwsServiceFace>): RequestHandler {
  const { config, logger } = services;
  const readBody = express.raw({ type: () => true, limit: config.bodyLimitBytes });
  return (req, res, next) => {
    const [rawPath, rawQuery = ''] = req.originalUrl.split('?', 2);
    const query = new URLSearchParams(rawQuery);
    if (!isAwsRequest(req.method, rawPath, req.headers, query)) return next();
    const requestId: string = res.locals.requestId;
    let service: string | null = null;
    const fail = (code: string, message: string, status: number) =>
      send(res, awsError(protocolOf(service, req.headers), service, code, message, status, requestId), requestId);

    const handle = async () => {
      const signed = parseSigV4(req.headers, query);
      if (!signed) throw new SigV4Error('MissingAuthenticationToken', 'Request is missing Authentication Token');
      service = signed.service;
      const face = faces[signed.service];
      // One endpoint serves every service; a scope naming one it does not serve is answered as
      // AWS answers an operation its endpoint does not have.
      if (!face)
        throw new OpenTrailError(
          'InvalidAction',
          'The action or operation requested is invalid. Verify that the action is typed correctly.',
        );
      if (!isKnownRegion(signed.region)) throw new SigV4Error('SignatureDoesNotMatch', 'Credential should be scoped to a valid region.');
      checkSigningTime(signed, new Date());
      const { meta } = requestMeta(req, requestId, signed.region);
      // A signature proves the secret, as createSession does: it passes the same sign-in
      // throttle, and a key id that is unknown or a signature that does not verify counts as a
      // failed sign-in. A malformed key id names no key, so only its address is counted.
      const attempt = await services.signInThrottle.beginSigned(
        WELL_FORMED_KEY_ID.test(signed.accessKeyId) ? signed.accessKeyId : null,
        meta.sourceIp,
      );
      const key = await services.authenticator.signingKey(signed.accessKeyId, signed.sessionToken);
      if ('error' in key) {
        if (key.error.code === 'InvalidClientTokenId') await attempt.failed();
        throw key.error;
      }
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      try {
        await verifySignature(signed, { method: req.method, rawPath, query, headers: req.headers, body }, key.secretAccessKey);
      } catch (err) {
        if (err instanceof SigV4Error && err.code === 'SignatureDoesNotMatch') await attempt.failed();
        throw err;
      }
      await attempt.succeeded();

      const admission = await services.accountLimits.admit(key.caller.accountId, 'request');
      res.on('close', () => admission.release());
      const context: GraphQLContext = {
        meta: { ...meta, region: signed.region },
        regionError: null,
        caller: key.caller,
        authError: null,
        auditSubject: subjectOf(key.caller),
        services,
      };
      let path = rawPath;
      try {
        path = decodeURIComponent(rawPath);
      } catch {
        // A malformed escape stays as sent; the face answers for the path it cannot find.
      }
      const response = await face({
        service: signed.service,
        region: signed.region,
        target: typeof req.headers['x-amz-target'] === 'string' ? req.headers['x-amz-target'] : null,
        method: req.method,
        path,
        query,
        headers: req.headers,
        body,
        context,
      });
      send(res, response, requestId);
    };

    readBody(req, res, (err?: { type?: string }) => {
      if (err?.type === 'entity.too.large')
        return fail('RequestEntityTooLarge', `Request body exceeds ${config.bodyLimitBytes} bytes.`, 413);
      if (err) return fail('MalformedInput', 'The request body could not be read.', 400);
      handle().catch((error: unknown) => {
        if (error instanceof SigV4Error) return fail(error.code, error.message, error.httpStatus);
        if (error instanceof ThrottlingError) {
          res.setHeader('retry-after', String(error.retryAfterSeconds));
          return fail('Throttling', 'Rate exceeded', 400);
        }
        if (error instanceof OpenTrailError) return fail(error.code, error.message, error.httpStatus);
        if (isDatabaseUnavailable(error)) return fail('ServiceUnavailable', 'Service is unable to handle request.', 503);
        logger.error({ err: error }, 'unhandled error in the AWS face');
        return fail('InternalFailure', 'The request processing has failed because of an unknown error.', 500);
      });
    });
  };
}
