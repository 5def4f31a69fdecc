import type { ApolloServerPlugin } from '@apollo/server';
import {
  GraphQLError,
  Kind,
  getNamedType,
  isLeafType,
  type ASTVisitor,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';

/** Rejects documents nested deeper than `maxDepth` fields (fragments are followed, cycles are not). */
export function depthLimitRule(maxDepth: number) {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const def of context.getDocument().definitions) {
      if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
    }
    const depthOf = (set: SelectionSetNode | undefined, seen: Set<string>): number => {
      if (!set) return 0;
      let max = 0;
      for (const sel of set.selections) {
        if (sel.kind === Kind.FIELD) max = Math.max(max, sel.selectionSet ? 1 + depthOf(sel.selectionSet, seen) : 1);
        else if (sel.kind === Kind.INLINE_FRAGMENT) max = Math.max(max, depthOf(sel.selectionSet, seen));
        else if (!seen.has(sel.name.value)) {
          const fragment = fragments.get(sel.name.value);
          max = Math.max(max, depthOf(fragment?.selectionSet, new Set([...seen, sel.name.value])));
        }
      }
      return max;
    };
    return {
      OperationDefinition(node) {
        const depth = depthOf(node.selectionSet, new Set());
        if (depth > maxDepth) {
          context.reportError(new GraphQLError(`Query depth ${depth} exceeds the maximum of ${maxDepth}.`, { nodes: [node] }));
        }
      },
    };
  };
}

const PAGE_SIZE_ARGS = ['first', 'maxResults', 'maxItems'];

/** The page size a field asks for, as a top-level argument or inside its `input` object. */
function pageSize(args: Record<string, any>): number | undefined {
  for (const source of [args, args.input]) {
    if (!source || typeof source !== 'object') continue;
    for (const name of PAGE_SIZE_ARGS) if (typeof source[name] === 'number') return source[name];
  }
  return undefined;
}

/** A paged field costs its children times the page size asked for. */
const pagedEstimator: ComplexityEstimator = ({ args, childComplexity }) => {
  const size = pageSize(args);
  return size !== undefined ? 1 + childComplexity * Math.max(1, size) : undefined;
};

/**
 * Objects cost 1 plus their children; scalar and enum fields cost nothing: the work of a list is
 * its number of items, not the number of columns asked for (CloudTrail's largest pages, 1000
 * items with a handful of fields, stay well inside the default limit).
 */
const objectEstimator: ComplexityEstimator = ({ field, childComplexity }) => (isLeafType(getNamedType(field.type)) ? 0 : 1 + childComplexity);

/** Rejects operations whose estimated cost exceeds `max` before any resolver runs. */
export function complexityLimitPlugin(max: number): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, schema }) {
          let complexity: number;
          try {
            complexity = getComplexity({
              schema,
              query: document,
              operationName: request.operationName ?? undefined,
              variables: request.variables ?? {},
              estimators: [pagedEstimator, objectEstimator],
            });
          } catch (err) {
            // getComplexity coerces the variables first; invalid ones are the client's mistake.
            throw new GraphQLError(err instanceof Error ? err.message : 'Invalid variables.', {
              extensions: { code: 'ValidationException', http: { status: 400 } },
            });
          }
          if (complexity > max) {
            throw new GraphQLError(`Query complexity ${complexity} exceeds the maximum of ${max}.`, {
              extensions: { code: 'ValidationException', http: { status: 400 } },
            });
          }
        },
      };
    },
  };
}
