import { Field, ObjectType } from 'type-graphql';

/** Relay page info shared by every connection (keyset cursors; opaque endCursor). */
@ObjectType({ simpleResolvers: true })
export class PageInfo {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}
