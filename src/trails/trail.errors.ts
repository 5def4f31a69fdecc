import { OpenTrailError } from '../common/errors';
import { SelectorErrors } from '../selectors/selector.errors';
import { TagErrors } from '../tagging/tag.errors';

/** CloudTrail trail exceptions with the observed messages of spec §1.4, §4.6 and §13.3. */
export const TrailErrors = {
  // Tag errors (and the ResourceNotFoundException of tagging) are the tagging module's; trails override none.
  ...TagErrors,
  invalidName: (message: string) => new OpenTrailError('InvalidTrailNameException', message),
  notFound: (nameOrArn: string, accountId: string) =>
    new OpenTrailError('TrailNotFoundException', `Unknown trail: ${nameOrArn} for the user: ${accountId}`, 404),
  alreadyExists: (name: string, accountId: string) =>
    new OpenTrailError('TrailAlreadyExistsException', `Trail ${name} already exists for customer: ${accountId}`, 409),
  maximumTrails: (region: string) =>
    new OpenTrailError(
      'MaximumNumberOfTrailsExceededException',
      `User already has 5 trails in ${region}. Delete a trail (or a multi-Region trail that appears here) before creating another.`,
    ),
  arnInvalid: (arn: string) =>
    new OpenTrailError(
      'CloudTrailARNInvalidException',
      `ARN ${arn} is not a valid trail ARN (arn:aws:cloudtrail:<region>:<account-id>:trail/<name>).`,
    ),
  arnWrongRegion: (region: string) =>
    new OpenTrailError('CloudTrailARNInvalidException', `Region in ARN is wrong, you can only access resources in region ${region}.`),
  homeRegion: (homeRegion: string) =>
    new OpenTrailError(
      'InvalidHomeRegionException',
      `This operation must be called from the trail's home region, ${homeRegion}; in other regions the trail is a read-only shadow.`,
    ),
  multiRegionNeedsGlobal: () =>
    new OpenTrailError('InvalidParameterCombinationException', 'Multi-Region trail must include global service events.'),
  parameterCombination: (message: string) => new OpenTrailError('InvalidParameterCombinationException', message),
  invalidParameter: (message: string) => new OpenTrailError('InvalidParameterException', message),
  s3Prefix: (length: number) =>
    new OpenTrailError(
      'InvalidS3PrefixException',
      `S3 key prefix too long. Maximum allowed length: 200 characters. Specified prefix length: ${length} characters.`,
    ),
  s3BucketName: (name: string) =>
    new OpenTrailError(
      'InvalidS3BucketNameException',
      `Bucket name ${name} is not valid: use 3-63 lowercase letters, digits, periods and hyphens, starting and ending with a letter or digit, not formatted as an IP address.`,
    ),
  snsTopicName: (name: string) =>
    new OpenTrailError(
      'InvalidSnsTopicNameException',
      `SNS topic name ${name} is not valid: use 1-256 letters, digits, hyphens and underscores, or a topic ARN.`,
    ),
  snsTopicMissing: () =>
    new OpenTrailError('InsufficientSnsTopicPolicyException', 'SNS Topic does not exist or the topic policy is incorrect!'),
  kmsKeyId: (keyId: string) =>
    new OpenTrailError(
      'InvalidKmsKeyIdException',
      `KMS key ${keyId} is not valid: use a key id (UUID), key ARN, alias/<name> or alias ARN.`,
    ),
  logGroupArn: () =>
    new OpenTrailError(
      'InvalidCloudWatchLogsLogGroupArnException',
      'cloudWatchLogsLogGroupArn must be arn:aws:logs:<region>:<account-id>:log-group:<name>:* and be given together with cloudWatchLogsRoleArn.',
    ),
  logsRoleArn: () =>
    new OpenTrailError(
      'InvalidCloudWatchLogsRoleArnException',
      'cloudWatchLogsRoleArn must be an IAM role ARN (arn:aws:iam::<account-id>:role/<name>) and be given together with cloudWatchLogsLogGroupArn.',
    ),
  organizationsNotInUse: () =>
    new OpenTrailError(
      'OrganizationsNotInUseException',
      'This account is not a member of an organization: organization trails need AWS Organizations.',
    ),
  notOrganizationMaster: (detail: string) => new OpenTrailError('NotOrganizationMasterAccountException', detail, 403),
  operationNotPermitted: (detail: string) => new OpenTrailError('OperationNotPermittedException', detail, 403),
  ...SelectorErrors,
  insightNotEnabled: (name: string) =>
    new OpenTrailError(
      'InsightNotEnabledException',
      `Trail ${name} does not have Insights enabled. Edit the trail settings to enable Insights, and then try the operation again.`,
    ),
};
