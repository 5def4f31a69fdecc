import type { Logger } from 'pino';

type Level = 'warn' | 'error';

interface Burst {
  level: Level;
  msg: string;
  fields: Record<string, unknown>;
  more: number;
  timer: NodeJS.Timeout;
}

/**
 * Log lines for failures that repeat while a dependency is down (a reconnecting Redis client,
 * a PostgreSQL pool): the first of a kind is written at once, later ones of the same kind within
 * the window are only counted, and each window that counted some ends with one summary line
 * ("N more like this in the last M s"). A quiet window ends the burst: the next occurrence is
 * written in full again. So an outage costs a few lines per kind per window, whatever the number
 * of connections and retries.
 */
export class RepeatedLog {
  private readonly bursts = new Map<string, Burst>();

  constructor(
    private readonly logger: Logger,
    readonly windowMs: number,
  ) {}

  warn(kind: string, fields: Record<string, unknown>, msg: string): void {
    this.note('warn', kind, fields, msg);
  }

  error(kind: string, fields: Record<string, unknown>, msg: string): void {
    this.note('error', kind, fields, msg);
  }

  private note(level: Level, kind: string, fields: Record<string, unknown>, msg: string): void {
    const burst = this.bursts.get(kind);
    if (burst) {
      burst.more++;
      burst.fields = fields;
      return;
    }
    this.logger[level](fields, msg);
    // Kinds come from code and error codes, so the map stays small; the cap is a backstop.
    if (this.bursts.size >= MAX_KINDS) return;
    const timer = setInterval(() => this.endWindow(kind), this.windowMs);
    timer.unref();
    this.bursts.set(kind, { level, msg, fields, more: 0, timer });
  }

  private endWindow(kind: string): void {
    const burst = this.bursts.get(kind);
    if (!burst) return;
    if (burst.more === 0) {
      clearInterval(burst.timer);
      this.bursts.delete(kind);
      return;
    }
    const seconds = Math.round(this.windowMs / 100) / 10;
    this.logger[burst.level](
      { ...burst.fields, repeated: burst.more, windowSeconds: seconds },
      `${burst.msg} (${burst.more} more like this in the last ${seconds} s)`,
    );
    burst.more = 0;
  }

  /** Writes the pending summaries now (at shutdown) and stops the timers. */
  flush(): void {
    for (const kind of [...this.bursts.keys()]) {
      const burst = this.bursts.get(kind)!;
      if (burst.more > 0) this.endWindow(kind);
      clearInterval(burst.timer);
      this.bursts.delete(kind);
    }
  }
}

const MAX_KINDS = 1000;

/** A short, stable description of an error for a log line and its repeat key (no stack: one line). */
export function errorSummary(err: unknown): { code?: string; message: string } {
  const e = err as { code?: unknown; message?: unknown; errors?: Array<{ message?: unknown }> };
  // An AggregateError (every address refused) has an empty message of its own.
  const message =
    typeof e?.message === 'string' && e.message !== ''
      ? e.message
      : typeof e?.errors?.[0]?.message === 'string'
        ? e.errors[0].message
        : String(err);
  return typeof e?.code === 'string' ? { code: e.code, message: message.slice(0, 500) } : { message: message.slice(0, 500) };
}

const perLogger = new WeakMap<Logger, RepeatedLog>();

/** The process's one RepeatedLog for a root logger, so every source of one kind counts together. */
export function repeatedLogFor(logger: Logger, windowSeconds: number): RepeatedLog {
  let log = perLogger.get(logger);
  if (!log) {
    log = new RepeatedLog(logger, windowSeconds * 1000);
    perLogger.set(logger, log);
  }
  return log;
}
