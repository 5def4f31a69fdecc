import { OpenTrailError } from '../common/errors';

/** Tag exceptions of spec §1.4 / §4.8, for every taggable resource. */
export const TagErrors = {
  tagsLimit: (max: number) =>
    new OpenTrailError('TagsLimitExceededException', `The number of tags on the resource would exceed the limit of ${max}.`),
  tagParameter: (message: string) => new OpenTrailError('InvalidTagParameterException', message),
  invalidParameter: (message: string) => new OpenTrailError('InvalidParameterException', message),
  resourceNotFound: (resourceId: string) => new OpenTrailError('ResourceNotFoundException', `Resource not found: ${resourceId}`, 404),
};
