import { CHANNEL_OPERATIONS } from '../lake/channels/channels.operations';
import { INSIGHTS_OPERATIONS } from '../insights/insights.operations';
import { INTEGRITY_OPERATIONS } from '../integrity/integrity.operations';
import { LAKE_STORE_OPERATIONS } from '../lake/lake-store.operations';
import { LAKE_QUERY_OPERATIONS } from '../lake/query/lake-query.operations';
import { STORAGE_OPERATIONS } from '../storage/storage.operations';
import { TRAIL_OPERATIONS } from '../trails/trails.operations';
import { operationSpecsOf } from './operation.decorator';
import type { OperationSpecs } from './operation-spec';
import { RESOLVERS } from './resolvers';

/** Domains not yet moved to @Operation on their resolver methods. */
const LEGACY_SPECS: OperationSpecs[] = [
  STORAGE_OPERATIONS, TRAIL_OPERATIONS,
  INSIGHTS_OPERATIONS, INTEGRITY_OPERATIONS, LAKE_STORE_OPERATIONS, LAKE_QUERY_OPERATIONS, CHANNEL_OPERATIONS,
];

/** Merges the specs of the resolver classes (and the legacy lists); a field declared twice is an error. */
export function buildOperationCatalog(resolvers: readonly Function[], legacy: OperationSpecs[] = []): OperationSpecs {
  const catalog: OperationSpecs = {};
  for (const specs of [...legacy, ...resolvers.map(operationSpecsOf)]) {
    for (const [field, spec] of Object.entries(specs)) {
      if (catalog[field]) throw new Error(`Operation ${field} is declared twice`);
      catalog[field] = spec;
    }
  }
  return catalog;
}

let catalog: OperationSpecs | undefined;

/**
 * Every root field's authorization and audit spec. Built on first use, not at import: resolver
 * modules (streaming's live stream) import this one back.
 */
export function operationCatalog(): OperationSpecs {
  return (catalog ??= buildOperationCatalog(RESOLVERS, LEGACY_SPECS));
}
