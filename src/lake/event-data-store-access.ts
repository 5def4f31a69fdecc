import type { EntityManager } from 'typeorm';
import type { RequestContext } from '../common/request-context';
import { actAsTenant } from '../db/database';
import { isManagementOrDelegatedAdmin } from '../organizations/organization-admin';
import { EventDataStoreEntity } from './event-data-store.entity';
import { parseStoreReference } from './event-data-store-names';
import { LakeErrors } from './lake.errors';

/**
 * Finding the event data store a request names, inside one tenant transaction. A store is visible
 * to its owner and, when organization-enabled, to a delegated administrator of its organization
 * (spec §11.2); member accounts cannot see organization stores. Anything else — another tenant's
 * store, another Region's — is reported exactly like a store that does not exist.
 */
export async function resolveStore(m: EntityManager, ctx: RequestContext, reference: string): Promise<EventDataStoreEntity> {
  const ref = parseStoreReference(reference);
  const store = await m.findOneBy(EventDataStoreEntity, { id: ref.id });
  if (!store || store.region !== ctx.region || (ref.accountId !== null && store.accountId !== ref.accountId))
    throw LakeErrors.notFound(reference);
  if (store.accountId === ctx.caller.accountId) return store;
  // An organization store is owned by the management account: past the owner, a delegated administrator.
  if (
    store.organizationEnabled &&
    store.organizationId === ctx.caller.organizationId &&
    (await isManagementOrDelegatedAdmin(m, ctx.caller, store.accountId))
  )
    return store;
  throw LakeErrors.notFound(reference);
}

/**
 * The store for a change. A delegated administrator acting on an organization store gets the
 * transaction re-scoped to the owner (the management account) so row-level security admits the
 * write; the caller's right to act was checked by resolveStore.
 */
export async function resolveStoreForWrite(
  m: EntityManager,
  ctx: RequestContext,
  reference: string,
  opts: { allowPendingDeletion?: boolean } = {},
): Promise<EventDataStoreEntity> {
  const store = await resolveStore(m, ctx, reference);
  if (store.status === 'PENDING_DELETION' && !opts.allowPendingDeletion) throw LakeErrors.inactive(store.arn);
  if (store.accountId !== ctx.caller.accountId) await actAsTenant(m, { accountId: store.accountId, organizationId: store.organizationId });
  return store;
}

/** The store's event categories, from its selectors' eventCategory conditions. */
export function storeCategories(store: Pick<EventDataStoreEntity, 'advancedEventSelectors'>): Set<string> {
  const out = new Set<string>();
  for (const s of store.advancedEventSelectors) {
    const category = s.FieldSelectors.find((f) => f.Field === 'eventCategory')?.Equals?.[0];
    if (category) out.add(category);
  }
  return out;
}

const CLOUDTRAIL_EVENT_CATEGORIES = new Set(['Management', 'Data', 'NetworkActivity']);

/** Stores of CloudTrail events (aggregation and imports feed them). */
export function holdsCloudTrailEvents(store: Pick<EventDataStoreEntity, 'advancedEventSelectors'>): boolean {
  const categories = storeCategories(store);
  return categories.size > 0 && [...categories].every((c) => CLOUDTRAIL_EVENT_CATEGORIES.has(c));
}

/** Integration stores (channels feed them). */
export function holdsActivityAuditLog(store: Pick<EventDataStoreEntity, 'advancedEventSelectors'>): boolean {
  const categories = storeCategories(store);
  return categories.size === 1 && categories.has('ActivityAuditLog');
}
