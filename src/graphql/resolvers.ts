import type { NonEmptyArray } from 'type-graphql';
import { AuthResolver } from '../auth/auth.resolver';
import { ChannelResolver } from '../lake/channels/channel.resolver';
import { EventsResolver } from '../events/events.resolver';
import { InsightsResolver } from '../insights/insights.resolver';
import { IntegrityResolver } from '../integrity/integrity.resolver';
import { EventDataStoreResolver } from '../lake/event-data-store.resolver';
import { LakeImportResolver } from '../lake/imports/lake-import.resolver';
import { LakeQueryResolver } from '../lake/query/lake-query.resolver';
import { DelegatedAdminResolver } from '../organizations/delegated-admin.resolver';
import { OrganizationsResolver } from '../organizations/organizations.resolver';
import { KmsResolver } from '../kms/kms.resolver';
import { IamResolver } from '../principals/iam.resolver';
import { RegionsResolver } from '../regions/regions.resolver';
import { StreamingResolver } from '../streaming/streaming.resolver';
import { StorageResolver } from '../storage/storage.resolver';
import { TrailSelectorsResolver } from '../trails/trail-selectors.resolver';
import { TrailResolver } from '../trails/trail.resolver';

/** Every resolver class of the schema. */
export const RESOLVERS: NonEmptyArray<Function> = [AuthResolver, RegionsResolver, IamResolver, OrganizationsResolver, DelegatedAdminResolver, EventsResolver, StorageResolver, TrailResolver, TrailSelectorsResolver, StreamingResolver, InsightsResolver, KmsResolver, IntegrityResolver, EventDataStoreResolver, LakeImportResolver, LakeQueryResolver, ChannelResolver];
