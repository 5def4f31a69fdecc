import { operationSpecsOf } from './operation.decorator';
import type { OperationSpecs } from './operation-spec';
import { RESOLVERS } from './resolvers';

/** Merges the specs the resolver classes declare (@Operation); a field declared twice is an error. */
export function buildOperationCatalog(resolvers: readonly Function[]): OperationSpecs {
  const catalog: OperationSpecs = {};
  for (const specs of resolvers.map(operationSpecsOf)) {
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
  return (catalog ??= buildOperationCatalog(RESOLVERS));
}
