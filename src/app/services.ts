import type { Logger } from 'pino';
import { Authenticator } from '../auth/authenticator';
import { SessionService } from '../auth/session.service';
import { TokenService } from '../auth/token.service';
import type { Config } from '../config';
import type { Database } from '../db/database';
import { createEventServices, type EventServices } from '../events/event-services';
import type { Metrics } from '../observability/metrics';
import { DelegatedAdminService } from '../organizations/delegated-admin.service';
import { OrganizationsService } from '../organizations/organizations.service';
import { IamService } from '../principals/iam.service';

/** Everything the resolvers and HTTP handlers use, built once at boot (the composition root). */
export interface Services extends EventServices {
  config: Config;
  db: Database;
  logger: Logger;
  metrics: Metrics;
  tokens: TokenService;
  authenticator: Authenticator;
  sessions: SessionService;
  iam: IamService;
  organizations: OrganizationsService;
  delegatedAdmins: DelegatedAdminService;
}

export function createServices(config: Config, db: Database, logger: Logger, metrics: Metrics): Services {
  const tokens = TokenService.fromConfig(config);
  const core = {
    config,
    db,
    logger,
    metrics,
    tokens,
    authenticator: new Authenticator(db.pool, tokens),
    sessions: new SessionService(db.pool, tokens, config.sessionTtlSeconds),
    iam: new IamService(db),
    organizations: new OrganizationsService(db),
    delegatedAdmins: new DelegatedAdminService(db),
  };
  return { ...core, ...createEventServices(core) };
}

/** Releases connections held by services (queues, pools). */
export async function closeServices(services: Services): Promise<void> {
  await services.closeEventServices();
}
