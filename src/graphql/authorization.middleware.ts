import type { MiddlewareFn } from 'type-graphql';
import { Errors } from '../common/errors';
import { authorize } from '../policies/authorize';
import type { GraphQLContext } from './context';
import { operationCatalog } from './operation-catalog';

/**
 * The one place every operation is authorized: before a root field resolves, its spec in the
 * operation catalog names the IAM action and resource, and the caller's policies must allow it
 * (explicit deny wins, default deny). Nested fields pass straight through.
 */
export const authorizationMiddleware: MiddlewareFn<GraphQLContext> = async ({ context, info, args }, next) => {
  if (info.path.prev !== undefined) return next();
  const spec = operationCatalog()[info.fieldName];
  if (!spec) throw Errors.internal();
  if (context.regionError) throw context.regionError;
  if (spec.public) return next();
  const caller = context.caller;
  if (!caller) throw context.authError ?? Errors.unauthenticated();
  if (spec.action) {
    const resource = spec.resource ? spec.resource(args, caller, context.meta) : '*';
    authorize({ caller }, spec.action, resource);
  }
  return next();
};
