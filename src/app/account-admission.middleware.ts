import type { RequestHandler } from 'express';
import { ThrottlingError } from '../common/errors';
import { FairScheduler } from './fair-scheduler';
import type { Services } from './services';

/**
 * Per-account admission for /graphql, /ingest and /event-history/export, before anything else
 * is spent on the request: the account comes from the session token's signed claims (an HMAC
 * check, no database), so a refused request costs no body parsing, no principal lookup, no
 * GraphQL parse and no self-audit write: the flood a limit refuses must be cheap to refuse.
 * Requests without a valid session pass through and fail authentication on their own path
 * (sign-in throttling is src/auth's). The slot is given back when the response closes.
 *
 * An admitted GraphQL request then waits for its turn in this process (FairScheduler,
 * GRAPHQL_MAX_RUNNING_REQUESTS): accounts take turns round-robin, so another account's queue of
 * admitted requests never sits ahead of this one. Uploads and exports have their own slots.
 */
export function accountAdmission(services: Services): RequestHandler {
  const scheduler = new FairScheduler(services.config.graphqlMaxRunningRequests);
  return async (req, res, next) => {
    const match = /^Bearer\s+(\S{1,8192})$/i.exec(req.header('authorization') ?? '');
    const verified = match ? services.tokens.verify(match[1]) : null;
    if (!verified || !('claims' in verified) || 'error' in verified) return next();
    let leave: (() => void) | null = null;
    try {
      // While the machine is contended, the tenant crowding it is refused first, at no cost.
      leave = services.contention.enter(verified.claims.acct, verified.claims.org);
      if (!leave) throw new ThrottlingError(1);
      // An upload also takes the account's ingest budget and one of its few ingest slots.
      const admission = await services.accountLimits.admit(verified.claims.acct, req.baseUrl === '/ingest' ? 'ingest' : 'request');
      const graphql = req.baseUrl === '/graphql';
      const endTurn = graphql ? await scheduler.turn(verified.claims.acct) : () => undefined;
      // A client that went away while it was admitted or waiting gets its slot back at once ('close' fired).
      const done = leave;
      if (req.socket.destroyed) {
        endTurn();
        admission.release();
        done();
        return;
      }
      res.on('close', () => {
        endTurn();
        admission.release();
        done();
      });
      next();
    } catch (err) {
      leave?.();
      if (!(err instanceof ThrottlingError)) return next(err);
      res.status(err.httpStatus).setHeader('retry-after', String(err.retryAfterSeconds));
      // A large unread body (an /ingest upload) is not worth receiving only to discard it.
      if (req.method !== 'GET' && !(Number(req.header('content-length') ?? Infinity) <= 64 * 1024)) res.setHeader('connection', 'close');
      // GraphQL answers in its error shape (code in extensions), the plain endpoints in theirs.
      if (req.baseUrl === '/graphql' || req.path === '/graphql') {
        res.json({ errors: [{ message: err.message, extensions: { code: err.code } }] });
      } else {
        res.json({ errorCode: err.code, message: err.message });
      }
    }
  };
}
