import { createHash } from 'node:crypto';

/**
 * The notification CloudTrail publishes to a trail's SNS topic after a log file delivery
 * (spec §5.4), in SNS's HTTP notification shape: `Message` is the JSON string
 * `{"s3Bucket": …, "s3ObjectKey": [ …keys ]}`. log-file-notifier.ts sends it with
 * `sendSignedWebhook({ url: topic.endpoint, secret: topic.signingSecret, body, id: MessageId })`.
 */
export interface LogFileNotification {
  Type: 'Notification';
  MessageId: string;
  TopicArn: string;
  Subject: string;
  Message: string;
  Timestamp: string;
}

export function buildLogFileNotification(input: {
  topicArn: string;
  s3Bucket: string;
  keys: string[];
  region: string;
  timestamp?: Date;
}): LogFileNotification {
  const Message = JSON.stringify({ s3Bucket: input.s3Bucket, s3ObjectKey: input.keys });
  // Derived from the topic and the files: a re-sent notification keeps its id, so a receiver
  // that de-duplicates on x-opentrail-delivery-id / MessageId sees it once.
  const h = createHash('sha256').update(`${input.topicArn}\n${Message}`).digest('hex');
  return {
    Type: 'Notification',
    MessageId: `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`,
    TopicArn: input.topicArn,
    Subject: `CloudTrail log file delivery (${input.region})`,
    Message,
    Timestamp: (input.timestamp ?? new Date()).toISOString(),
  };
}
