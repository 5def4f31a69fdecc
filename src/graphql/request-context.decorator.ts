import { createParameterDecorator } from 'type-graphql';
import { type GraphQLContext, requestContext } from './context';

/**
 * Parameter decorator: the authenticated caller's request context, the first argument every
 * service takes. Resolved after the authorization middleware, so an unauthenticated call has
 * already been refused with the request's auth error.
 */
export function CallerRequest() {
  return createParameterDecorator<GraphQLContext>(({ context }) => requestContext(context));
}
