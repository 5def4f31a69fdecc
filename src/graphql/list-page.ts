import { Field, ObjectType } from 'type-graphql';

/**
 * How a List* operation pages, in the words of the AWS API it mirrors: CloudTrail and
 * Organizations answer `nextToken`; IAM `isTruncated` with a `marker`; KMS `truncated` with a
 * `nextMarker`; some IAM lists only say `isTruncated`; short lists have no cursor at all.
 */
export type Paging = 'nextToken' | 'marker' | 'nextMarker' | 'isTruncated' | 'none';

interface PagingFields {
  nextToken: { nextToken: string | null };
  marker: { isTruncated: boolean; marker?: string | null };
  nextMarker: { nextMarker: string | null; truncated: boolean };
  isTruncated: { isTruncated: boolean };
  none: object;
}

export interface ListPageOptions {
  /** Wording of the cursor field where a list documents it in the SDL. */
  cursorDescription?: string;
  /** As `@ObjectType({ simpleResolvers })`: inherited fields resolve as the base type declares. */
  simpleResolvers?: boolean;
}

type ItemType = abstract new (...args: never[]) => unknown;

const MARKER_DESCRIPTION = 'Pass as `marker` to get the next page.';

/**
 * The one page type of List* results: `class ListTrailsResult extends ListPage('trails',
 * TrailInfo, 'nextToken') {}` declares `trails: [TrailInfo!]!` and `nextToken: String`. Each
 * result keeps its own exported class and GraphQL name; only the field declarations are shared.
 */
export function ListPage<K extends string, T extends ItemType, P extends Paging>(
  itemsField: K,
  item: T,
  paging: P,
  options: ListPageOptions = {},
): abstract new () => { [F in K]: InstanceType<T>[] } & PagingFields[P] {
  // Never reachable from a root field, so never in the SDL; the subclass is the GraphQL type.
  @ObjectType(options.simpleResolvers ? { simpleResolvers: true } : {})
  abstract class Page {}
  const field = (name: string, type: () => unknown, opts: { nullable?: boolean; description?: string } = {}) =>
    Field(type as () => typeof String, opts)(Page.prototype, name);
  field(itemsField, () => [item]);
  const cursor = { nullable: true, ...(options.cursorDescription ? { description: options.cursorDescription } : {}) };
  switch (paging as Paging) {
    case 'nextToken':
      field('nextToken', () => String, cursor);
      break;
    case 'marker':
      field('isTruncated', () => Boolean);
      field('marker', () => String, { nullable: true, description: options.cursorDescription ?? MARKER_DESCRIPTION });
      break;
    case 'nextMarker':
      field('nextMarker', () => String, cursor);
      field('truncated', () => Boolean);
      break;
    case 'isTruncated':
      field('isTruncated', () => Boolean);
      break;
    case 'none':
      break;
  }
  return Page as unknown as abstract new () => { [F in K]: InstanceType<T>[] } & PagingFields[P];
}
