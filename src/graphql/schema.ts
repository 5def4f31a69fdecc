import { GraphQLSchema, printSchema, lexicographicSortSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { authorizationMiddleware } from './authorization.middleware';
import { operationCatalog } from './operation-catalog';
import type { OperationSpecs } from './operation-spec';
import { RESOLVERS, resolverContainer } from './resolvers';
import type { GraphQLContext } from './context';
import { topicSubscriptionsUnsupported } from '../streaming/subscription-pubsub';

/** Builds the schema and checks that every root field has exactly one catalog entry. */
export async function buildOpenTrailSchema(): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    resolvers: RESOLVERS,
    container: ({ context }: { context: GraphQLContext }) => resolverContainer(context.services),
    globalMiddlewares: [authorizationMiddleware],
    pubSub: topicSubscriptionsUnsupported,
    validate: false,
    emitSchemaFile: false,
  });
  checkOperationCatalog(schema, operationCatalog());
  return schema;
}

/** The boot-time check: every root field (Query, Mutation, Subscription) has exactly one spec. */
export function checkOperationCatalog(schema: GraphQLSchema, catalog: OperationSpecs): void {
  const rootFields = [
    ...Object.keys(schema.getQueryType()?.getFields() ?? {}),
    ...Object.keys(schema.getMutationType()?.getFields() ?? {}),
    ...Object.keys(schema.getSubscriptionType()?.getFields() ?? {}),
  ];
  const missing = rootFields.filter((f) => !catalog[f]);
  const stale = Object.keys(catalog).filter((f) => !rootFields.includes(f));
  if (missing.length || stale.length) {
    throw new Error(
      `Operation catalog out of step with the schema: missing ${missing.join(', ') || 'none'}; unknown ${stale.join(', ') || 'none'}`,
    );
  }
}

/** The SDL committed as schema/schema.graphql (sorted, so it diffs cleanly). */
export function printOpenTrailSchema(schema: GraphQLSchema): string {
  return printSchema(lexicographicSortSchema(schema)) + '\n';
}
