import type { Pool, PoolClient } from 'pg';

/** Told of every connection error of a pool: where (`idle`, `checked out`) and what. */
export type ConnectionErrorListener = (err: Error, where: 'idle' | 'checked out') => void;

const listeners = new WeakMap<PoolClient, (err: Error) => void>();

/**
 * Makes a pool's connections safe to lose. pg emits `error` on a client whose socket dies, and
 * pg-pool listens only while the client is idle: a checked-out client (a transaction, a COPY, an
 * advisory-lock session) that loses its server crashed the process with an unhandled `error`
 * event. Here every checkout gets a listener for exactly its duration (pg-pool's `acquire` and
 * `release` events), so no call site needs one. The work in hand still fails: pg rejects the
 * query in flight and refuses later ones on that client, and pg-pool discards the broken client
 * when it is released; the outbox and job retries redo the work.
 */
export function guardPool(pool: Pool, onError: ConnectionErrorListener): Pool {
  pool.on('error', (err) => onError(err, 'idle'));
  pool.on('acquire', (client) => {
    const listener = (err: Error) => onError(err, 'checked out');
    listeners.set(client, listener);
    client.on('error', listener);
  });
  pool.on('release', (_err, client) => {
    const listener = listeners.get(client);
    if (!listener) return;
    listeners.delete(client);
    client.removeListener('error', listener);
  });
  return pool;
}
