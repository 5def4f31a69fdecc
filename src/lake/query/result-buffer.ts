/**
 * The process-wide budget of Lake result bytes held in memory: rows read from PostgreSQL and
 * not yet stored in `lake_query_results`, summed over every query this process runs
 * (LAKE_QUERY_BUFFER_BYTES). Past it, each runner stores what it holds and stops reading (the
 * server waits) until stored batches give bytes back, so concurrent queries cannot add up to
 * more than the budget plus one row and one socket chunk each. Reading never waits on another
 * query's unstored rows alone: a runner that pauses has handed its rows to the store first.
 */
export class ResultBuffer {
  private used = 0;
  private readonly listeners = new Set<() => void>();

  constructor(readonly limit: number) {}

  get bytes(): number {
    return this.used;
  }

  get full(): boolean {
    return this.used >= this.limit;
  }

  take(bytes: number): void {
    this.used += bytes;
  }

  give(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
    if (!this.full) for (const listener of [...this.listeners]) listener();
  }

  /** Calls `listener` whenever bytes come back while the budget is not full; returns its removal. */
  onRoom(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
