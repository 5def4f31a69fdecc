import { EventsAndRowLevelSecurity1795487100000 } from './1795487100000-EventsAndRowLevelSecurity';
import { Initial1795487074229 } from './1795487074229-Initial';

/** Every migration, in order. Generated migrations are appended by db/generate-migration.ts. */
export const MIGRATIONS: Function[] = [
  Initial1795487074229,
  EventsAndRowLevelSecurity1795487100000,
];
