import { randomBytes } from 'node:crypto';
import { DecryptionError } from '../../src/crypto/aes-gcm';
import { MasterKey } from '../../src/crypto/master-key';
import { AccessKeySecrets } from '../../src/principals/access-key-secrets';

describe('access key secrets sealed for SigV4', () => {
  const masterKey = new MasterKey(randomBytes(32));
  const secrets = new AccessKeySecrets(masterKey);
  const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

  it('opens what it sealed, and the blob does not hold the secret', () => {
    const sealed = secrets.seal('AKIAAAAAAAAAAAAAAAAA', secret);
    expect(sealed.includes(Buffer.from(secret))).toBe(false);
    expect(secrets.open('AKIAAAAAAAAAAAAAAAAA', sealed)).toBe(secret);
  });

  it('refuses a blob moved to another key id, or opened under another master key', () => {
    const sealed = secrets.seal('AKIAAAAAAAAAAAAAAAAA', secret);
    expect(() => secrets.open('AKIABBBBBBBBBBBBBBBB', sealed)).toThrow(DecryptionError);
    expect(() => new AccessKeySecrets(new MasterKey(randomBytes(32))).open('AKIAAAAAAAAAAAAAAAAA', sealed)).toThrow(DecryptionError);
  });

  it('uses a purpose key, not the master key nor its general seal key', () => {
    const sealed = secrets.seal('AKIAAAAAAAAAAAAAAAAA', secret);
    expect(() => masterKey.open(sealed, 'access-key:AKIAAAAAAAAAAAAAAAAA')).toThrow(DecryptionError);
  });
});
