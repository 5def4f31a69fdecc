/**
 * The CloudTrail Lake column schema (spec §8.3.2, §8.3.5) mapped onto `lake_events`.
 *
 * Names are matched case-insensitively (the schema is lower-case). A column that lake_events
 * promotes to a real column is read from it, so filters and GROUP BY use plain columns and their
 * indexes (a jsonb path costs ~25× more; notes/measured-limits.md). Everything else is read
 * from `record`, the event's CloudTrail JSON, whose keys are camelCase: `keys` maps each
 * lower-case schema name to the record's real key.
 */

/** The shape of a value, as far as printing needs it. */
export type LakeType = 'text' | 'timestamp' | 'boolean' | 'json';

export interface StructField {
  key: string;
  type: LakeType;
  /** promoted column when the field is read directly under a top-level column */
  column?: string;
  fields?: Record<string, StructField>;
}

export interface LakeColumn {
  /** promoted lake_events column */
  column?: string;
  /** key in `record` */
  key?: string;
  /** a computed expression of `record` (eventjson, eventjsonchecksum) */
  computed?: 'json' | 'checksum';
  type: LakeType;
  fields?: Record<string, StructField>;
  /** element fields of an array of structs (resources) */
  elements?: Record<string, StructField>;
}

const s = (key: string, column?: string): StructField => ({ key, type: 'text', column });
const struct = (key: string, fields: Record<string, StructField>): StructField => ({ key, type: 'json', fields });
const map = (key: string): StructField => ({ key, type: 'json' });

const SESSION_CONTEXT = struct('sessionContext', {
  attributes: struct('attributes', { creationdate: s('creationDate'), mfaauthenticated: s('mfaAuthenticated') }),
  sessionissuer: struct('sessionIssuer', {
    type: s('type'),
    principalid: s('principalId'),
    arn: s('arn'),
    accountid: s('accountId'),
    username: s('userName'),
  }),
  webidfederationdata: struct('webIdFederationData', { federatedprovider: s('federatedProvider'), attributes: map('attributes') }),
  sourceidentity: s('sourceIdentity'),
  ec2roledelivery: s('ec2RoleDelivery'),
  ec2issuedinvpc: s('ec2IssuedInVpc'),
});

const USER_IDENTITY: Record<string, StructField> = {
  type: s('type', 'user_identity_type'),
  principalid: s('principalId', 'user_identity_principal_id'),
  arn: s('arn', 'user_identity_arn'),
  accountid: s('accountId', 'user_identity_account_id'),
  accesskeyid: s('accessKeyId', 'user_identity_access_key_id'),
  username: s('userName', 'user_identity_user_name'),
  sessioncontext: SESSION_CONTEXT,
  invokedby: s('invokedBy'),
  identityprovider: s('identityProvider'),
  onbehalfof: struct('onBehalfOf', { userid: s('userId'), identitystorearn: s('identityStoreArn') }),
  inscopeof: struct('inScopeOf', {
    sourcearn: s('sourceArn'),
    sourceaccount: s('sourceAccount'),
    issuertype: s('issuerType'),
    credentialsissuedto: s('credentialsIssuedTo'),
  }),
};

/** CloudTrail writes resources as {"ARN", "accountId", "type", "ARNPrefix"}. */
export const RESOURCE_FIELDS: Record<string, StructField> = {
  accountid: s('accountId'),
  type: s('type'),
  arn: s('ARN'),
  arnprefix: s('ARNPrefix'),
};

const EVENT_DATA: Record<string, StructField> = {
  version: s('version'),
  useridentity: struct('userIdentity', { type: s('type'), principalid: s('principalId'), details: map('details') }),
  useragent: s('userAgent'),
  eventsource: s('eventSource'),
  eventname: s('eventName'),
  eventtime: s('eventTime'),
  uid: s('UID'),
  requestparameters: map('requestParameters'),
  responseelements: map('responseElements'),
  errorcode: s('errorCode'),
  errormessage: s('errorMessage'),
  sourceipaddress: s('sourceIPAddress'),
  recipientaccountid: s('recipientAccountId'),
  additionaleventdata: map('additionalEventData'),
  // Config items and Audit Manager evidence (§8.3.3, §8.3.4) share the column; their fields are
  // read by the caller's spelling (see keyFor).
};

export const LAKE_COLUMNS: Record<string, LakeColumn> = {
  eventversion: { column: 'event_version', type: 'text' },
  useridentity: { key: 'userIdentity', type: 'json', fields: USER_IDENTITY },
  eventtime: { column: 'event_time', type: 'timestamp' },
  eventsource: { column: 'event_source', type: 'text' },
  eventname: { column: 'event_name', type: 'text' },
  awsregion: { column: 'aws_region', type: 'text' },
  sourceipaddress: { column: 'source_ip_address', type: 'text' },
  useragent: { column: 'user_agent', type: 'text' },
  errorcode: { column: 'error_code', type: 'text' },
  errormessage: { column: 'error_message', type: 'text' },
  requestparameters: { key: 'requestParameters', type: 'json' },
  responseelements: { key: 'responseElements', type: 'json' },
  additionaleventdata: { key: 'additionalEventData', type: 'json' },
  requestid: { column: 'request_id', type: 'text' },
  eventid: { column: 'event_id', type: 'text' },
  readonly: { column: 'read_only', type: 'boolean' },
  resources: { key: 'resources', type: 'json', elements: RESOURCE_FIELDS },
  eventtype: { column: 'event_type', type: 'text' },
  apiversion: { key: 'apiVersion', type: 'text' },
  managementevent: { column: 'management_event', type: 'boolean' },
  recipientaccountid: { column: 'recipient_account_id', type: 'text' },
  sharedeventid: { column: 'shared_event_id', type: 'text' },
  annotation: { key: 'annotation', type: 'text' },
  vpcendpointid: { key: 'vpcEndpointId', type: 'text' },
  vpcendpointaccountid: { key: 'vpcEndpointAccountId', type: 'text' },
  serviceeventdetails: { key: 'serviceEventDetails', type: 'json' },
  addendum: {
    key: 'addendum',
    type: 'json',
    fields: {
      reason: s('reason'),
      updatedfields: s('updatedFields'),
      originaluid: s('originalUID'),
      originaleventid: s('originalEventID'),
    },
  },
  edgedevicedetails: { key: 'edgeDeviceDetails', type: 'json' },
  insightdetails: { key: 'insightDetails', type: 'json' },
  eventcategory: { column: 'event_category', type: 'text' },
  tlsdetails: {
    key: 'tlsDetails',
    type: 'json',
    fields: { tlsversion: s('tlsVersion'), ciphersuite: s('cipherSuite'), clientprovidedhostheader: s('clientProvidedHostHeader') },
  },
  sessioncredentialfromconsole: { key: 'sessionCredentialFromConsole', type: 'text' },
  eventcontext: { key: 'eventContext', type: 'json' },
  eventjson: { computed: 'json', type: 'text' },
  eventjsonchecksum: { computed: 'checksum', type: 'text' },
  // integration events (§8.3.5), Config items and evidence (§8.3.3–4)
  eventdata: { key: 'eventData', type: 'json', fields: EVENT_DATA },
  metadata: { key: 'metadata', type: 'json', fields: { ingestiontime: s('ingestionTime'), channelarn: s('channelARN') } },
};

/** The columns `SELECT *` expands to, in schema order (§8.3.2). */
export const STAR_COLUMNS = [
  'eventversion',
  'useridentity',
  'eventtime',
  'eventsource',
  'eventname',
  'awsregion',
  'sourceipaddress',
  'useragent',
  'errorcode',
  'errormessage',
  'requestparameters',
  'responseelements',
  'additionaleventdata',
  'requestid',
  'eventid',
  'readonly',
  'resources',
  'eventtype',
  'apiversion',
  'managementevent',
  'recipientaccountid',
  'sharedeventid',
  'annotation',
  'vpcendpointid',
  'serviceeventdetails',
  'addendum',
  'edgedevicedetails',
  'insightdetails',
  'eventcategory',
  'tlsdetails',
  'sessioncredentialfromconsole',
  'eventjson',
  'eventjsonchecksum',
];

/** Every camelCase key of the schema by its lower-case name: struct fields of derived values. */
const ALL_KEYS = new Map<string, string>();
const collect = (fields?: Record<string, StructField>) => {
  for (const [name, f] of Object.entries(fields ?? {})) {
    if (!ALL_KEYS.has(name)) ALL_KEYS.set(name, f.key);
    collect(f.fields);
  }
};
for (const [name, c] of Object.entries(LAKE_COLUMNS)) {
  if (c.key) ALL_KEYS.set(name, c.key);
  collect(c.fields);
}

/** The record key of a field outside the known structs: the schema's spelling, else the caller's. */
export function keyFor(lower: string, spelling: (l: string) => string | undefined): string {
  return ALL_KEYS.get(lower) ?? spelling(lower) ?? lower;
}

/**
 * The lake_events columns a compiled statement reads: the promoted columns and `record`. Each
 * store reference selects only these, so the table's bookkeeping columns (store id, owner
 * account, ingestion time) are not even in scope of a statement.
 */
export const LAKE_SOURCE_COLUMNS: readonly string[] = (() => {
  const out = new Set<string>();
  const promoted = (fields?: Record<string, StructField>) => {
    for (const f of Object.values(fields ?? {})) if (f.column) out.add(f.column);
  };
  for (const c of Object.values(LAKE_COLUMNS)) {
    if (c.column) out.add(c.column);
    promoted(c.fields);
  }
  out.add('record');
  return [...out];
})();
