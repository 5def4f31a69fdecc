import { createHmac } from 'node:crypto';
import type { MasterKey } from '../crypto/master-key';

/** The master key's purpose key for temporary credentials' secrets; nothing else uses it. */
const PURPOSE = 'sts-session-secret';
/** 30 bytes are 40 base64 characters: the length of an AWS secret access key. */
const SECRET_BYTES = 30;

/**
 * The secret access key of temporary credentials (GetSessionToken, AssumeRole). Their session
 * token is an OpenTrail session token, so the secret is derived from it: an HMAC under a purpose
 * key of the master key. It is never stored; whoever verifies a SigV4 request that presents the
 * token (X-Amz-Security-Token) derives it again, and no one without the master key can.
 */
export class SessionSecrets {
  private readonly key: Buffer;

  constructor(masterKey: MasterKey) {
    this.key = masterKey.deriveKey(PURPOSE);
  }

  secretFor(sessionToken: string): string {
    return createHmac('sha256', this.key).update(sessionToken, 'utf8').digest().subarray(0, SECRET_BYTES).toString('base64');
  }
}
