import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { DecryptionError } from '../../src/crypto/aes-gcm';
import { MasterKey } from '../../src/crypto/master-key';
import { loadConfig } from '../../src/config';

describe('master key', () => {
  const key = new MasterKey(randomBytes(32));

  it('seals and opens a secret under its context', () => {
    const sealed = key.seal(Buffer.from('private key'), 'signing-key:1');
    expect(sealed.includes(Buffer.from('private key'))).toBe(false);
    expect(key.open(sealed, 'signing-key:1').toString()).toBe('private key');
  });

  it('refuses a wrong context, a flipped bit and another master key', () => {
    const sealed = key.seal(Buffer.from('secret'), 'a');
    expect(() => key.open(sealed, 'b')).toThrow(DecryptionError);
    const flipped = Buffer.from(sealed);
    flipped[flipped.length - 1] ^= 1;
    expect(() => key.open(flipped, 'a')).toThrow(DecryptionError);
    expect(() => new MasterKey(randomBytes(32)).open(sealed, 'a')).toThrow(DecryptionError);
  });

  it('derives distinct, stable keys per purpose', () => {
    expect(key.deriveKey('x').equals(key.deriveKey('x'))).toBe(true);
    expect(key.deriveKey('x').equals(key.deriveKey('y'))).toBe(false);
  });

  it('is generated once into a 0600 file when MASTER_KEY is unset', () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ot-mk-'));
    try {
      const a = MasterKey.fromConfig({ masterKey: null, dataDir });
      const b = MasterKey.fromConfig({ masterKey: null, dataDir });
      expect(a.deriveKey('p').equals(b.deriveKey('p'))).toBe(true);
      expect(fs.statSync(path.join(dataDir, 'master.key')).mode & 0o777).toBe(0o600);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('rejects a MASTER_KEY that is not 32 base64 bytes', () => {
    expect(() => loadConfig({ MASTER_KEY: 'c2hvcnQ=' })).toThrow(/MASTER_KEY must be the base64 encoding of exactly 32 bytes/);
    expect(loadConfig({ MASTER_KEY: randomBytes(32).toString('base64') }).masterKey).toHaveLength(32);
  });
});
