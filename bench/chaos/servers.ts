import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** The immutable-directory fault of a chaos run (bucket-unwritable); its servers are bench/lib/servers.ts. */

/** Whether `chattr +i` holds here (ext2/3/4, xfs, btrfs with CAP_LINUX_IMMUTABLE); checked on a scratch directory. */
export function immutableSupported(dir: string): { ok: boolean; why: string } {
  const probe = path.join(dir, 'chattr-probe');
  fs.mkdirSync(probe, { recursive: true });
  try {
    execFileSync('chattr', ['+i', probe], { stdio: 'pipe' });
  } catch (err) {
    return { ok: false, why: `chattr +i failed: ${(err as Error).message.split('\n')[0]}` };
  }
  try {
    fs.writeFileSync(path.join(probe, 'x'), 'x');
    return { ok: false, why: 'a file could still be created in an immutable directory' };
  } catch {
    return { ok: true, why: 'chattr +i refuses new entries even to root' };
  } finally {
    execFileSync('chattr', ['-i', probe], { stdio: 'pipe' });
    fs.rmSync(probe, { recursive: true, force: true });
  }
}

/** Sets or clears the immutable attribute on a whole tree (every directory and object in it). */
export function setImmutable(dir: string, on: boolean): void {
  if (!fs.existsSync(dir)) return;
  execFileSync('chattr', ['-R', on ? '+i' : '-i', dir], { stdio: 'pipe' });
}
