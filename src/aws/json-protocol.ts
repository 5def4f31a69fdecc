import {
  getNamedType,
  getNullableType,
  isInputObjectType,
  isLeafType,
  isListType,
  isObjectType,
  type GraphQLField,
  type GraphQLInputField,
  type GraphQLInputObjectType,
  type GraphQLInputType,
  type GraphQLNamedOutputType,
  type GraphQLObjectType,
  type GraphQLOutputType,
} from 'graphql';

/**
 * An AWS JSON service model as scripts/aws-models.js compacts botocore's: a member's type is a
 * scalar's type name (`string`, `timestamp`, …) or the name of a structure, list or map shape.
 */
export interface AwsJsonModel {
  metadata: { apiVersion: string; jsonVersion: string; protocol: string; targetPrefix: string };
  operations: Record<string, { input: string | null; output: string | null }>;
  shapes: Record<string, AwsShape>;
}

export type AwsShape =
  | { type: 'structure'; members: Record<string, string>; httpStatusCode?: number }
  | { type: 'list'; member: string }
  | { type: 'map'; key: string; value: string };

/** A request the face refuses before any GraphQL runs (the JSON protocol's own errors). */
export class AwsJsonError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** One AWS JSON operation served by the GraphQL root field of the same operation. */
export interface JsonOperation {
  /** The GraphQL document, built once. */
  document: string;
  /** The request body (the model's input shape) as the document's variables. */
  variables(body: Record<string, unknown>): Record<string, unknown>;
  /** The root field's value as the model's output shape. */
  output(value: unknown): Record<string, unknown>;
}

type RootField = GraphQLField<unknown, unknown>;

/** The cursor arguments of a Relay connection field, in the model's paging members' place. */
const CONNECTION_ARGS: Record<string, string> = { MaxResults: 'first', NextToken: 'after' };

const fieldMaps = new WeakMap<object, Map<string, RootField | GraphQLInputField>>();

/** The type's field whose name is the member's, case aside (`TrailARN` is `trailARN`, `Name` is `name`). */
function fieldFor<T extends GraphQLObjectType | GraphQLInputObjectType>(
  type: T,
  member: string,
): ReturnType<T['getFields']>[string] | undefined {
  let fields = fieldMaps.get(type);
  if (!fields) {
    fields = new Map(Object.values(type.getFields()).map((f: RootField | GraphQLInputField) => [f.name.toLowerCase(), f]));
    fieldMaps.set(type, fields);
  }
  return fields.get(member.toLowerCase()) as ReturnType<T['getFields']>[string] | undefined;
}

/** A map's GraphQL counterpart: a list of `{ key, value }` objects (`KeyValue`, `KeyValueInput`). */
function keyValueFields<T extends GraphQLObjectType | GraphQLInputObjectType>(type: T) {
  const key = fieldFor(type, 'key');
  const value = fieldFor(type, 'value');
  return key && value ? { key, value } : undefined;
}

function isConnection(type: GraphQLObjectType): boolean {
  const fields = type.getFields();
  return Boolean(fields.edges && fields.pageInfo);
}

/**
 * Translates `operation` of `model` to `field` (a Query or Mutation root field). Throws when the
 * two cannot be matched, so a drifting schema fails at boot rather than answering half a shape.
 */
export function jsonOperation(model: AwsJsonModel, operation: string, kind: 'query' | 'mutation', field: RootField): JsonOperation {
  const { input, output } = model.operations[operation];
  const shape = (name: string) => model.shapes[name];
  const structure = (name: string) => {
    const s = shape(name);
    if (s?.type !== 'structure') throw new Error(`${operation}: ${name} is not a structure`);
    return s;
  };

  // Where each input member goes: a field of the `input` argument, or an argument of its own.
  const inputArg = field.args.find((a) => a.name === 'input');
  const inputType = inputArg && getNamedType(inputArg.type);
  const targets: Record<string, { arg: string; field?: string; type: GraphQLInputType }> = {};
  for (const member of Object.keys(input ? structure(input).members : {})) {
    const inField = isInputObjectType(inputType) ? fieldFor(inputType, member) : undefined;
    const arg = field.args.find((a) => a.name.toLowerCase() === member.toLowerCase() || a.name === CONNECTION_ARGS[member]);
    if (inField) targets[member] = { arg: 'input', field: inField.name, type: inField.type };
    else if (arg) targets[member] = { arg: arg.name, type: arg.type };
  }
  const args = field.args.filter((a) => a === inputArg || Object.values(targets).some((t) => t.arg === a.name));
  const declarations = args.map((a) => `$${a.name}: ${a.type.toString()}`).join(', ');
  const passed = args.map((a) => `${a.name}: $${a.name}`).join(', ');

  function inValue(type: string, gql: GraphQLInputType, value: unknown, path: string): unknown {
    if (value === null || value === undefined) return value;
    if (type === 'timestamp') return typeof value === 'number' ? new Date(value * 1000).toISOString() : value;
    const s = shape(type);
    if (!s) return value;
    const nullable = getNullableType(gql);
    if (s.type === 'list') {
      if (!Array.isArray(value)) throw new AwsJsonError('SerializationException', `${path} must be a list.`);
      const element = isListType(nullable) ? (nullable.ofType as GraphQLInputType) : nullable;
      return value.map((v, i) => inValue(s.member, element, v, `${path}[${i}]`));
    }
    const named = getNamedType(gql);
    if (s.type === 'map') {
      const pair = isInputObjectType(named) ? keyValueFields(named) : undefined;
      if (!pair) return value;
      if (typeof value !== 'object' || Array.isArray(value)) throw new AwsJsonError('SerializationException', `${path} must be an object.`);
      return Object.entries(value).map(([k, v]) => ({
        [pair.key.name]: k,
        [pair.value.name]: inValue(s.value, pair.value.type, v, `${path}.${k}`),
      }));
    }
    if (!isInputObjectType(named)) return value;
    if (typeof value !== 'object' || Array.isArray(value)) throw new AwsJsonError('SerializationException', `${path} must be an object.`);
    const out: Record<string, unknown> = {};
    for (const [member, v] of Object.entries(value)) {
      const memberType = s.members[member];
      if (memberType === undefined) continue; // not in the model: ignored, as AWS does
      const target = fieldFor(named, member);
      if (!target) unsupported(`${path}.${member}`, v);
      else out[target.name] = inValue(memberType, target.type, v, `${path}.${member}`);
    }
    return out;
  }

  function unsupported(path: string, value: unknown): void {
    if (value !== null && value !== undefined) {
      throw new AwsJsonError('InvalidParameterException', `${path} is not supported by OpenTrail's ${operation}.`);
    }
  }

  function variables(body: Record<string, unknown>): Record<string, unknown> {
    const vars: Record<string, unknown> = inputArg ? { input: {} } : {};
    const members = input ? structure(input).members : {};
    for (const [member, value] of Object.entries(body)) {
      if (members[member] === undefined) continue;
      const target = targets[member];
      if (!target) {
        unsupported(member, value);
        continue;
      }
      const converted = inValue(members[member], target.type, value, member);
      if (target.field) (vars.input as Record<string, unknown>)[target.field] = converted;
      else vars[target.arg] = converted;
    }
    return vars;
  }

  // The selection: every field of the result the model's output has, recursively.
  function selection(type: string, gql: GraphQLOutputType): string {
    const s = shape(type);
    const named = getNamedType(gql);
    if (!s || isLeafType(named)) return '';
    if (s.type === 'list') return selection(s.member, named);
    const pair = s.type === 'map' && isObjectType(named) ? keyValueFields(named) : undefined;
    if (s.type === 'map' && pair)
      return `{ ${pair.key.name} ${pair.value.name} ${selection(s.value, pair.value.type)} }`.replace(/\s+}$/, ' }');
    if (s.type === 'map' || !isObjectType(named)) throw new Error(`${operation}: ${type} has no GraphQL counterpart in ${named.name}`);
    const members = Object.entries(s.members);
    if (isConnection(named)) {
      const [list] = members.filter(([m, t]) => m !== 'NextToken' && shape(t)?.type === 'list');
      const node = getNamedType(named.getFields().edges.type) as GraphQLObjectType;
      return `{ edges { node ${selection(list[1], node.getFields().node.type)} } pageInfo { hasNextPage endCursor } }`;
    }
    if (members.length === 1 && !fieldFor(named, members[0][0])) return selection(members[0][1], named);
    const fields = members.flatMap(([m, t]) => {
      const f = fieldFor(named, m);
      return f ? [`${f.name} ${selection(t, f.type)}`.trim()] : [];
    });
    if (!fields.length) throw new Error(`${operation}: no field of ${named.name} is in ${type}`);
    return `{ ${fields.join(' ')} }`;
  }

  function outValue(type: string, gql: GraphQLOutputType, value: unknown): unknown {
    if (value === null || value === undefined) return undefined;
    if (type === 'timestamp') {
      const ms = typeof value === 'number' ? value * 1000 : Date.parse(String(value));
      return Number.isNaN(ms) ? undefined : ms / 1000;
    }
    if (type === 'string') return typeof value === 'string' ? value : JSON.stringify(value);
    const s = shape(type);
    if (!s) return value;
    const named = getNamedType(gql);
    if (s.type === 'list') return (value as unknown[]).map((v) => outValue(s.member, named, v));
    if (s.type === 'map') {
      const pair = isObjectType(named) ? keyValueFields(named) : undefined;
      if (pair && Array.isArray(value)) {
        return Object.fromEntries(
          (value as Array<Record<string, unknown>>).map((e) => [
            String(e[pair.key.name]),
            outValue(s.value, pair.value.type, e[pair.value.name]),
          ]),
        );
      }
      return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, outValue(s.value, named, v)]));
    }
    return outStructure(s.members, named, value as Record<string, unknown>);
  }

  function outStructure(members: Record<string, string>, named: GraphQLNamedOutputType, value: Record<string, unknown>) {
    const entries = Object.entries(members);
    const out: Record<string, unknown> = {};
    if (isObjectType(named) && isConnection(named)) {
      const page = value as { edges: Array<{ node: unknown }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
      const node = (getNamedType(named.getFields().edges.type) as GraphQLObjectType).getFields().node.type;
      const [list] = entries.filter(([m, t]) => m !== 'NextToken' && shape(t)?.type === 'list');
      out[list[0]] = page.edges.map((e) => outValue((shape(list[1]) as { member: string }).member, node, e.node));
      if (page.pageInfo.hasNextPage && page.pageInfo.endCursor) out.NextToken = page.pageInfo.endCursor;
      return out;
    }
    const byField = (m: string) => (isObjectType(named) ? fieldFor(named, m) : undefined);
    if (isObjectType(named) && entries.length === 1 && !byField(entries[0][0])) {
      out[entries[0][0]] = outValue(entries[0][1], named, value);
      return out;
    }
    for (const [member, type] of entries) {
      const f = byField(member);
      // A JSON-typed GraphQL value keeps the keys it has: match them as the fields are matched.
      const key = f ? f.name : Object.keys(value).find((k) => k.toLowerCase() === member.toLowerCase());
      const converted = key === undefined ? undefined : outValue(type, f ? f.type : named, value[key]);
      if (converted !== undefined) out[member] = converted;
    }
    return out;
  }

  const outputMembers = output ? structure(output).members : {};
  const resultType = getNamedType(field.type);
  if (isLeafType(resultType) && Object.keys(outputMembers).length) {
    throw new Error(`${operation}: ${field.name} returns ${resultType.name}, the model's ${output} has members`);
  }
  const select = isLeafType(resultType) ? '' : selection(output as string, field.type);
  const document = `${kind} ${operation}${declarations ? `(${declarations})` : ''} { ${field.name}${passed ? `(${passed})` : ''}${select ? ' ' + select : ''} }`;

  return {
    document,
    variables,
    output: (value) => (isLeafType(resultType) ? {} : outStructure(outputMembers, resultType, value as Record<string, unknown>)),
  };
}
