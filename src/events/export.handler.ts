import type { RequestHandler, Response } from 'express';
import { OpenTrailError } from '../common/errors';
import type { ApiCallRecorder } from '../common/api-call';
import { type EventHistoryService, type LookupQuery, eventTimeOf } from './event-history.service';
import type { StoredEventRow } from './event.repository';
import { type AccountLimits, EVENTS_READ_PER_POINT } from '../common/account-limits';
import { asClientError, authorizeHttp, type HttpAuthServices, sendError } from './http-auth';
import type { Metrics } from '../observability/metrics';

/** What GET /event-history/export uses. */
export interface ExportServices extends HttpAuthServices {
  apiCallRecorder: ApiCallRecorder;
  eventHistory: Pick<EventHistoryService, 'filterFor' | 'iterateEvents'>;
  accountLimits: Pick<AccountLimits, 'charge'>;
  metrics: Pick<Metrics, 'exportsRunning'>;
}

/** The console's event history CSV columns. */
export const CSV_COLUMNS = [
  'Event ID',
  'Event time',
  'User name',
  'Event name',
  'Resource type',
  'Resource name',
  'Event source',
  'AWS access key',
  'AWS region',
  'Error code',
  'Source IP address',
  'Read-only',
];

function csvField(value: string | null): string {
  const text = value ?? '';
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(r: StoredEventRow): string {
  const list = (values: string[]) => values.filter((v) => v !== '').join(', ');
  return (
    [
      r.event_id,
      eventTimeOf(r),
      r.username,
      r.event_name,
      list(r.resource_types),
      list(r.resource_names),
      r.event_source,
      r.access_key_id,
      r.region,
      r.error_code,
      r.source_ip_address,
      r.read_only === null ? '' : String(r.read_only),
    ]
      .map(csvField)
      .join(',') + '\r\n'
  );
}

class ClientGone extends Error {}

/**
 * Writes a chunk, waiting for 'drain' when the socket's buffer is full; fails once the client has
 * gone, whose 'drain' never comes (a download cut off mid-way would otherwise hold its handler,
 * and a page of up to 1,000 records, for the life of the process).
 */
async function write(res: Response, chunk: string): Promise<void> {
  if (res.destroyed) throw new ClientGone();
  if (res.write(chunk)) return;
  await new Promise<void>((resolve, reject) => {
    const settle = (gone: boolean) => {
      res.off('drain', onDrain);
      res.off('close', onClose);
      if (gone) reject(new ClientGone());
      else resolve();
    };
    const onDrain = () => settle(false);
    const onClose = () => settle(true);
    res.on('drain', onDrain);
    res.on('close', onClose);
  });
}

function queryOf(q: Record<string, unknown>): LookupQuery {
  const single = (name: string): string | undefined => {
    const v = q[name];
    if (v === undefined || typeof v === 'string') return v;
    throw new OpenTrailError('InvalidParameterException', `Give ${name} once, as a string.`);
  };
  // Several lookup attributes, as lookupEvents takes them: attributeKey and attributeValue repeated in pairs.
  const each = (name: string): string[] => {
    const v = q[name];
    if (v === undefined) return [];
    if (typeof v === 'string') return [v];
    if (Array.isArray(v) && v.every((s) => typeof s === 'string')) return v;
    throw new OpenTrailError('InvalidParameterException', `${name} must be a string.`);
  };
  const keys = each('attributeKey');
  const values = each('attributeValue');
  if (keys.length !== values.length) {
    throw new OpenTrailError('InvalidLookupAttributesException', 'Give each attributeKey with its attributeValue, in pairs.');
  }
  return {
    lookupAttributes: keys.map((attributeKey, i) => ({ attributeKey, attributeValue: values[i] })),
    startTime: single('startTime'),
    endTime: single('endTime'),
    eventCategory: single('eventCategory'),
  };
}

/**
 * GET /event-history/export: streams exactly the slice lookupEvents would page through, as
 * `{"Records":[…]}` JSON or the console's CSV, in keyset pages of 1000.
 */
export function exportHandler(services: ExportServices): RequestHandler {
  return async (req, res) => {
    const auth = await authorizeHttp(req, res, services, 'cloudtrail:LookupEvents');
    const requestParameters = { ...(req.query as Record<string, unknown>) };
    const audit = (error?: OpenTrailError) =>
      auth.subject
        ? services.apiCallRecorder
            .recordApiCalls([
              {
                meta: auth.meta,
                subject: auth.subject,
                eventTime: new Date(),
                eventSource: 'cloudtrail.amazonaws.com',
                eventName: 'LookupEvents',
                readOnly: true,
                managementEvent: true,
                requestParameters,
                responseElements: null,
                errorCode: error?.code,
                errorMessage: error?.message.slice(0, 1024),
              },
            ])
            .catch((err) => services.logger.error({ err }, 'self-audit could not record an export'))
        : Promise.resolve();
    const format = req.query.format ?? 'json';
    let error = auth.error;
    let query: LookupQuery | null = null;
    try {
      if (!error && format !== 'json' && format !== 'csv')
        error = new OpenTrailError('InvalidParameterException', 'format must be json or csv.');
      if (!error && auth.ctx) {
        query = queryOf(req.query as Record<string, unknown>);
        services.eventHistory.filterFor(auth.ctx, query); // validates before any byte is sent
      }
    } catch (err) {
      error = asClientError(err, services);
    }
    await audit(error ?? undefined);
    if (error || !auth.ctx || !query) return sendError(res, error!);

    const csv = format === 'csv';
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    res.status(200);
    res.setHeader('content-type', csv ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8');
    res.setHeader('content-disposition', `attachment; filename="event-history-${auth.meta.region}-${stamp}.${csv ? 'csv' : 'json'}"`);
    services.metrics.exportsRunning.inc();
    let exported = 0;
    try {
      await write(res, csv ? CSV_COLUMNS.join(',') + '\r\n' : '{"Records":[');
      let first = true;
      for await (const rows of services.eventHistory.iterateEvents(auth.ctx, query)) {
        exported += rows.length;
        if (csv) {
          await write(res, rows.map(csvLine).join(''));
        } else {
          await write(res, (first ? '' : ',') + rows.map((r) => r.record).join(','));
          first = false;
        }
      }
      if (!csv) await write(res, ']}');
      await services.accountLimits.charge(auth.ctx.caller.accountId, Math.ceil(exported / EVENTS_READ_PER_POINT) - 1);
      res.end();
    } catch (err) {
      // What was read is paid for, whether or not the client stayed for it.
      if (err instanceof ClientGone) {
        await services.accountLimits
          .charge(auth.ctx.caller.accountId, Math.ceil(exported / EVENTS_READ_PER_POINT) - 1)
          .catch(() => undefined);
      } else {
        // Headers are gone: cut the stream so the client sees an incomplete download, not a wrong one.
        asClientError(err, services);
      }
      res.destroy();
    } finally {
      services.metrics.exportsRunning.dec();
    }
  };
}
