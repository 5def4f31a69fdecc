/**
 * What validate-logs reads (spec §6.7), behind one interface: in-process for the validateLogs
 * API (as the caller, so bucket permissions apply) and over GraphQL for the CLI.
 */
export interface TrailLocation {
  bucket: string;
  prefix: string | null;
  isOrganizationTrail: boolean;
  organizationId: string | null;
}

export interface SourcePublicKey {
  fingerprint: string;
  /** DER bytes of the key (PKCS#1 RSAPublicKey or X.509 SubjectPublicKeyInfo). */
  value: Buffer;
}

export interface SourceObject {
  body: Buffer;
  metadata: Record<string, string>;
}

export interface ValidationSource {
  /** DescribeTrails in the source region, the entry with this ARN; null when there is none. */
  describeTrail(trailArn: string): Promise<TrailLocation | null>;
  /** One page of keys under `prefix` after `startAfter`, in key order. */
  listKeys(bucket: string, prefix: string, startAfter: string | null): Promise<{ keys: string[]; more: boolean }>;
  /** null = NoSuchKey; other failures throw (and abort the run, as in the AWS CLI). */
  getObject(bucket: string, key: string): Promise<SourceObject | null>;
  /** ListPublicKeys of the source region. */
  listPublicKeys(start: Date, end: Date): Promise<SourcePublicKey[]>;
}
