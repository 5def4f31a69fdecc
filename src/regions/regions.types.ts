import { Field, ObjectType } from 'type-graphql';

@ObjectType()
export class RegionInfo {
  @Field(() => String)
  regionName!: string;

  @Field(() => String)
  description!: string;

  @Field(() => Boolean)
  optInRequired!: boolean;

  @Field(() => Boolean, { description: 'True for the region this server treats as home (HOME_REGION).' })
  isHomeRegion!: boolean;
}
