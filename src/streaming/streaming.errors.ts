import { OpenTrailError } from '../common/errors';

export const StreamingErrors = {
  invalidParameter: (message: string) => new OpenTrailError('InvalidParameterException', message),
  topicExists: (name: string) =>
    new OpenTrailError('InvalidParameterException', `Invalid parameter: Topic ${name} already exists in this account and region.`),
  topicNotFound: (arn: string) => new OpenTrailError('NotFoundException', `Topic does not exist: ${arn}`, 404),
  ruleNotFound: (name: string) => new OpenTrailError('ResourceNotFoundException', `Rule ${name} does not exist.`, 404),
  invalidWebhookUrl: (reason: string) => new OpenTrailError('InvalidParameterException', `Invalid webhook URL: ${reason}.`),
};
