/**
 * The region catalog. Requests name their region with the `x-region` header; anything not listed
 * here is rejected. The list mirrors AWS's commercial partition.
 */
export interface Region {
  regionName: string;
  description: string;
  optInRequired: boolean;
}

export const REGIONS: readonly Region[] = [
  { regionName: 'us-east-1', description: 'US East (N. Virginia)', optInRequired: false },
  { regionName: 'us-east-2', description: 'US East (Ohio)', optInRequired: false },
  { regionName: 'us-west-1', description: 'US West (N. California)', optInRequired: false },
  { regionName: 'us-west-2', description: 'US West (Oregon)', optInRequired: false },
  { regionName: 'af-south-1', description: 'Africa (Cape Town)', optInRequired: true },
  { regionName: 'ap-east-1', description: 'Asia Pacific (Hong Kong)', optInRequired: true },
  { regionName: 'ap-south-1', description: 'Asia Pacific (Mumbai)', optInRequired: false },
  { regionName: 'ap-south-2', description: 'Asia Pacific (Hyderabad)', optInRequired: true },
  { regionName: 'ap-southeast-1', description: 'Asia Pacific (Singapore)', optInRequired: false },
  { regionName: 'ap-southeast-2', description: 'Asia Pacific (Sydney)', optInRequired: false },
  { regionName: 'ap-southeast-3', description: 'Asia Pacific (Jakarta)', optInRequired: true },
  { regionName: 'ap-southeast-4', description: 'Asia Pacific (Melbourne)', optInRequired: true },
  { regionName: 'ap-northeast-1', description: 'Asia Pacific (Tokyo)', optInRequired: false },
  { regionName: 'ap-northeast-2', description: 'Asia Pacific (Seoul)', optInRequired: false },
  { regionName: 'ap-northeast-3', description: 'Asia Pacific (Osaka)', optInRequired: false },
  { regionName: 'ca-central-1', description: 'Canada (Central)', optInRequired: false },
  { regionName: 'ca-west-1', description: 'Canada West (Calgary)', optInRequired: true },
  { regionName: 'eu-central-1', description: 'Europe (Frankfurt)', optInRequired: false },
  { regionName: 'eu-central-2', description: 'Europe (Zurich)', optInRequired: true },
  { regionName: 'eu-west-1', description: 'Europe (Ireland)', optInRequired: false },
  { regionName: 'eu-west-2', description: 'Europe (London)', optInRequired: false },
  { regionName: 'eu-west-3', description: 'Europe (Paris)', optInRequired: false },
  { regionName: 'eu-south-1', description: 'Europe (Milan)', optInRequired: true },
  { regionName: 'eu-south-2', description: 'Europe (Spain)', optInRequired: true },
  { regionName: 'eu-north-1', description: 'Europe (Stockholm)', optInRequired: false },
  { regionName: 'il-central-1', description: 'Israel (Tel Aviv)', optInRequired: true },
  { regionName: 'me-south-1', description: 'Middle East (Bahrain)', optInRequired: true },
  { regionName: 'me-central-1', description: 'Middle East (UAE)', optInRequired: true },
  { regionName: 'sa-east-1', description: 'South America (Sao Paulo)', optInRequired: false },
];

const NAMES = new Set(REGIONS.map((r) => r.regionName));

export function isKnownRegion(name: string): boolean {
  return NAMES.has(name);
}
