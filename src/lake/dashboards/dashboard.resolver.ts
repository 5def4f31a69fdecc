import { Arg, Mutation, Query, Resolver } from 'type-graphql';
import { everyCloudTrailResource, namedCloudTrailResource } from '../../common/cloudtrail-resources';
import type { RequestContext } from '../../common/request-context';
import { Operation, OperationService } from '../../graphql/operation.decorator';
import { CallerRequest } from '../../graphql/request-context.decorator';
import { DASHBOARD_RESOURCE } from './dashboard-names';
import type { DashboardEntity } from './dashboard.entity';
import type { DashboardService, DashboardWidget } from './dashboard.service';
import { dashboardWidgets } from './managed-dashboards';
import {
  CreateDashboardInput,
  Dashboard,
  DashboardRefInput,
  ListDashboardsInput,
  ListDashboardsResult,
  StartDashboardRefreshInput,
  StartDashboardRefreshResult,
  UpdateDashboardInput,
} from './dashboard.types';

function toDashboard(d: DashboardEntity, widgets: DashboardWidget[] | null, opts: { tags?: boolean; status?: boolean } = {}): Dashboard {
  return {
    dashboardArn: d.arn,
    name: d.name,
    type: d.type,
    status: opts.status ? d.status : null,
    widgets: (widgets ?? dashboardWidgets(d).map((w) => ({ ...w, queryId: null, queryStatus: null }))).map((w) => ({
      queryAlias: w.queryAlias,
      queryStatement: w.queryStatement,
      queryParameters: w.queryParameters,
      viewProperties: Object.entries(w.viewProperties).map(([key, value]) => ({ key, value })),
      queryId: w.queryId,
      queryStatus: w.queryStatus,
    })),
    refreshSchedule: d.refreshSchedule,
    terminationProtectionEnabled: d.terminationProtectionEnabled,
    tagsList: opts.tags ? d.tags.map((t) => ({ key: t.Key, value: t.Value })) : null,
    createdTimestamp: d.createdAt,
    updatedTimestamp: d.updatedAt,
    lastRefreshId: d.lastRefreshId,
    lastRefreshFailureReason: d.lastRefreshFailureReason,
  };
}

const byDashboard = namedCloudTrailResource(DASHBOARD_RESOURCE, 'input.dashboardId');
const allDashboards = everyCloudTrailResource(DASHBOARD_RESOURCE);

@Resolver()
@OperationService({ eventSource: 'cloudtrail.amazonaws.com', actionPrefix: 'cloudtrail' })
export class DashboardResolver {
  constructor(private readonly dashboards: DashboardService) {}

  @Operation({ resource: namedCloudTrailResource(DASHBOARD_RESOURCE, 'input.name') })
  @Mutation(() => Dashboard, { description: 'Creates a custom dashboard, or enables a managed one by its name.' })
  async createDashboard(
    @Arg('input', () => CreateDashboardInput) input: CreateDashboardInput,
    @CallerRequest() request: RequestContext,
  ): Promise<Dashboard> {
    const created = await this.dashboards.create(request, { ...input, tags: input.tagsList });
    return toDashboard(created, null, { tags: true });
  }

  @Operation({ resource: byDashboard })
  @Query(() => Dashboard)
  async getDashboard(
    @Arg('input', () => DashboardRefInput) input: DashboardRefInput,
    @CallerRequest() request: RequestContext,
  ): Promise<Dashboard> {
    const { dashboard, widgets } = await this.dashboards.get(request, input.dashboardId);
    return toDashboard(dashboard, widgets, { status: true });
  }

  @Operation({ resource: allDashboards })
  @Query(() => ListDashboardsResult)
  async listDashboards(
    @Arg('input', () => ListDashboardsInput, { nullable: true }) input: ListDashboardsInput | null,
    @CallerRequest() request: RequestContext,
  ): Promise<ListDashboardsResult> {
    const page = await this.dashboards.list(request, input ?? {});
    return { dashboards: page.dashboards.map((d) => ({ dashboardArn: d.arn, type: d.type })), nextToken: page.nextToken };
  }

  @Operation({ resource: byDashboard })
  @Mutation(() => Dashboard)
  async updateDashboard(
    @Arg('input', () => UpdateDashboardInput) input: UpdateDashboardInput,
    @CallerRequest() request: RequestContext,
  ): Promise<Dashboard> {
    return toDashboard(await this.dashboards.update(request, input), null);
  }

  @Operation({ resource: byDashboard })
  @Mutation(() => Boolean)
  async deleteDashboard(
    @Arg('input', () => DashboardRefInput) input: DashboardRefInput,
    @CallerRequest() request: RequestContext,
  ): Promise<boolean> {
    await this.dashboards.delete(request, input.dashboardId);
    return true;
  }

  @Operation({ resource: byDashboard })
  @Mutation(() => StartDashboardRefreshResult)
  async startDashboardRefresh(
    @Arg('input', () => StartDashboardRefreshInput) input: StartDashboardRefreshInput,
    @CallerRequest() request: RequestContext,
  ): Promise<StartDashboardRefreshResult> {
    const values = Object.fromEntries((input.queryParameterValues ?? []).map((p) => [p.key, p.value]));
    return { refreshId: await this.dashboards.startRefresh(request, input.dashboardId, values) };
  }
}
