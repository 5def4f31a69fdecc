import { argumentAt, everyCloudTrailResource, namedCloudTrailResource } from '../../src/common/cloudtrail-resources';
import { CHANNEL_RESOURCE } from '../../src/lake/channels/channel-names';
import { EVENT_DATA_STORE_RESOURCE } from '../../src/lake/event-data-store-names';
import { TRAIL_RESOURCE } from '../../src/trails/trail-names';

const caller = { accountId: '111122223333' } as any;
const meta = { region: 'eu-west-1' } as any;
const storeId = '0b6f2c1e-5d4a-4c3b-9a8e-7f6d5c4b3a21';

describe('the resource ARN an operation is authorized against', () => {
  it('reads a dotted argument path and stops at a missing step', () => {
    expect(argumentAt({ input: { trailName: 't' } }, 'input.trailName')).toBe('t');
    expect(argumentAt({ input: null }, 'input.trailName')).toBeUndefined();
    expect(argumentAt({}, 'input.trailName')).toBeUndefined();
  });

  it('takes a well-formed ARN of the type as given, else the caller’s resource of that id in the request region', () => {
    const byStore = namedCloudTrailResource(EVENT_DATA_STORE_RESOURCE, 'input.eventDataStore');
    const foreign = `arn:aws:cloudtrail:us-east-1:444455556666:eventdatastore/${storeId}`;
    expect(byStore({ input: { eventDataStore: foreign } }, caller, meta)).toBe(foreign);
    expect(byStore({ input: { eventDataStore: storeId } }, caller, meta)).toBe(
      `arn:aws:cloudtrail:eu-west-1:111122223333:eventdatastore/${storeId}`,
    );
  });

  it('falls back to the account’s pattern for a missing or malformed value, and for an ARN of another type', () => {
    const byStore = namedCloudTrailResource(EVENT_DATA_STORE_RESOURCE, 'input.eventDataStore');
    const pattern = 'arn:aws:cloudtrail:eu-west-1:111122223333:eventdatastore/*';
    expect(byStore({}, caller, meta)).toBe(pattern);
    expect(byStore({ input: { eventDataStore: '../../x' } }, caller, meta)).toBe(pattern);
    expect(byStore({ input: { eventDataStore: `arn:aws:cloudtrail:eu-west-1:111122223333:channel/${storeId}` } }, caller, meta)).toBe(
      pattern,
    );
    expect(namedCloudTrailResource(CHANNEL_RESOURCE, 'input.channel')({ input: { channel: 'x' } }, caller, meta)).toBe(
      'arn:aws:cloudtrail:eu-west-1:111122223333:channel/*',
    );
  });

  it('passes any arn: value of a trail on to the service, which parses it', () => {
    const byName = namedCloudTrailResource(TRAIL_RESOURCE, 'input.name');
    expect(byName({ input: { name: 'arn:aws:cloudtrail:bad' } }, caller, meta)).toBe('arn:aws:cloudtrail:bad');
    expect(byName({ input: { name: 'my-trail' } }, caller, meta)).toBe('arn:aws:cloudtrail:eu-west-1:111122223333:trail/my-trail');
    expect(byName({ input: { name: 'no spaces' } }, caller, meta)).toBe('arn:aws:cloudtrail:eu-west-1:111122223333:trail/*');
  });

  it('names every resource of a type for list and create operations', () => {
    expect(everyCloudTrailResource(TRAIL_RESOURCE)({}, caller, meta)).toBe('arn:aws:cloudtrail:eu-west-1:111122223333:trail/*');
  });

  it('takes a picker when the resource is not at one path', () => {
    const first = namedCloudTrailResource(EVENT_DATA_STORE_RESOURCE, (args) => args.input?.destinations?.[0]);
    expect(first({ input: { destinations: [storeId] } }, caller, meta)).toBe(
      `arn:aws:cloudtrail:eu-west-1:111122223333:eventdatastore/${storeId}`,
    );
  });
});
