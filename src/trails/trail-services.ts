import type { Database } from '../db/database';
import { TrailReadService } from './trail-read.service';
import { TrailSelectorsService } from './trail-selectors.service';
import { type TrailBucketChecker, type TrailKeyChecker, type TrailLifecycleListener, TrailService } from './trail.service';

/** The trail control plane, as composed into Services under `trails`. */
export interface TrailServices {
  lifecycle: TrailService;
  reads: TrailReadService;
  selectors: TrailSelectorsService;
}

export function createTrailServices(
  db: Database,
  buckets: TrailBucketChecker,
  keys?: TrailKeyChecker,
  listener?: TrailLifecycleListener,
): TrailServices {
  return {
    lifecycle: new TrailService(db, buckets, keys, listener),
    reads: new TrailReadService(db),
    selectors: new TrailSelectorsService(db, buckets, keys),
  };
}
