import { compileEventPattern, type EventPattern } from './event-pattern';

/** Compiled patterns by source text: derived data, safe to hold per process. */
const cache = new Map<string, EventPattern>();
const MAX_ENTRIES = 5000;

export function cachedPattern(source: string): EventPattern {
  let compiled = cache.get(source);
  if (!compiled) {
    compiled = compileEventPattern(source);
    if (cache.size >= MAX_ENTRIES) cache.clear();
    cache.set(source, compiled);
  }
  return compiled;
}
