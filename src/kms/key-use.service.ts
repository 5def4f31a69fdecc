import { randomBytes } from 'node:crypto';
import { OpenTrailError } from '../common/errors';
import { DecryptionError, decryptGcm, encryptGcm } from '../crypto/aes-gcm';
import type { MasterKey } from '../crypto/master-key';
import type { Database } from '../db/database';
import { canonicalContext, type KeyRequester, type ObjectKeyring } from '../storage/object-encryption';
import { CLOUDTRAIL_SERVICE } from '../storage/storage.service';
import { keyArn as keyArnOf, parseKeyArn } from './key-ids';
import { kmsAliasRepository as aliases } from './kms-alias.repository';
import { keyPolicyAllows } from './key-policy';
import { type KmsKeyRow, kmsKeyRepository as keys } from './kms-key.repository';
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
  constructor(private readonly db: Database, private readonly masterKey: MasterKey) {}

  async generateDataKey(req: { keyArn: string; context: Record<string, string>; sourceArn?: string; sourceAccount?: string }): Promise<{ plaintext: Buffer; ciphertextBlob: Buffer }> {
    const row = await this.load(req.keyArn);
    const condition = { ...contextKeys(req.context), ...(req.sourceArn ? { 'aws:SourceArn': req.sourceArn } : {}), ...(req.sourceAccount ? { 'aws:SourceAccount': req.sourceAccount } : {}) };
    if (!keyPolicyAllows(storedPolicy(row), row, { service: CLOUDTRAIL_SERVICE }, 'kms:GenerateDataKey', condition)) {
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

  async decryptDataKey(req: { keyArn: string; ciphertextBlob: Buffer; context: Record<string, string>; requester: KeyRequester }): Promise<Buffer> {
    const row = await this.load(req.keyArn);
    if ('caller' in req.requester && !keyPolicyAllows(storedPolicy(row), row, { caller: req.requester.caller }, 'kms:Decrypt', contextKeys(req.context))) {
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
   * CreateTrail/UpdateTrail's check of a trail's KmsKeyId (spec §7): the policy must let CloudTrail
   * generate data keys for this trail and describe the key. Errors and alias resolution: checkServiceKey.
   */
  async checkTrailKey(keyArn: string, trail: { trailArn: string; accountId: string; region: string }): Promise<string> {
    const source = { 'aws:SourceArn': trail.trailArn, 'aws:SourceAccount': trail.accountId };
    return this.checkServiceKey(keyArn, trail.region, [
      ['kms:GenerateDataKey', { ...contextKeys({ 'aws:cloudtrail:arn': trail.trailArn }), ...source }],
      ['kms:DescribeKey', source],
    ], 'kms:GenerateDataKey* and kms:DescribeKey for this trail');
  }

  /**
   * Create/UpdateEventDataStore's check of a store's KmsKeyId (spec §7): the policy must let
   * CloudTrail kms:GenerateDataKey and kms:Decrypt; EDS key policies support no aws:SourceArn /
   * aws:SourceAccount conditions, so none are set. Errors and alias resolution: checkServiceKey.
   */
  async checkEventDataStoreKey(keyArn: string, store: { region: string }): Promise<string> {
    return this.checkServiceKey(keyArn, store.region, [['kms:GenerateDataKey', {}], ['kms:Decrypt', {}]], 'kms:GenerateDataKey and kms:Decrypt');
  }

  /**
   * CloudTrail's configure-time key check: the key exists in the resource's Region
   * (KmsKeyNotFoundException), its policy allows `cloudtrail.amazonaws.com` every required action
   * (InsufficientEncryptionPolicyException), and it is usable (KmsException). An alias ARN is
   * resolved: the key ARN it names now is returned, and is what the resource stores.
   */
  private async checkServiceKey(keyArn: string, region: string, required: Array<[action: string, condition: Record<string, string>]>, needs: string): Promise<string> {
    const resolved = await this.resolveAlias(keyArn);
    const ref = resolved ? parseKeyArn(resolved) : null;
    const row = ref && ref.region === region ? await this.find(ref.accountId, ref.region, ref.keyId) : null;
    if (!row) throw new OpenTrailError('KmsKeyNotFoundException', `KMS key ${keyArn.slice(0, 300)} does not exist or is not in Region ${region}.`);
    const policy = storedPolicy(row);
    if (!required.every(([action, condition]) => keyPolicyAllows(policy, row, { service: CLOUDTRAIL_SERVICE }, action, condition))) {
      throw new OpenTrailError('InsufficientEncryptionPolicyException', `Insufficient permissions to access S3 bucket or KMS key: the key policy must allow cloudtrail.amazonaws.com ${needs}.`);
    }
    if (row.keyState !== 'Enabled') throw new OpenTrailError('KmsException', `KMS key ${row.arn} is ${row.keyState === 'Disabled' ? 'disabled' : 'pending deletion'}.`);
    return row.arn;
  }

  /** A key ARN as it is; an alias ARN to the key ARN it names (null when there is no such alias). */
  private async resolveAlias(arn: string): Promise<string | null> {
    const m = /^arn:aws:kms:([a-z0-9-]+):(\d{12}):(alias\/[A-Za-z0-9/_-]{1,250})$/.exec(arn);
    if (!m) return arn;
    const alias = await this.db.asService((client) => aliases.find(client, m[2], m[1], m[3]), { transaction: false });
    return alias ? keyArnOf(m[1], m[2], alias.targetKeyId) : null;
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

function usable(row: KmsKeyRow): void {
  if (row.keyState === 'Disabled') throw KmsErrors.disabled(row.arn);
  if (row.keyState === 'PendingDeletion') throw KmsErrors.invalidState(row.arn, 'pending deletion');
}
