import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLSchema, Kind, OperationTypeNode, type FieldNode, type FragmentDefinitionNode } from 'graphql';
import { collectFields } from 'graphql/execution/collectFields';
import { getArgumentValues } from 'graphql/execution/values';
import type { AuditSubject } from '../auth/authenticator';
import { type ApiCall, type ApiCallRecorder, redactSecrets } from '../common/api-call';
import type { RequestMeta } from '../common/request-context';
import type { GraphQLContext } from './context';
import { operationCatalog } from './operation-catalog';

/**
 * Self-audit: every root field of every executed operation becomes one CloudTrail event of the
 * caller's account and region, written before the response is sent. A field may carry a subject
 * of its own (createSession: the owner of the key it presented). Calls whose credentials name no
 * account (none, a forged or malformed token, a throttled sign-in) are recorded in the
 * installation's management account, sampled per address (auth/unattributed-calls.ts). A failed
 * sign-in is recorded the way CloudTrail records a failed ConsoleLogin.
 */
export function selfAuditPlugin(
  schema: () => GraphQLSchema,
  recorder: () => ApiCallRecorder,
  onFailure: (err: unknown) => void,
): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, document, operation, request, response }) {
          if (!operation || response.body.kind !== 'single') return;
          const eventTime = new Date();
          const { data, errors } = response.body.singleResult;
          const readOnly = operation.operation === OperationTypeNode.QUERY;
          const rootType = readOnly ? schema().getQueryType() : schema().getMutationType();
          let requestSubject: Promise<AuditSubject | null> | null = contextValue.auditSubject
            ? Promise.resolve(contextValue.auditSubject)
            : null;
          const calls: ApiCall[] = [];
          try {
            // The root fields as execution sees them: through inline fragments and fragment spreads
            // (`{ ... on Mutation { deleteTrail(…) } }` is a call too), without the @skip'ped ones.
            const fragments: Record<string, FragmentDefinitionNode> = {};
            for (const d of document?.definitions ?? []) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
            const fields = rootType
              ? [...collectFields(schema(), fragments, request.variables ?? {}, rootType, operation.selectionSet).values()].map(
                  (nodes) => nodes[0],
                )
              : [];
            for (const selection of fields) {
              if (selection.name.value.startsWith('__')) continue;
              const spec = operationCatalog()[selection.name.value];
              const fieldDef = rootType?.getFields()[selection.name.value];
              if (!spec || !fieldDef) continue;
              const key = selection.alias?.value ?? selection.name.value;
              const error = errors?.find((e) => e.path?.[0] === key);
              const own = contextValue.fieldAudit?.get(key);
              if (own?.failedSignIn && error) {
                calls.push(failedSignIn(contextValue.meta, own.subject, eventTime));
                continue;
              }
              if (!own) requestSubject ??= contextValue.services.unattributedCalls.bearerFailureSubject(contextValue.meta.sourceIp);
              const subject = own ? own.subject : await requestSubject;
              if (!subject) continue;
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
            if (calls.length > 0) await recorder().recordApiCalls(calls);
          } catch (err) {
            onFailure(err);
          }
        },
      };
    },
  };
}

/**
 * A failed createSession as CloudTrail records a failed ConsoleLogin (spec §2.5): no request
 * parameters (the secret never reaches the record), `{"ConsoleLogin":"Failure"}`, errorMessage
 * "Failed authentication" and no errorCode; whether the key was unknown, inactive or the secret
 * wrong is not told apart, in the record as to the caller's key owner.
 */
function failedSignIn(meta: RequestMeta, subject: AuditSubject, eventTime: Date): ApiCall {
  return {
    meta,
    subject,
    eventTime,
    eventSource: 'signin.amazonaws.com',
    eventName: 'ConsoleLogin',
    eventType: 'AwsConsoleSignIn',
    readOnly: false,
    managementEvent: true,
    requestParameters: null,
    responseElements: { ConsoleLogin: 'Failure' },
    additionalEventData: { LoginTo: meta.host ? `http://${meta.host}/graphql` : '/graphql', MobileVersion: 'No', MFAUsed: 'No' },
    errorMessage: 'Failed authentication',
  };
}

function argumentsOf(
  fieldDef: Parameters<typeof getArgumentValues>[0],
  node: FieldNode,
  variables: Record<string, unknown>,
): Record<string, unknown> {
  try {
    return getArgumentValues(fieldDef, node, variables);
  } catch {
    return {};
  }
}
