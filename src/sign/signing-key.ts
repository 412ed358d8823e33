// Which key `override sign` / `review sign` signs with, and which public key (and
// certificate) that is — known before anything is signed, so the principal can be
// found in the trust file by key (as `ssh-keygen -Y find-principals` does) and a key
// the trust file does not list is refused before a trailer exists.
//
// `--key`, else git's `user.signingkey`, in the forms git accepts for gpg.format=ssh:
//   a private key path            ~/.ssh/id_ed25519 (its .pub beside it, or derived)
//   a public key path             ~/.ssh/id_ed25519.pub (private half in ssh-agent)
//   a certificate                 ~/.ssh/id_ed25519-cert.pub (signs with the certificate)
//   a literal                     key::ssh-ed25519 AAAA… (held by ssh-agent)

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { usageError } from '../errors.js';
import {
  parseKeyOrCertificate,
  SshsigError,
  type SshCertificate,
  type SshPublicKey,
} from './sshsig.js';

export interface SigningKey {
  /** What to pass to `ssh-keygen -Y sign -f`. */
  file: string;
  key: SshPublicKey;
  certificate?: SshCertificate | undefined;
  /** Removes the temporary file a `key::` literal needs. */
  cleanup(): void;
  /** A certificate was found beside a private key: the same key without it (for trust files that list the key itself). */
  plain?: SigningKey;
}

const expand = (
  p: string,
  cwd: string,
  env: Readonly<Record<string, string | undefined>>,
): string =>
  p === '~' || p.startsWith('~/') ? join(env.HOME ?? homedir(), p.slice(1)) : resolve(cwd, p);

function parseLine(
  text: string,
  where: string,
): { key: SshPublicKey; certificate?: SshCertificate } {
  try {
    return parseKeyOrCertificate(text.trim());
  } catch (e) {
    throw usageError(
      `${where} is not an SSH public key: ${e instanceof SshsigError ? e.message : String(e)}`,
      'give the private key, its .pub, or key::ssh-ed25519 AAAA…',
    );
  }
}

/**
 * Resolve a key spec to the key that will sign. Never prompts: a private key
 * without a .pub beside it is read with `ssh-keygen -y -P ''` (an encrypted key
 * then fails with a hint instead of waiting for a passphrase). Throws a usage
 * CleanroomError naming the fix.
 */
export function resolveSigningKey(
  spec: string,
  cwd: string,
  env: Readonly<Record<string, string | undefined>>,
): SigningKey {
  if (spec.startsWith('key::')) {
    const parsed = parseLine(spec.slice(5), 'the key:: literal');
    const dir = mkdtempSync(join(tmpdir(), 'cleanroom-key-'));
    const file = join(dir, 'key.pub');
    writeFileSync(file, spec.slice(5).trim() + '\n', { mode: 0o600 });
    return { file, ...parsed, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
  }
  const file = expand(spec, cwd, env);
  if (!existsSync(file))
    throw usageError(
      `no such key file: ${file}`,
      'give the private key, its .pub, or set git config user.signingkey',
    );
  const noop = (): void => undefined;
  if (file.endsWith('.pub'))
    return { file, ...parseLine(readFileSync(file, 'utf8'), file), cleanup: noop };
  // A private key: its certificate beside it signs with the certificate, as ssh-keygen's
  // own key loading does for -cert.pub; else the .pub; else derive the public half.
  const plain = existsSync(`${file}.pub`)
    ? { file, ...parseLine(readFileSync(`${file}.pub`, 'utf8'), `${file}.pub`), cleanup: noop }
    : undefined;
  if (existsSync(`${file}-cert.pub`)) {
    const cert = parseLine(readFileSync(`${file}-cert.pub`, 'utf8'), `${file}-cert.pub`);
    return { file: `${file}-cert.pub`, ...cert, cleanup: noop, ...(plain ? { plain } : {}) };
  }
  if (plain) return plain;
  let pub: string;
  try {
    pub = execFileSync('ssh-keygen', ['-y', '-P', '', '-f', file], {
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 10_000,
      encoding: 'utf8',
    });
  } catch {
    throw usageError(
      `cannot read the public half of ${file}`,
      `write it beside the key (ssh-keygen -y -f ${file} > ${file}.pub) or pass the .pub of a key held by ssh-agent`,
    );
  }
  return { file, ...parseLine(pub, file), cleanup: noop };
}
