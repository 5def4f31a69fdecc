import { AccountEntity } from '../accounts/account.entity';
import { TrailDeliveryStatusEntity } from '../delivery/trail-delivery-status.entity';
import { TrailLogFileEntity } from '../delivery/trail-log-file.entity';
import { TrailPendingEventEntity } from '../delivery/trail-pending-event.entity';
import { OutboxEntity } from '../events/outbox.entity';
import { ChannelEntity } from '../channels/channel.entity';
import { EventDataStoreEntity } from '../lake/event-data-store.entity';
import { LakeImportEntity, LakeImportFailureEntity } from '../lake/imports/lake-import.entity';
import { LakeQueryEntity } from '../lake/query/lake-query.entity';
import { DelegatedAdminEntity } from '../organizations/delegated-admin.entity';
import { OrganizationEntity } from '../organizations/organization.entity';
import { InlinePolicyEntity } from '../policies/inline-policy.entity';
import { PolicyAttachmentEntity } from '../policies/policy-attachment.entity';
import { AccessKeyEntity } from '../principals/access-key.entity';
import { RoleEntity } from '../principals/role.entity';
import { UserEntity } from '../principals/user.entity';
import { BucketEntity } from '../storage/bucket.entity';
import { DeadLetterEntity } from '../streaming/dead-letter.entity';
import { EventRuleEntity } from '../streaming/event-rule.entity';
import { TopicEntity } from '../streaming/topic.entity';
import { WebhookDeliveryEntity } from '../streaming/webhook-delivery.entity';
import { TrailEntity } from '../trails/trail.entity';

/** Every TypeORM entity. The partitioned `events` table is not an entity: see events/event.repository.ts. */
export const ENTITIES = [
  OrganizationEntity,
  AccountEntity,
  DelegatedAdminEntity,
  UserEntity,
  RoleEntity,
  AccessKeyEntity,
  InlinePolicyEntity,
  PolicyAttachmentEntity,
  OutboxEntity,
  TrailEntity,
  BucketEntity,
  TopicEntity,
  EventRuleEntity,
  WebhookDeliveryEntity,
  DeadLetterEntity,
  TrailDeliveryStatusEntity,
  TrailPendingEventEntity,
  TrailLogFileEntity,
  EventDataStoreEntity,
  ChannelEntity,
  LakeImportEntity,
  LakeImportFailureEntity,
  LakeQueryEntity,
];
