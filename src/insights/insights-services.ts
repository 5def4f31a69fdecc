import type { Logger } from 'pino';
import type { Config } from '../config';
import type { Database } from '../db/database';
import type { EventWriter } from '../events/event-writer';
import { InsightsDataService } from './insights-data.service';
import { InsightsDetectionService } from './insights-detection.service';
import { InsightsMetricsService } from './insights-metrics.service';
import { StoreInsightSelectorsService } from './store-insight-selectors.service';

/** The Insights module as composed into Services under `insights`. */
export interface InsightsServices {
  detection: InsightsDetectionService;
  metrics: InsightsMetricsService;
  /** listInsightsData: the Insights events of a trail. */
  data: InsightsDataService;
  /** PutInsightSelectors/GetInsightSelectors on event data stores (trails: trails.selectors). */
  storeSelectors: StoreInsightSelectorsService;
}

/** Builds the services; the counting router (insights-count.router.ts) is an outbox destination wired in src/app/services.ts. */
export function createInsightsServices(core: { config: Config; db: Database; logger: Logger; eventWriter: EventWriter }): InsightsServices {
  return {
    detection: new InsightsDetectionService(core.config, core.db, core.eventWriter, core.logger.child({ module: 'insights' })),
    metrics: new InsightsMetricsService(core.db),
    data: new InsightsDataService(core.config, core.db),
    storeSelectors: new StoreInsightSelectorsService(core.db),
  };
}
