import 'reflect-metadata';
import { parse, validate, type GraphQLSchema } from 'graphql';
import { cloudTrailOperations } from '../../src/aws/json-service-face';
import { AwsJsonError, type JsonOperation } from '../../src/aws/json-protocol';
import { operationCatalog } from '../../src/graphql/operation-catalog';
import { buildOpenTrailSchema } from '../../src/graphql/schema';

/** The CloudTrail JSON operations matched to the GraphQL schema (src/aws/json-protocol.ts). */
describe('CloudTrail operations of the AWS face', () => {
  let schema: GraphQLSchema;
  let operations: Map<string, JsonOperation>;
  const op = (name: string) => operations.get(name)!;

  beforeAll(async () => {
    schema = await buildOpenTrailSchema();
    operations = cloudTrailOperations(schema, operationCatalog());
  });

  it('serves the CloudTrail operations of the catalog, each with a document valid for the schema', () => {
    for (const name of ['LookupEvents', 'CreateTrail', 'GetTrailStatus', 'PutEventSelectors', 'StartQuery', 'ListPublicKeys', 'ListTags']) {
      expect(operations.has(name)).toBe(true);
    }
    // Catalog entries of cloudtrail.amazonaws.com that CloudTrail's API does not have.
    expect(operations.has('StartLiveEventStream')).toBe(false);
    expect(operations.has('ValidateLogs')).toBe(false);
    for (const [name, operation] of operations) {
      expect({ name, errors: validate(schema, parse(operation.document)).map((e) => e.message) }).toEqual({ name, errors: [] });
    }
  });

  it("turns the model's maps into the schema's key/value lists and back (dashboard widgets' ViewProperties)", () => {
    const widget = { QueryStatement: 'SELECT 1', ViewProperties: { View: 'Table', Title: 'Top' } };
    const variables = op('CreateDashboard').variables({ Name: 'd', Widgets: [widget] }) as {
      input: { widgets: Array<Record<string, unknown>> };
    };
    expect(variables.input.widgets[0].viewProperties).toEqual([
      { key: 'View', value: 'Table' },
      { key: 'Title', value: 'Top' },
    ]);
    const output = op('GetDashboard').output({
      dashboardArn: 'arn:aws:cloudtrail:us-east-1:111122223333:dashboard/d',
      widgets: [{ queryStatement: 'SELECT 1', viewProperties: [{ key: 'View', value: 'Table' }] }],
    });
    expect(output.Widgets).toEqual([{ QueryStatement: 'SELECT 1', ViewProperties: { View: 'Table' } }]);
  });

  it('sends paging members as connection cursors and epoch timestamps as ISO strings', () => {
    const body = {
      LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'RunInstances' }],
      StartTime: 1454022144.869,
      MaxResults: 5,
      NextToken: 'cursor',
      Unmodelled: 'ignored, as AWS ignores it',
    };
    expect(op('LookupEvents').variables(body)).toEqual({
      input: { lookupAttributes: [{ attributeKey: 'EventName', attributeValue: 'RunInstances' }], startTime: '2016-01-28T23:02:24.869Z' },
      first: 5,
      after: 'cursor',
    });
    expect(op('ListEventDataStores').variables({ MaxResults: 3, NextToken: 't' })).toEqual({ input: { maxResults: 3, nextToken: 't' } });
  });

  it('refuses a modelled member OpenTrail lacks, and a list that is not one', () => {
    expect(() => op('ListTags').variables({ ResourceIdList: [], NextToken: 'x' })).toThrow(AwsJsonError);
    expect(op('ListTags').variables({ ResourceIdList: ['arn'], NextToken: null })).toEqual({ input: { resourceIdList: ['arn'] } });
    expect(() => op('ListTags').variables({ ResourceIdList: 'arn' })).toThrow(/ResourceIdList must be a list/);
  });

  it("answers the model's member names: flattened connections, wrapped results, epoch seconds, no nulls", () => {
    const node = { eventId: 'e1', eventName: 'RunInstances', eventTime: '2016-01-28T23:02:24Z', username: null, resources: [] };
    const page = { edges: [{ node }], pageInfo: { hasNextPage: true, endCursor: 'c2' } };
    expect(op('LookupEvents').output(page)).toEqual({
      Events: [{ EventId: 'e1', EventName: 'RunInstances', EventTime: 1454022144, Resources: [] }],
      NextToken: 'c2',
    });
    expect(op('LookupEvents').output({ edges: [], pageInfo: { hasNextPage: false, endCursor: null } })).toEqual({ Events: [] });
    expect(op('GetTrail').output({ name: 't', trailARN: 'arn:t', isMultiRegionTrail: true, kmsKeyId: null })).toEqual({
      Trail: { Name: 't', TrailARN: 'arn:t', IsMultiRegionTrail: true },
    });
    expect(op('DeleteTrail').output(true)).toEqual({});
  });
});
