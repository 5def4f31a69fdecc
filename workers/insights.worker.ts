import type { Services } from '../src/app/services';

/**
 * Minutes younger than this are not judged yet: events of a minute keep arriving (and being
 * routed into its count) for a few seconds after it ends.
 */
const SETTLE_MS = 60_000;

/** The `insights` queue: the repeatable detection run over every counted (account, region). */
export const insightsWorker = (services: Services) => async () => services.insights.detection.analyze(new Date(Date.now() - SETTLE_MS));
