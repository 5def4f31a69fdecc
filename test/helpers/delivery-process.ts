import path from 'node:path';
import type { Config } from '../../src/config';
import { requireCompiled, startNodeProcess, type ChildApp } from '../../bench/lib/app-process';
import { childEnv } from './app-processes';

/** The compiled worker script (test/helpers/delivery-child.ts); `npm test` compiles it first. */
export const DELIVERY_CHILD = path.resolve(__dirname, '../../dist/test/helpers/delivery-child.js');

export function requireCompiledChild(): void {
  requireCompiled(DELIVERY_CHILD);
}

/** Starts the workers of delivery-child.ts in a child process on the test's database, Redis and data dir. */
export async function startDeliveryChild(config: Config, extraEnv: Record<string, string> = {}): Promise<ChildApp> {
  const { proc } = await startNodeProcess(DELIVERY_CHILD, childEnv(config, { LOG_LEVEL: 'error', ...extraEnv }), /READY/, 'delivery child');
  return proc;
}
