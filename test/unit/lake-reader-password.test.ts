import { createHash, createHmac } from 'node:crypto';
import { MasterKey } from '../../src/crypto/master-key';
import { readerPassword, readerUrl } from '../../src/lake/query/lake-reader';
import { scramSha256Verifier } from '../../src/lake/query/scram';

describe('lake reader credentials', () => {
  it('computes the SCRAM-SHA-256 verifier of the RFC 7677 example (its proof and server signature check out)', () => {
    const verifier = scramSha256Verifier('pencil', Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'));
    const m = /^SCRAM-SHA-256\$4096:W22ZaJ0SNY7soEsUEjb6gQ==\$([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)$/.exec(verifier);
    expect(m).not.toBeNull();
    const storedKey = Buffer.from(m![1], 'base64');
    const serverKey = Buffer.from(m![2], 'base64');
    const nonce = 'rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0';
    const authMessage = `n=user,r=rOprNGfwEbeRWgbNEkqO,r=${nonce},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,c=biws,r=${nonce}`;
    // The server's check of the client's proof: ClientKey = proof XOR HMAC(StoredKey, AuthMessage), H(ClientKey) = StoredKey.
    const proof = Buffer.from('dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=', 'base64');
    const clientSignature = createHmac('sha256', storedKey).update(authMessage).digest();
    const clientKey = Buffer.from(proof.map((b, i) => b ^ clientSignature[i]));
    expect(createHash('sha256').update(clientKey).digest().equals(storedKey)).toBe(true);
    expect(createHmac('sha256', serverKey).update(authMessage).digest('base64')).toBe('6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=');
  });

  it('derives a stable password from the master key and puts it, with the reader, into the URL', () => {
    const key = new MasterKey(Buffer.alloc(32, 7));
    const password = readerPassword(key);
    expect(password).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(readerPassword(new MasterKey(Buffer.alloc(32, 7)))).toBe(password);
    expect(readerPassword(new MasterKey(Buffer.alloc(32, 8)))).not.toBe(password);
    const url = new URL(readerUrl('postgres://owner:secret@db.example:5433/opentrail?sslmode=require&user=owner', password));
    expect([
      url.username,
      url.password,
      url.host,
      url.pathname,
      url.searchParams.get('sslmode'),
      url.searchParams.getAll('user'),
      url.searchParams.get('password'),
    ]).toEqual(['', '', 'db.example:5433', '/opentrail', 'require', ['opentrail_lake_reader'], password]);
    // A socket URL (no host part, so no user part) carries them too.
    const socket = new URL(readerUrl('postgres:///opentrail?host=/var/run/postgresql', password));
    expect([socket.searchParams.get('host'), socket.searchParams.get('user'), socket.searchParams.get('password')]).toEqual([
      '/var/run/postgresql',
      'opentrail_lake_reader',
      password,
    ]);
  });
});
