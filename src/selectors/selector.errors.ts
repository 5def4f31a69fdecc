import { OpenTrailError } from '../common/errors';

/** Selector exceptions, the same for trails and event data stores. */
export const SelectorErrors = {
  eventSelectors: (message: string) => new OpenTrailError('InvalidEventSelectorsException', message),
  insightSelectors: (message: string) => new OpenTrailError('InvalidInsightSelectorsException', message),
};
