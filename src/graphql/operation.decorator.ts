import type { OperationSpec, OperationSpecs } from './operation-spec';

/** Given once per resolver class: the service its operations belong to. */
export interface OperationServiceOptions {
  /** eventSource of every operation of the class, e.g. `cloudtrail.amazonaws.com`. */
  eventSource: string;
  /** IAM service prefix; the default action is `<actionPrefix>:<eventName>`. */
  actionPrefix: string;
}

/** What one resolver method states; everything omitted takes the class's default. */
export type OperationOptions = Partial<Omit<OperationSpec, 'eventSource' | 'eventName' | 'action'>> & {
  eventSource?: string;
  /** Defaults to the PascalCase of the root field's name. */
  eventName?: string;
  /** Defaults to `<actionPrefix>:<eventName>`; null when the service authorizes the call itself. */
  action?: string | null;
};

const declaredOperations = new WeakMap<Function, Map<string, OperationOptions>>();
const declaredServices = new WeakMap<Function, OperationServiceOptions>();

/** Class decorator: the service of every @Operation of the resolver. */
export function OperationService(options: OperationServiceOptions): ClassDecorator {
  return (target) => {
    declaredServices.set(target, options);
  };
}

/**
 * Method decorator, next to @Query/@Mutation/@Subscription: registers the root field's
 * authorization and audit spec under the method's name (the field's name).
 */
export function Operation(options: OperationOptions = {}): MethodDecorator {
  return (target, key) => {
    const owner = (target as { constructor: Function }).constructor;
    const operations = declaredOperations.get(owner) ?? new Map<string, OperationOptions>();
    operations.set(String(key), options);
    declaredOperations.set(owner, operations);
  };
}

const pascalCase = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);

/** The specs one resolver class declares, with the defaults filled in. */
export function operationSpecsOf(resolverClass: Function): OperationSpecs {
  const operations = declaredOperations.get(resolverClass);
  if (!operations) return {};
  const service = declaredServices.get(resolverClass);
  if (!service) throw new Error(`${resolverClass.name} declares operations but no @OperationService`);
  const specs: OperationSpecs = {};
  for (const [field, { eventSource, eventName, action, ...rest }] of operations) {
    const name = eventName ?? pascalCase(field);
    specs[field] = {
      eventSource: eventSource ?? service.eventSource,
      eventName: name,
      action: action === undefined ? `${service.actionPrefix}:${name}` : action,
      ...rest,
    };
  }
  return specs;
}
