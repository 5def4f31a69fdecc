import type { Pool } from 'pg';
import type { EntityManager } from 'typeorm';
import { TopicEntity } from './topic.entity';

/** Where a trail's notifications go, and the key they are signed with. */
export interface NotificationTarget {
  topicArn: string;
  endpoint: string;
  signingSecret: string;
}

/**
 * The hand-written statements on `notification_topics`: the owner's creation runs in its tenant
 * transaction; the delivery worker's lookup runs on the pool, as the service.
 */
export const topicRepository = {
  /** Inserts the topic; false when the account already has one of that name in the region. */
  async insertUnlessNameTaken(m: EntityManager, topic: TopicEntity): Promise<boolean> {
    const inserted = await m.createQueryBuilder().insert().into(TopicEntity).values(topic).orIgnore().returning(['id']).execute();
    return inserted.raw.length > 0;
  },

  /** The topic a trail names: by ARN, or by name in the trail's home region, of the trail's account. */
  async targetForTrail(pool: Pool, accountId: string, snsTopicName: string, homeRegion: string): Promise<NotificationTarget | null> {
    const { rows } = await pool.query(
      `SELECT topic_arn, endpoint, signing_secret FROM notification_topics
       WHERE account_id = $1 AND (topic_arn = $2 OR (name = $2 AND region = $3)) LIMIT 1`,
      [accountId, snsTopicName, homeRegion],
    );
    return rows[0] ? { topicArn: rows[0].topic_arn, endpoint: rows[0].endpoint, signingSecret: rows[0].signing_secret } : null;
  },
};
