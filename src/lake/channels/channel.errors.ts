import { OpenTrailError } from '../../common/errors';

/** Channel exceptions (spec §9.1, §13) and the request-level errors of PutAuditEvents (§9.2). */
export const ChannelErrors = {
  arnInvalid: (value: string) =>
    new OpenTrailError('ChannelARNInvalidException', `The specified channel ARN or ID is not valid: ${value.slice(0, 256)}`),
  notFound: (value: string) =>
    new OpenTrailError('ChannelNotFoundException', `The specified channel ${value.slice(0, 256)} was not found.`, 404),
  alreadyExists: (what: string) =>
    new OpenTrailError('ChannelAlreadyExistsException', `A channel ${what} already exists in this account and Region.`, 409),
  maxLimit: (max: number) =>
    new OpenTrailError('ChannelMaxLimitExceededException', `Your account has the maximum number of channels (${max}) in this Region.`),
  invalidSource: (source: string) =>
    new OpenTrailError(
      'InvalidSourceException',
      `Source ${source.slice(0, 256)} is not valid: use Custom or the name of a partner integration (1-256 characters).`,
    ),
  invalidParameter: (message: string) => new OpenTrailError('InvalidParameterException', message),
  invalidNextToken: () => new OpenTrailError('InvalidNextTokenException', 'The nextToken is not valid.'),
  // PutAuditEvents (cloudtrail-data): request-level
  invalidChannelArn: (value: string) => new OpenTrailError('InvalidChannelARN', `The channel ARN ${value.slice(0, 256)} is not valid.`),
  channelNotFound: (value: string) => new OpenTrailError('ChannelNotFound', `The channel ${value.slice(0, 256)} was not found.`, 404),
  insufficientPermission: () =>
    new OpenTrailError(
      'ChannelInsufficientPermission',
      'The caller’s account is not the owner of the channel and no resource policy grants it access.',
      403,
    ),
  duplicatedId: (id: string) => new OpenTrailError('DuplicatedAuditEventId', `Two audit events of the request have the id ${id}.`),
  validation: (message: string) => new OpenTrailError('ValidationException', message),
};
