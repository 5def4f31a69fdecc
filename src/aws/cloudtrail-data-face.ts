import type { AwsRequest, AwsResponse, AwsServiceFace, RunGraphQL } from './aws-face';
import { awsError } from './aws-errors';

const PUT_AUDIT_EVENTS =
  'mutation PutAuditEvents($input: PutAuditEventsInput!) { putAuditEvents(input: $input) ' +
  '{ successful { id eventID } failed { id errorCode errorMessage } } }';

/** Statuses other than CloudTrail Data's default 400 (its model states none). */
const STATUS: Record<string, number> = { InternalFailure: 500, ServiceUnavailableException: 503 };

function error(request: AwsRequest, code: string, message: string, status = STATUS[code] ?? 400): AwsResponse {
  return awsError('rest-json', 'cloudtrail-data', code, message, status, request.context.meta.requestId);
}

/**
 * CloudTrail Data (REST-JSON, 2021-08-11): `POST /PutAuditEvents?channelArn=…&externalId=…` with
 * `{"auditEvents": [{id, eventData, eventDataChecksum}]}`, which `aws cloudtrail-data
 * put-audit-events` and boto3's `cloudtrail-data` client send. It runs as the GraphQL
 * putAuditEvents, whose members are the model's own names, so its authorization (a partner's
 * through the channel's resource policy), per-event errors and self-audit are the same.
 */
export function cloudTrailDataFace(run: RunGraphQL): AwsServiceFace {
  return async (request) => {
    if (request.method !== 'POST' || request.path !== '/PutAuditEvents') {
      return error(
        request,
        'UnknownOperationException',
        `CloudTrail Data has no operation at ${request.method} ${request.path.slice(0, 200)}.`,
      );
    }
    let body: { auditEvents?: unknown };
    try {
      body = request.body.length ? JSON.parse(request.body.toString('utf8')) : {};
    } catch {
      return error(request, 'SerializationException', 'The request body is not valid JSON.');
    }
    const events = body.auditEvents;
    const input = {
      channelArn: request.query.get('channelArn'),
      externalId: request.query.get('externalId') ?? undefined,
      auditEvents: Array.isArray(events)
        ? events.map((e: Record<string, unknown>) => ({ id: e?.id, eventData: e?.eventData, eventDataChecksum: e?.eventDataChecksum }))
        : events,
    };
    const result = await run(request.context, PUT_AUDIT_EVENTS, { input });
    const failure = result.errors?.[0];
    if (failure || !result.data?.putAuditEvents) {
      const code = String(failure?.extensions?.code ?? 'InternalFailure');
      // Variables the schema refuses (a missing channelArn, events that are not a list) are the
      // model's validation errors.
      if (code === 'BAD_USER_INPUT' || code === 'GRAPHQL_VALIDATION_FAILED') return error(request, 'ValidationException', failure!.message);
      return error(request, code, failure?.message ?? 'The request processing has failed because of an unknown error.');
    }
    return {
      status: 200,
      headers: { 'content-type': 'application/json', 'x-amzn-requestid': request.context.meta.requestId },
      body: JSON.stringify(result.data.putAuditEvents),
    };
  };
}
