import { GraphQLSchema, printSchema, lexicographicSortSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { authorizationMiddleware } from './authorization.middleware';
import { OPERATION_CATALOG } from './operation-catalog';
import { RESOLVERS } from './resolvers';
import { topicSubscriptionsUnsupported } from '../streaming/subscription-pubsub';

/** Builds the schema and checks that every root field has exactly one catalog entry. */
export async function buildOpenTrailSchema(): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    resolvers: RESOLVERS,
    globalMiddlewares: [authorizationMiddleware],
    pubSub: topicSubscriptionsUnsupported,
    validate: false,
    emitSchemaFile: false,
  });
  const rootFields = [
    ...Object.keys(schema.getQueryType()?.getFields() ?? {}),
    ...Object.keys(schema.getMutationType()?.getFields() ?? {}),
    ...Object.keys(schema.getSubscriptionType()?.getFields() ?? {}),
  ];
  const missing = rootFields.filter((f) => !OPERATION_CATALOG[f]);
  const stale = Object.keys(OPERATION_CATALOG).filter((f) => !rootFields.includes(f));
  if (missing.length || stale.length) {
    throw new Error(`Operation catalog out of step with the schema: missing ${missing.join(', ') || 'none'}; unknown ${stale.join(', ') || 'none'}`);
  }
  return schema;
}

/** The SDL committed as schema/schema.graphql (sorted, so it diffs cleanly). */
export function printOpenTrailSchema(schema: GraphQLSchema): string {
  return printSchema(lexicographicSortSchema(schema)) + '\n';
}
