import type { Pool } from 'pg';
import type { Logger } from 'pino';
import type { Config } from '../config';
import { buildLogFileNotification } from './log-file-notification';
import { topicRepository } from '../streaming/topic.repository';
import { sendSignedWebhook } from '../common/webhooks/webhook-sender';
import type { PendingLogFile } from './trail-log-file.repository';
import { trailDeliveryStatusRepository as statusRepo } from './trail-delivery-status.repository';

/** The trail fields a notification needs. */
export interface NotifyingTrail {
  id: string;
  accountId: string;
  homeRegion: string;
  snsTopicName: string | null;
}

/**
 * Publishes after each delivered file. One attempt, after the delivery committed, not awaited by
 * the delivery loop (a slow receiver must not hold the group's lock): a failure is recorded in the
 * trail's status (LatestNotificationError) and never blocks or repeats a delivery. A crash between
 * the commit and the POST loses that one notification (at most once). Runs on the pool, not on
 * the delivering connection, because it outlives the file's delivery.
 */
export class LogFileNotifier {
  constructor(
    private readonly config: Config,
    private readonly logger?: Logger,
  ) {}

  async notify(client: Pool, trail: NotifyingTrail, file: PendingLogFile): Promise<boolean> {
    if (!trail.snsTopicName) return false;
    const status = { trailId: trail.id, region: file.region, trailAccountId: trail.accountId };
    const at = new Date();
    // SnsTopicName is a name (the topic of the trail's account in its home region) or an ARN.
    const topic = await topicRepository.targetForTrail(client, trail.accountId, trail.snsTopicName, trail.homeRegion);
    if (!topic) {
      await statusRepo.notification(client, status, at, 'NotFound');
      return false;
    }
    // CloudTrail's SNS message (spec §5.4) in SNS's HTTP notification shape, signed by the
    // shared webhook sender (HMAC over timestamp and body) instead of SNS's certificate.
    const body = buildLogFileNotification({
      topicArn: topic.topicArn,
      s3Bucket: file.bucket,
      keys: [file.objectKey],
      region: file.region,
      timestamp: at,
    });
    const result = await sendSignedWebhook({ url: topic.endpoint, secret: topic.signingSecret, body, id: body.MessageId }, this.config);
    // The tenant's status gets the failure class only; the socket detail is for operators.
    if (!result.ok)
      this.logger?.warn(
        { topicArn: topic.topicArn, failure: result.failure, status: result.status, detail: result.detail },
        'log file notification failed',
      );
    await statusRepo.notification(client, status, new Date(), result.ok ? null : (result.error ?? `HTTP ${result.status}`));
    return result.ok;
  }
}
