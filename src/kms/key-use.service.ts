import { randomBytes } from 'node:crypto';
import { OpenTrailError } from '../common/errors';
import { DecryptionError, decryptGcm, encryptGcm } from '../crypto/aes-gcm';
import type { MasterKey } from '../crypto/master-key';
import type { Database } from '../db/database';
import { canonicalContext, type KeyRequester, type ObjectKeyring } from '../storage/object-encryption';
import { CLOUDTRAIL_SERVICE } from '../storage/storage.service';
import { keyArn as keyArnOf, type KeyRef, parseKeyArn } from './key-ids';
import { kmsAliasRepository as aliases } from './kms-alias.repository';
import { type KeyPolicy, keyPolicyAllows } from './key-policy';
import { type KmsKeyRow, kmsKeyRepository as keys, type ServiceKeyRow } from './kms-key.repository';
import { KmsErrors } from './kms.errors';
import { materialContext, storedPolicy } from './kms.service';

const DATA_KEY_BYTES = 32;
const wrapAad = (arn: string, context: Record<string, string>) => `kms-data-key:${arn}:${canonicalContext(context)}`;

/** kms:EncryptionContext:<k> condition keys of a request, as KMS sets them. */
function contextKeys(context: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(context).map(([k, v]) => [`kms:EncryptionContext:${k}`, v]));
}

/**
 * Use of customer keys by the service: data keys for SSE-KMS objects (storage's ObjectKeyring),
 * decryption for authorized readers, and CloudTrail's configure-time key check. Keys are found by
 * ARN as the service (a reader or a trail may be in another account); the key policy decides.
 * Key material is opened from its sealed form only for the one operation and never returned.
 */
export class KeyUseService implements ObjectKeyring {
  constructor(
    private readonly db: Database,
    private readonly masterKey: MasterKey,
  ) {}

  /**
   * GenerateDataKey as cloudtrail.amazonaws.com for `sourceAccount` (the trail's owner): in another
   * tenant's key only a statement naming that account (or its trail ARN, or its organization)
   * grants, and a key it may not use answers as a missing one (NotFoundException).
   */
  async generateDataKey(req: {
    keyArn: string;
    context: Record<string, string>;
    sourceArn?: string;
    sourceAccount: string;
  }): Promise<{ plaintext: Buffer; ciphertextBlob: Buffer }> {
    const ref = parseKeyArn(req.keyArn);
    const row = ref ? await this.findForService(ref, req.sourceAccount) : null;
    if (!row) throw KmsErrors.notFound(req.keyArn);
    const use = serviceUse(row, { accountId: req.sourceAccount, arn: req.sourceArn ?? null });
    if (!use.allows(storedPolicy(row), 'kms:GenerateDataKey', contextKeys(req.context))) {
      if (use.foreign) throw KmsErrors.notFound(req.keyArn);
      throw KmsErrors.accessDenied('kms:GenerateDataKey', row.arn, CLOUDTRAIL_SERVICE);
    }
    usable(row);
    const plaintext = randomBytes(DATA_KEY_BYTES);
    const material = this.material(row);
    try {
      return { plaintext, ciphertextBlob: encryptGcm(material, plaintext, wrapAad(row.arn, req.context)) };
    } finally {
      material.fill(0);
    }
  }

  /**
   * Decrypt of a data key: for a caller as IAM and the key policy allow; for the service itself;
   * or for the service on behalf of `forAccount` (a Lake import reading a bucket): a key of another
   * tenant then opens only objects encrypted for that account's own trail (encryption context
   * aws:cloudtrail:arn), and answers any other as a missing key.
   */
  async decryptDataKey(req: {
    keyArn: string;
    ciphertextBlob: Buffer;
    context: Record<string, string>;
    requester: KeyRequester;
  }): Promise<Buffer> {
    const row = await this.load(req.keyArn);
    if ('service' in req.requester && req.requester.forAccount) {
      const forAccount = req.requester.forAccount;
      const tenancy = await this.findForService(row, forAccount);
      if (!tenancy) throw KmsErrors.notFound(req.keyArn);
      const trailAccount = /^arn:aws:cloudtrail:[a-z0-9-]+:(\d{12}):trail\//.exec(req.context['aws:cloudtrail:arn'] ?? '')?.[1];
      if (serviceUse(tenancy, { accountId: forAccount, arn: null }).foreign && trailAccount !== forAccount)
        throw KmsErrors.notFound(req.keyArn);
    }
    if (
      'caller' in req.requester &&
      !keyPolicyAllows(storedPolicy(row), row, { caller: req.requester.caller }, 'kms:Decrypt', contextKeys(req.context))
    ) {
      throw KmsErrors.accessDenied('kms:Decrypt', row.arn, req.requester.caller.identity.arn);
    }
    usable(row);
    const material = this.material(row);
    try {
      return decryptGcm(material, req.ciphertextBlob, wrapAad(row.arn, req.context));
    } catch (err) {
      if (err instanceof DecryptionError) throw KmsErrors.invalidCiphertext();
      throw err;
    } finally {
      material.fill(0);
    }
  }

  /**
   * CreateTrail/UpdateTrail/PutInsightSelectors' check of a trail's KmsKeyId (spec §7): the policy
   * must let CloudTrail generate data keys for this trail and describe the key. Errors, alias
   * resolution and other tenants' keys: checkServiceKey.
   */
  async checkTrailKey(keyArn: string, trail: { trailArn: string; accountId: string; region: string }): Promise<string> {
    return this.checkServiceKey(
      keyArn,
      trail.region,
      { accountId: trail.accountId, arn: trail.trailArn },
      [
        ['kms:GenerateDataKey', contextKeys({ 'aws:cloudtrail:arn': trail.trailArn }), 'use'],
        ['kms:DescribeKey', {}, 'describe'],
      ],
      'kms:GenerateDataKey* and kms:DescribeKey for this trail',
    );
  }

  /**
   * Create/UpdateEventDataStore's and StartQuery's check of a store's KmsKeyId (spec §7): the
   * policy must let CloudTrail kms:GenerateDataKey and kms:Decrypt. AWS supports no aws:SourceArn /
   * aws:SourceAccount conditions in EDS key policies; OpenTrail sets them (the store ARN, its
   * account), which a key of the store's own tenant does not need and another tenant's key must
   * name (checkServiceKey). `storeArn` is null only before the store exists.
   */
  async checkEventDataStoreKey(keyArn: string, store: { region: string; accountId: string; storeArn: string | null }): Promise<string> {
    return this.checkServiceKey(
      keyArn,
      store.region,
      { accountId: store.accountId, arn: store.storeArn },
      [
        ['kms:GenerateDataKey', {}, 'use'],
        ['kms:Decrypt', {}, 'use'],
      ],
      'kms:GenerateDataKey and kms:Decrypt',
    );
  }

  /**
   * CloudTrail's configure-time key check: the key exists in the resource's Region
   * (KmsKeyNotFoundException), its policy allows `cloudtrail.amazonaws.com` every required action
   * for `source` (InsufficientEncryptionPolicyException), and it is usable (KmsException). An alias
   * ARN is resolved: the key ARN it names now is returned, and is what the resource stores.
   *
   * A key of another tenant (neither the source account nor an account of its organization) can be
   * used only where its policy names the source in the statements granting use (serviceUse); when
   * it does not, the key answers exactly as a missing one, by key id, key ARN or alias ARN, so a
   * tenant cannot learn which keys (or aliases) other tenants have, nor anything of their policies.
   */
  private async checkServiceKey(
    keyArn: string,
    region: string,
    source: { accountId: string; arn: string | null },
    required: Array<[action: string, condition: Record<string, string>, kind: 'use' | 'describe']>,
    needs: string,
  ): Promise<string> {
    const notFound = () =>
      new OpenTrailError('KmsKeyNotFoundException', `KMS key ${keyArn.slice(0, 300)} does not exist or is not in Region ${region}.`);
    const resolved = await this.resolveAlias(keyArn);
    const ref = resolved ? parseKeyArn(resolved) : null;
    const row = ref && ref.region === region ? await this.findForService(ref, source.accountId) : null;
    if (!row) throw notFound();
    const policy = storedPolicy(row);
    const use = serviceUse(row, source);
    if (use.foreign && !required.every(([action, condition, kind]) => kind !== 'use' || use.allows(policy, action, condition)))
      throw notFound();
    if (!required.every(([action, condition, kind]) => use.allows(policy, action, condition, kind === 'describe'))) {
      throw new OpenTrailError(
        'InsufficientEncryptionPolicyException',
        `Insufficient permissions to access S3 bucket or KMS key: the key policy must allow cloudtrail.amazonaws.com ${needs}.`,
      );
    }
    if (row.keyState !== 'Enabled')
      throw new OpenTrailError('KmsException', `KMS key ${row.arn} is ${row.keyState === 'Disabled' ? 'disabled' : 'pending deletion'}.`);
    return row.arn;
  }

  /** A key ARN as it is; an alias ARN to the key ARN it names (null when there is no such alias). */
  private async resolveAlias(arn: string): Promise<string | null> {
    const m = /^arn:aws:kms:([a-z0-9-]+):(\d{12}):(alias\/[A-Za-z0-9/_-]{1,250})$/.exec(arn);
    if (!m) return arn;
    const alias = await this.db.asService((client) => aliases.find(client, m[2], m[1], m[3]), { transaction: false });
    return alias ? keyArnOf(m[1], m[2], alias.targetKeyId) : null;
  }

  private findForService(ref: KeyRef, sourceAccountId: string): Promise<ServiceKeyRow | null> {
    return this.db.asService((client) => keys.findForService(client, ref.accountId, ref.region, ref.keyId, sourceAccountId), {
      transaction: false,
    });
  }

  /** A key by ARN; NotFoundException when it does not exist (or is past its deletion date). */
  private async load(keyArn: string): Promise<KmsKeyRow> {
    const ref = parseKeyArn(keyArn);
    const row = ref ? await this.find(ref.accountId, ref.region, ref.keyId) : null;
    if (!row) throw KmsErrors.notFound(keyArn);
    return row;
  }

  private find(accountId: string, region: string, keyId: string): Promise<KmsKeyRow | null> {
    return this.db.asService((client) => keys.find(client, accountId, region, keyId), { transaction: false });
  }

  private material(row: KmsKeyRow): Buffer {
    return this.masterKey.open(row.sealedMaterial, materialContext(row.arn));
  }
}

/**
 * The service's use of a key for `source`: the request carries aws:SourceAccount, aws:SourceArn
 * (the trail or store ARN) and aws:SourceOrgID. A key of the source's own account or organization
 * is used as its policy allows; in any other tenant's key only statements naming the source count
 * (resource-policy.ts namesSource), since every tenant asks through the same service principal.
 * `describe` actions (kms:DescribeKey) reveal no data and are evaluated without that binding.
 */
function serviceUse(row: ServiceKeyRow, source: { accountId: string; arn: string | null }) {
  const foreign =
    row.accountId !== source.accountId && (row.keyOrganizationId === null || row.keyOrganizationId !== row.sourceOrganizationId);
  const sourceContext: Record<string, string> = { 'aws:SourceAccount': source.accountId };
  if (source.arn) sourceContext['aws:SourceArn'] = source.arn;
  if (row.sourceOrganizationId) sourceContext['aws:SourceOrgID'] = row.sourceOrganizationId;
  const boundTo = { accountId: source.accountId, organizationId: row.sourceOrganizationId };
  return {
    foreign,
    allows(policy: KeyPolicy, action: string, condition: Record<string, string>, unbound = false): boolean {
      return keyPolicyAllows(
        policy,
        row,
        { service: CLOUDTRAIL_SERVICE },
        action,
        { ...sourceContext, ...condition },
        foreign && !unbound ? { boundTo } : {},
      );
    },
  };
}

function usable(row: KmsKeyRow): void {
  if (row.keyState === 'Disabled') throw KmsErrors.disabled(row.arn);
  if (row.keyState === 'PendingDeletion') throw KmsErrors.invalidState(row.arn, 'pending deletion');
}
