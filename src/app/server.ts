import http from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { requestPoints } from '../common/account-limits';
import { newRequestId } from '../common/ids';
import { authenticateRequest, requestMeta, type GraphQLContext } from '../graphql/context';
import { Errors } from '../common/errors';
import { isDatabaseUnavailable } from '../db/connection-errors';
import { contextFailure, formatError } from '../graphql/error-format';
import { httpStatusPlugin } from '../graphql/http-status.plugin';
import { graphiqlRouter } from '../graphql/graphiql';
import { consoleRouter } from '../console/console.router';
import { complexityLimitPlugin, queryShapeRules } from '../graphql/limits';
import { buildOpenTrailSchema } from '../graphql/schema';
import { selfAuditPlugin } from '../graphql/self-audit.plugin';
import { metricsHandler } from '../observability/metrics';
import { runWithRequestId } from '../observability/logger';
import { eventHttpRouter } from '../events/event-http.router';
import { attachLiveSubscriptions } from '../streaming/live-subscription.server';
import { awsRouter } from '../aws/aws-router';
import type { AwsServiceFace, RunGraphQL } from '../aws/aws-face';
import { cloudTrailDataFace } from '../aws/cloudtrail-data-face';
import { cloudTrailFace, jsonServiceFace, KMS } from '../aws/json-service-face';
import { s3Face } from '../aws/s3-face';
import { stsFace } from '../aws/sts-face';
import { accountAdmission } from './account-admission.middleware';
import type { Services } from './services';

const KNOWN_ROUTES = new Set(['graphql', 'graphiql', 'console', 'ingest', 'event-history', 'healthz', 'readyz', 'metrics']);

/** /readyz waits this long for PostgreSQL's answer before it says not ready. */
const READY_TIMEOUT_MS = 2000;

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Builds the HTTP server: the AWS protocols, /graphql, /graphiql, /ingest, /event-history/export, /healthz, /readyz, /metrics. */
export async function startServer(services: Services): Promise<RunningServer> {
  const { config, logger, metrics } = services;
  const schema = await buildOpenTrailSchema();
  const app = express();
  app.disable('x-powered-by');
  const httpServer = http.createServer(app);

  // Request id: taken from the client when it sends a sane one, else generated; echoed back.
  app.use((req, res, next) => {
    const offered = req.header('x-request-id');
    const requestId = offered && /^[\w.-]{1,128}$/.test(offered) ? offered : newRequestId();
    res.locals.requestId = requestId;
    res.setHeader('x-request-id', requestId);
    const started = process.hrtime.bigint();
    // Read now: a router mounted at /graphql rewrites req.path to '/' while it handles the request.
    const requestPath = req.path;
    runWithRequestId(requestId, () => {
      res.on('finish', () => {
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        // Label by the first path segment only, so client-chosen paths cannot explode the metric.
        const segment = requestPath.split('/')[1] ?? '';
        const route = KNOWN_ROUTES.has(segment) ? `/${segment}` : 'other';
        metrics.httpRequestDuration.observe({ route, status: String(res.statusCode) }, seconds);
        logger.info(
          { requestId, method: req.method, path: requestPath.slice(0, 200), status: res.statusCode, ms: Math.round(seconds * 1000) },
          'request',
        );
      });
      next();
    });
  });

  const apollo = new ApolloServer<GraphQLContext>({
    schema,
    introspection: true,
    validationRules: queryShapeRules({
      maxDepth: config.graphqlMaxDepth,
      maxAliases: config.graphqlMaxAliases,
      maxDirectives: config.graphqlMaxDirectives,
      maxRootFields: config.graphqlMaxRootFields,
    }),
    // graphql's own parser stops counting past this many tokens (GRAPHQL_MAX_TOKENS).
    parseOptions: { maxTokens: config.graphqlMaxTokens },
    formatError: (formatted, error) => formatError(formatted, error, (err) => logger.error({ err }, 'unhandled error in a resolver')),
    includeStacktraceInErrorResponses: false,
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      httpStatusPlugin(),
      // Admission took one point; the operation's price charges the rest to its account.
      complexityLimitPlugin(config.graphqlMaxComplexity, (ctx, cost, rootFields) => {
        if (ctx.caller) return services.accountLimits.charge(ctx.caller.accountId, requestPoints(cost, rootFields) - 1);
      }),
      selfAuditPlugin(
        () => schema,
        () => services.apiCallRecorder,
        (err) => logger.error({ err }, 'self-audit could not record a call'),
      ),
      {
        async requestDidStart() {
          const started = process.hrtime.bigint();
          return {
            async willSendResponse({ operation, request, response }) {
              const name =
                operation?.selectionSet.selections.map((s) => (s.kind === 'Field' ? s.name.value : '?')).join(',') ??
                request.operationName ??
                'unknown';
              const failed = response.body.kind === 'single' && (response.body.singleResult.errors?.length ?? 0) > 0;
              metrics.requestDuration.observe(
                { operation: name.slice(0, 100), outcome: failed ? 'error' : 'ok' },
                Number(process.hrtime.bigint() - started) / 1e9,
              );
            },
          };
        },
      },
    ],
  });
  await apollo.start();

  // Run by the AWS faces: the same server, so self-audit, limits and authorization plugins apply.
  const runGraphQL: RunGraphQL = async (contextValue, query, variables) => {
    const response = await apollo.executeOperation({ query, variables }, { contextValue });
    if (response.body.kind !== 'single') throw new Error('the AWS faces run single-result operations only');
    return response.body.singleResult;
  };
  // The AWS protocols (src/aws), before every other route: only SigV4-signed requests (and
  // unsigned AWS clients) are taken, by the service their credential scope names. Each service's
  // face is registered here.
  const awsFaces: Record<string, AwsServiceFace> = {
    sts: stsFace(runGraphQL, services.sessionSecrets),
    cloudtrail: cloudTrailFace(runGraphQL, schema),
    'cloudtrail-data': cloudTrailDataFace(runGraphQL),
    kms: jsonServiceFace(KMS, runGraphQL, schema),
    s3: s3Face(runGraphQL),
  };
  app.use(awsRouter(services, awsFaces));

  let ready = false;
  app.get('/healthz', (_req, res) => {
    res.status(ready ? 200 : 503).json({ status: ready ? 'ok' : 'starting' });
  });
  // Readiness, unlike /healthz (liveness): not ready while PostgreSQL cannot be reached, so a
  // load balancer sends requests elsewhere instead of restarting a process that will recover.
  app.get('/readyz', async (_req, res) => {
    if (await services.db.ping(READY_TIMEOUT_MS)) res.json({ status: 'ready' });
    else res.status(503).json({ status: 'database unavailable' });
  });
  app.get('/metrics', metricsHandler(metrics));
  app.use(graphiqlRouter());
  app.use(consoleRouter());
  // Per-account rate and concurrency limits, before bodies are read or anything is looked up.
  app.use(['/graphql', '/ingest', '/event-history/export'], accountAdmission(services));
  app.use(eventHttpRouter({ ...services, authenticateRequest: (req) => authenticateRequest(req, services) }));

  app.use(
    '/graphql',
    express.json({ limit: config.bodyLimitBytes }),
    expressMiddleware(apollo, {
      context: async ({ req, res }): Promise<GraphQLContext> => {
        const { meta, regionError } = requestMeta(req, res.locals.requestId, config.homeRegion);
        const auth = await authenticateRequest(req, services).catch((err: unknown) => {
          throw contextFailure(err);
        });
        return { meta, regionError, services, ...auth };
      },
    }),
  );

  // Body-parser errors (too large, malformed JSON) answer in the GraphQL error shape.
  app.use((err: { type?: string; status?: number }, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    if (err.type === 'entity.too.large') {
      res.status(413).json({
        errors: [
          { message: `Request body exceeds ${config.bodyLimitBytes} bytes.`, extensions: { code: 'RequestEntityTooLargeException' } },
        ],
      });
    } else if (err.type === 'entity.parse.failed') {
      res.status(400).json({ errors: [{ message: 'Request body is not valid JSON.', extensions: { code: 'ValidationException' } }] });
    } else if (isDatabaseUnavailable(err)) {
      const unavailable = Errors.serviceUnavailable();
      res.status(unavailable.httpStatus).json({ errors: [{ message: unavailable.message, extensions: { code: unavailable.code } }] });
    } else {
      logger.error({ err }, 'unhandled HTTP error');
      res.status(err.status && err.status < 500 ? err.status : 500).json({
        errors: [{ message: 'The request processing has failed because of an unknown error.', extensions: { code: 'InternalFailure' } }],
      });
    }
  });

  // Subscriptions (graphql-ws) share the port and the /graphql path.
  const live = attachLiveSubscriptions(httpServer, schema, services, services);
  await new Promise<void>((resolve) => httpServer.listen(config.port, config.host, resolve));
  ready = true;
  const address = httpServer.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const shownHost = config.host === '0.0.0.0' ? 'localhost' : config.host;
  return {
    url: `http://${shownHost}:${port}/graphql`,
    port,
    async close() {
      ready = false;
      await apollo.stop();
      await live.close();
      httpServer.closeAllConnections();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    },
  };
}
