import type { ApolloServerPlugin } from '@apollo/server';

/**
 * HTTP statuses for GraphQL responses whose errors say more than "200 with errors": a client or
 * proxy that retries on 503 (as AWS SDKs do) needs the status, not only `extensions.code`.
 */
const STATUS_BY_CODE: Record<string, number> = {
  ServiceUnavailableException: 503,
};

export function httpStatusPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          for (const error of response.body.singleResult.errors ?? []) {
            const status = STATUS_BY_CODE[String(error.extensions?.code)];
            if (status) {
              response.http.status = status;
              return;
            }
          }
        },
      };
    },
  };
}
