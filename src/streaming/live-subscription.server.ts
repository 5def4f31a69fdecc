import type http from 'node:http';
import { GraphQLError, type GraphQLSchema, getOperationAST, parse } from 'graphql';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import type { Authenticator } from '../auth/authenticator';
import { newRequestId } from '../common/ids';
import type { Config } from '../config';
import { type GraphQLContext, requestMeta } from '../graphql/context';
import { formatError } from '../graphql/error-format';

// graphql-ws publishes this entry only through package "exports", which the project's
// moduleResolution (node10) does not read: load it at runtime, type it from its file.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { useServer } = require('graphql-ws/use/ws') as typeof import('graphql-ws/dist/use/ws');

const bearerToken = (value: unknown): string | null =>
  (typeof value === 'string' ? /^Bearer\s+(\S+)$/i.exec(value)?.[1] : undefined) ?? null;

/** What the subscription server itself uses (the resolvers get their services in the context). */
export interface LiveSubscriptionServices {
  config: Pick<Config, 'homeRegion'>;
  logger: Logger;
  authenticator: Pick<Authenticator, 'authenticate'>;
}

/**
 * graphql-ws on the api's HTTP server, path /graphql (subscriptions only in practice).
 * connectionParams: `authorization: "Bearer <token>"` (required) and `x-region` (optional).
 * Authentication is the same Authenticator the HTTP path uses; authorization happens per
 * subscription (streaming/live-stream.ts) through the same middleware and catalog.
 * `resolverServices` is what each subscription's context carries, as over HTTP.
 */
export function attachLiveSubscriptions(
  httpServer: http.Server,
  schema: GraphQLSchema,
  services: LiveSubscriptionServices,
  resolverServices: GraphQLContext['services'],
): { close(): Promise<void> } {
  const wss = new WebSocketServer({ server: httpServer, path: '/graphql' });
  const cleanup = useServer<Record<string, unknown> | undefined>(
    {
      schema,
      // A missing, invalid or expired token is refused at connection (close 4403 Forbidden);
      // each subscription authenticates again, as a token may expire while the socket lives.
      onConnect: async ({ connectionParams }) => {
        const token = bearerToken(connectionParams?.authorization);
        if (!token) return false;
        return 'caller' in (await services.authenticator.authenticate(token));
      },
      // Only subscriptions: queries and mutations go through HTTP, where the self-audit plugin
      // and the request limits run; over this socket they would skip both.
      onSubscribe: (_ctx, _id, payload) => {
        let operation;
        try {
          operation = getOperationAST(parse(payload.query), payload.operationName);
        } catch (err) {
          return [err instanceof GraphQLError ? err : new GraphQLError('The subscription document could not be parsed.')];
        }
        if (operation?.operation !== 'subscription') {
          return [new GraphQLError('Only subscriptions are served over WebSocket; send queries and mutations to POST /graphql.')];
        }
        return undefined;
      },
      // Errors carry the same CloudTrail-style codes as over HTTP (Apollo's formatError there).
      onNext: (_ctx, _id, _payload, _args, result) => {
        if (!result.errors) return undefined;
        const log = (err: unknown) => services.logger.error({ err }, 'unhandled error in a subscription');
        return { ...result, errors: result.errors.map((e) => formatError(e.toJSON(), e, log)) };
      },
      // Before execution only the document can be wrong (syntax, validation, not a subscription).
      onError: (_ctx, _id, _payload, errors) =>
        errors.map((e) => ({ message: e.message, locations: e.locations, extensions: { code: 'ValidationException' } })),
      context: async ({ connectionParams, extra }): Promise<GraphQLContext> => {
        const req = extra.request;
        // The region and token come from connectionParams (browsers cannot set WebSocket headers).
        const headers = { ...req.headers, authorization: String(connectionParams?.authorization ?? '') } as http.IncomingHttpHeaders;
        const region = connectionParams?.['x-region'];
        if (typeof region === 'string') headers['x-region'] = region;
        const fake = { headers, socket: req.socket } as http.IncomingMessage;
        const { meta, regionError } = requestMeta(fake, newRequestId(), services.config.homeRegion);
        const token = bearerToken(headers.authorization);
        const result = token ? await services.authenticator.authenticate(token) : null;
        const caller = result && 'caller' in result ? result.caller : null;
        const authError = result && 'error' in result ? result.error : null;
        return { meta, regionError, services: resolverServices, caller, authError, auditSubject: null };
      },
    },
    wss,
  );
  return {
    async close() {
      for (const client of wss.clients) client.terminate();
      await cleanup.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
