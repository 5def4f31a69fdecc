import 'reflect-metadata';
import { Query, Resolver, buildSchema } from 'type-graphql';
import { buildOperationCatalog } from '../../src/graphql/operation-catalog';
import { Operation, OperationService, operationSpecsOf } from '../../src/graphql/operation.decorator';
import { checkOperationCatalog } from '../../src/graphql/schema';

@Resolver()
@OperationService({ eventSource: 'cloudtrail.amazonaws.com', actionPrefix: 'cloudtrail' })
class SampleResolver {
  @Operation()
  @Query(() => String)
  lookupEvents(): string {
    return '';
  }

  @Operation({ action: 'cloudtrail:LookupEvents', eventSource: 'events.amazonaws.com', eventName: 'ListRules', dataEvent: true })
  @Query(() => String)
  listEventRules(): string {
    return '';
  }

  @Operation({ action: null })
  @Query(() => String)
  describeKey(): string {
    return '';
  }
}

@Resolver()
@OperationService({ eventSource: 'cloudtrail.amazonaws.com', actionPrefix: 'cloudtrail' })
class UndeclaredResolver {
  @Query(() => String)
  getTrail(): string {
    return '';
  }
}

@Resolver()
@OperationService({ eventSource: 'events.amazonaws.com', actionPrefix: 'events' })
class SecondLookupResolver {
  @Operation()
  @Query(() => String)
  lookupEvents(): string {
    return '';
  }
}

describe('@Operation', () => {
  it('derives eventName from the field and action from the service prefix unless stated', () => {
    const specs = operationSpecsOf(SampleResolver);
    expect(specs.lookupEvents).toEqual({
      eventSource: 'cloudtrail.amazonaws.com',
      eventName: 'LookupEvents',
      action: 'cloudtrail:LookupEvents',
    });
    expect(specs.listEventRules).toEqual({
      eventSource: 'events.amazonaws.com',
      eventName: 'ListRules',
      action: 'cloudtrail:LookupEvents',
      dataEvent: true,
    });
    expect(specs.describeKey).toEqual({ eventSource: 'cloudtrail.amazonaws.com', eventName: 'DescribeKey', action: null });
  });

  it('refuses a field declared twice', () => {
    expect(() => buildOperationCatalog([SampleResolver, SecondLookupResolver])).toThrow(/Operation lookupEvents is declared twice/);
  });

  it('fails the boot check for a root field without a spec', async () => {
    const schema = await buildSchema({ resolvers: [SampleResolver, UndeclaredResolver], validate: false });
    expect(() => checkOperationCatalog(schema, buildOperationCatalog([SampleResolver, UndeclaredResolver]))).toThrow(/missing getTrail/);
    const complete = await buildSchema({ resolvers: [SampleResolver], validate: false });
    expect(() => checkOperationCatalog(complete, buildOperationCatalog([SampleResolver]))).not.toThrow();
  });
});
