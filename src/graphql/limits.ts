import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import {
  GraphQLError,
  Kind,
  getNamedType,
  isLeafType,
  type ASTVisitor,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';
import type { GraphQLContext } from './context';

/**
 * Costs are in page items: one `listObjects` key (~0.45 ms measured on the 2-core development
 * machine, the dearest item measured) is 1. What a root field costs before its items
 * (authorization, its resolver's round trip, one self-audit event) was measured at 0.5 ms
 * (getCallerIdentity) to 3.8 ms (listRegions: the whole region catalog, which the item count
 * cannot see) per extra alias, so every root field is priced at ten items: at least its real cost.
 */
export const ROOT_FIELD_COST = 10;
/**
 * `__schema` builds the whole schema description: ~70 ms measured for GraphiQL's introspection
 * query, priced as the ~150 items that take as long, rounded up. One full introspection fits the
 * default budget many times over; ten in one request do not.
 */
export const SCHEMA_INTROSPECTION_COST = 200;

export interface QueryShapeLimits {
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  maxRootFields: number;
}

/**
 * Validation rules that refuse a document by its shape before anything runs: depth, aliases and
 * directives from GraphQL Armor, and the root-field cap. Depth leaves `__schema` to graphql's own
 * MaxIntrospectionDepthRule (part of the specified rules): GraphiQL's introspection query is 15
 * deep but finite, while that rule refuses the cyclic `fields { type { fields …` nesting that
 * makes introspection expensive.
 */
export function queryShapeRules(limits: QueryShapeLimits): ValidationRule[] {
  const { validationRules } = new ApolloArmor({
    maxDepth: { n: limits.maxDepth, ignoreIntrospection: true, flattenFragments: true },
    maxAliases: { n: limits.maxAliases },
    maxDirectives: { n: limits.maxDirectives },
    // Tokens are limited by graphql's parser itself (parseOptions.maxTokens in server.ts); Armor's
    // token plugin throws from a hook Apollo answers with a 500. Cost is priced below, by page size.
    maxTokens: { enabled: false },
    costLimit: { enabled: false },
    blockFieldSuggestion: { enabled: false },
  }).protect();
  return [...validationRules, rootFieldLimitRule(limits.maxRootFields)];
}

/**
 * Refuses operations with more than `max` root fields. Each root field (each alias of one) is a
 * separate API call with its own self-audit event, so this bounds what one request fans out into.
 * Fields with the same response key merge into one call and count once.
 */
export function rootFieldLimitRule(max: number): ValidationRule {
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(node) {
      const count = rootFieldCount(node.selectionSet, (name) => context.getFragment(name) ?? undefined);
      if (count > max) {
        context.reportError(
          new GraphQLError(
            `Operation has ${count} root fields (aliases count); the maximum is ${max}: send the others in further requests.`,
            { nodes: [node] },
          ),
        );
      }
    },
  });
}

/** The root fields (response keys) of an operation, through its fragments: each is one API call. */
export function rootFieldCount(set: SelectionSetNode, fragment: (name: string) => FragmentDefinitionNode | undefined): number {
  const keys = new Set<string>();
  const seen = new Set<string>();
  const collect = (s: SelectionSetNode) => {
    for (const sel of s.selections) {
      if (sel.kind === Kind.FIELD) keys.add(sel.alias?.value ?? sel.name.value);
      else if (sel.kind === Kind.INLINE_FRAGMENT) collect(sel.selectionSet);
      else if (!seen.has(sel.name.value)) {
        seen.add(sel.name.value);
        const def = fragment(sel.name.value);
        if (def) collect(def.selectionSet);
      }
    }
  };
  collect(set);
  return keys.size;
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

/**
 * The cost of one field: a paged field costs its children per page item; an object costs 1 plus
 * its children; scalars and enums cost nothing (the work of a list is its number of items, not
 * the number of columns asked for). A Relay edge and its `node` are one item, and `pageInfo` is
 * computed from the page, so `edges { node { key } } pageInfo { … }` costs one per item. Root
 * fields add their fixed cost on top.
 */
function fieldEstimator(schema: GraphQLSchema): ComplexityEstimator {
  const roots = new Set([schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].filter(Boolean));
  return ({ type, field, args, childComplexity }) => {
    const named = getNamedType(field.type);
    const size = pageSize(args);
    let cost: number;
    if (size !== undefined) cost = 1 + childComplexity * Math.max(1, size);
    else if (isLeafType(named)) cost = 0;
    else if (named.name === 'PageInfo') cost = 0;
    else if (field.name === 'node' && type.name.endsWith('Edge')) cost = childComplexity;
    else cost = 1 + childComplexity;
    if (!roots.has(type as never)) return cost;
    if (field.name === '__typename') return cost;
    return cost + (field.name === '__schema' ? SCHEMA_INTROSPECTION_COST : ROOT_FIELD_COST);
  };
}

/**
 * Rejects operations whose estimated cost exceeds `max` before any resolver runs; the price of
 * an accepted one goes to `onPriced` (the caller's account is charged for it before the
 * operation runs, so the next request meets the charge).
 */
export function complexityLimitPlugin(
  max: number,
  onPriced: (ctx: GraphQLContext, cost: number, rootFields: number) => Promise<void> | void = () => undefined,
): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, operation, schema, contextValue }) {
          let complexity: number;
          try {
            complexity = getComplexity({
              schema,
              query: document,
              operationName: request.operationName ?? undefined,
              variables: request.variables ?? {},
              estimators: [fieldEstimator(schema)],
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
          const fragments = new Map(
            document.definitions
              .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
              .map((d) => [d.name.value, d]),
          );
          await onPriced(contextValue, complexity, operation ? rootFieldCount(operation.selectionSet, (name) => fragments.get(name)) : 1);
        },
      };
    },
  };
}
