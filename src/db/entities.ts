import { DashboardEntity } from '../lake/dashboards/dashboard.entity';
import { AccountEntity } from '../accounts/account.entity';
import { ServiceSettingEntity } from '../crypto/service-setting.entity';
import { TrailDeliveryStatusEntity } from '../trails/trail-delivery-status.entity';
import { TrailLogFileEntity } from '../delivery/trail-log-file.entity';
import { TrailPendingEventEntity } from '../delivery/trail-pending-event.entity';
import { KmsAliasEntity } from '../kms/kms-alias.entity';
import { KmsKeyEntity } from '../kms/kms-key.entity';
import { OutboxEntity } from '../events/outbox.entity';
import { InsightHourAttributionEntity } from '../insights/insight-hour-attribution.entity';
import { InsightMinuteCountEntity } from '../insights/insight-minute-count.entity';
import { InsightRegionEntity } from '../insights/insight-region.entity';
import { InsightSeriesStateEntity } from '../insights/insight-series-state.entity';
import { DigestChainEntity } from '../integrity/digest-chain.entity';
import { DigestEntity, DigestLogFileEntity } from '../integrity/digest.entity';
import { SigningKeyEntity } from '../integrity/signing-key.entity';
import { ChannelEntity } from '../lake/channels/channel.entity';
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
import { WebhookTargetStateEntity } from '../streaming/webhook-target-state.entity';
import { TrailEntity } from '../trails/trail.entity';

/** Every TypeORM entity. The partitioned `events` table is not an entity: see events/event.repository.ts. */
export const ENTITIES = [
  ServiceSettingEntity,
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
  WebhookTargetStateEntity,
  DeadLetterEntity,
  TrailDeliveryStatusEntity,
  TrailPendingEventEntity,
  TrailLogFileEntity,
  InsightMinuteCountEntity,
  InsightHourAttributionEntity,
  InsightRegionEntity,
  InsightSeriesStateEntity,
  KmsKeyEntity,
  KmsAliasEntity,
  SigningKeyEntity,
  DigestChainEntity,
  DigestEntity,
  DigestLogFileEntity,
  EventDataStoreEntity,
  ChannelEntity,
  LakeImportEntity,
  LakeImportFailureEntity,
  LakeQueryEntity,
  DashboardEntity,
];
