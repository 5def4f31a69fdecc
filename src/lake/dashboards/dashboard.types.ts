import { Field, InputType, Int, ObjectType } from 'type-graphql';
import { ListPage } from '../../graphql/list-page';
import { Tag, TagInput } from '../../trails/trail.types';

/** GraphQL shapes of the dashboard operations (spec §8.5). CloudTrail's maps are key/value lists here. */

@InputType()
export class KeyValueInput {
  @Field(() => String)
  key!: string;

  @Field(() => String)
  value!: string;
}

@ObjectType()
export class KeyValue {
  @Field(() => String)
  key!: string;

  @Field(() => String)
  value!: string;
}

@InputType()
export class RefreshScheduleFrequencyInput {
  @Field(() => String, { description: 'HOURS or DAYS' })
  unit!: string;

  @Field(() => Int, { description: 'HOURS: 1, 6, 12 or 24; DAYS: 1' })
  value!: number;
}

@ObjectType()
export class RefreshScheduleFrequency {
  @Field(() => String)
  unit!: string;

  @Field(() => Int)
  value!: number;
}

@InputType()
export class RefreshScheduleInput {
  @Field(() => RefreshScheduleFrequencyInput, { nullable: true })
  frequency?: RefreshScheduleFrequencyInput | null;

  @Field(() => String, { nullable: true, description: 'ENABLED (default) or DISABLED' })
  status?: string | null;

  @Field(() => String, { nullable: true, description: 'HH:MM in UTC (default 00:00)' })
  timeOfDay?: string | null;
}

@ObjectType()
export class RefreshSchedule {
  @Field(() => RefreshScheduleFrequency, { nullable: true })
  frequency!: RefreshScheduleFrequency | null;

  @Field(() => String)
  status!: string;

  @Field(() => String)
  timeOfDay!: string;
}

@InputType()
export class RequestWidgetInput {
  @Field(() => String, { description: 'Lake SQL; `?` placeholders take queryParameters in order.' })
  queryStatement!: string;

  @Field(() => [String], { nullable: true, description: 'Literal values or $StartTime$, $EndTime$, $Period$, $EventDataStoreId$.' })
  queryParameters?: string[] | null;

  @Field(() => [KeyValueInput])
  viewProperties!: KeyValueInput[];
}

@ObjectType()
export class Widget {
  @Field(() => String)
  queryAlias!: string;

  @Field(() => String)
  queryStatement!: string;

  @Field(() => [String], { nullable: true })
  queryParameters!: string[] | null;

  @Field(() => [KeyValue])
  viewProperties!: KeyValue[];

  @Field(() => String, {
    nullable: true,
    description: 'OpenTrail: the widget’s query in the latest refresh (getDashboard), for getQueryResults.',
  })
  queryId!: string | null;

  @Field(() => String, { nullable: true, description: 'OpenTrail: that query’s status (getDashboard).' })
  queryStatus!: string | null;
}

@ObjectType({ description: 'A CloudTrail Lake dashboard.' })
export class Dashboard {
  @Field(() => String)
  dashboardArn!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String, { description: 'MANAGED or CUSTOM' })
  type!: string;

  @Field(() => String, { nullable: true, description: 'Returned by getDashboard.' })
  status!: string | null;

  @Field(() => [Widget])
  widgets!: Widget[];

  @Field(() => RefreshSchedule, { nullable: true })
  refreshSchedule!: RefreshSchedule | null;

  @Field(() => Boolean)
  terminationProtectionEnabled!: boolean;

  @Field(() => [Tag], { nullable: true, description: 'Returned by createDashboard.' })
  tagsList!: Tag[] | null;

  @Field(() => Date)
  createdTimestamp!: Date;

  @Field(() => Date)
  updatedTimestamp!: Date;

  @Field(() => String, { nullable: true })
  lastRefreshId!: string | null;

  @Field(() => String, { nullable: true })
  lastRefreshFailureReason!: string | null;
}

@InputType()
export class CreateDashboardInput {
  @Field(() => String)
  name!: string;

  @Field(() => [RequestWidgetInput], { nullable: true, description: 'At most 10; none for a managed dashboard.' })
  widgets?: RequestWidgetInput[] | null;

  @Field(() => RefreshScheduleInput, { nullable: true })
  refreshSchedule?: RefreshScheduleInput | null;

  @Field(() => Boolean, { nullable: true })
  terminationProtectionEnabled?: boolean | null;

  @Field(() => [TagInput], { nullable: true })
  tagsList?: TagInput[] | null;
}

@InputType()
export class UpdateDashboardInput {
  @Field(() => String, { description: 'ARN or name of the dashboard.' })
  dashboardId!: string;

  @Field(() => [RequestWidgetInput], { nullable: true, description: 'Replaces every widget.' })
  widgets?: RequestWidgetInput[] | null;

  @Field(() => RefreshScheduleInput, { nullable: true })
  refreshSchedule?: RefreshScheduleInput | null;

  @Field(() => Boolean, { nullable: true })
  terminationProtectionEnabled?: boolean | null;
}

@InputType()
export class DashboardRefInput {
  @Field(() => String, { description: 'ARN or name of the dashboard.' })
  dashboardId!: string;
}

@InputType()
export class StartDashboardRefreshInput {
  @Field(() => String, { description: 'ARN or name of the dashboard.' })
  dashboardId!: string;

  @Field(() => [KeyValueInput], {
    nullable: true,
    description: '$StartTime$, $EndTime$, $Period$, $EventDataStoreId$ (required for managed).',
  })
  queryParameterValues?: KeyValueInput[] | null;
}

@ObjectType()
export class StartDashboardRefreshResult {
  @Field(() => String)
  refreshId!: string;
}

@InputType()
export class ListDashboardsInput {
  @Field(() => String, { nullable: true })
  namePrefix?: string | null;

  @Field(() => String, { nullable: true, description: 'MANAGED or CUSTOM' })
  type?: string | null;

  @Field(() => Int, { nullable: true })
  maxResults?: number | null;

  @Field(() => String, { nullable: true })
  nextToken?: string | null;
}

@ObjectType()
export class DashboardDetail {
  @Field(() => String)
  dashboardArn!: string;

  @Field(() => String)
  type!: string;
}

@ObjectType()
export class ListDashboardsResult extends ListPage('dashboards', DashboardDetail, 'nextToken') {}
