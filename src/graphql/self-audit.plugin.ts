import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLSchema, Kind, OperationTypeNode, type FieldNode } from 'graphql';
import { getArgumentValues } from 'graphql/execution/values';
import { type ApiCall, type ApiCallRecorder, redactSecrets } from '../common/api-call';
import type { GraphQLContext } from './context';
import { OPERATION_CATALOG } from './operation-catalog';

/**
 * Self-audit: every root field of every executed operation becomes one CloudTrail event of the
 * caller's account and region, written before the response is sent. Calls that cannot be
 * attributed to any account (no token, a forged token, an unknown access key) are not recorded:
 * there is no tenant whose history they would belong to.
 */
export function selfAuditPlugin(schema: () => GraphQLSchema, recorder: () => ApiCallRecorder, onFailure: (err: unknown) => void): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, operation, request, response }) {
          const subject = contextValue.auditSubject;
          if (!subject || !operation || response.body.kind !== 'single') return;
          const eventTime = new Date();
          const { data, errors } = response.body.singleResult;
          const readOnly = operation.operation === OperationTypeNode.QUERY;
          const rootType = readOnly ? schema().getQueryType() : schema().getMutationType();
          const calls: ApiCall[] = [];
          for (const selection of operation.selectionSet.selections) {
            if (selection.kind !== Kind.FIELD || selection.name.value.startsWith('__')) continue;
            const spec = OPERATION_CATALOG[selection.name.value];
            const fieldDef = rootType?.getFields()[selection.name.value];
            if (!spec || !fieldDef) continue;
            const key = selection.alias?.value ?? selection.name.value;
            const error = errors?.find((e) => e.path?.[0] === key);
            const args = argumentsOf(fieldDef, selection, request.variables ?? {});
            const result = data?.[key];
            calls.push({
              meta: contextValue.meta,
              subject,
              eventTime,
              eventSource: spec.eventSource,
              eventName: spec.eventName,
              readOnly,
              managementEvent: !spec.dataEvent,
              requestParameters: spec.auditRequest ? spec.auditRequest(args) : (redactSecrets(args) as Record<string, unknown>),
              responseElements:
                readOnly || error || result === undefined || result === null
                  ? null
                  : spec.auditResponse
                    ? spec.auditResponse(result)
                    : (redactSecrets(typeof result === 'object' ? result : { result }) as Record<string, unknown>),
              errorCode: error ? String(error.extensions?.code ?? 'InternalFailure') : undefined,
              errorMessage: error ? error.message.slice(0, 1024) : undefined,
            });
          }
          if (calls.length === 0) return;
          try {
            await recorder().recordApiCalls(calls);
          } catch (err) {
            onFailure(err);
          }
        },
      };
    },
  };
}

function argumentsOf(fieldDef: Parameters<typeof getArgumentValues>[0], node: FieldNode, variables: Record<string, unknown>): Record<string, unknown> {
  try {
    return getArgumentValues(fieldDef, node, variables);
  } catch {
    return {};
  }
}
