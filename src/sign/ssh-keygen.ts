// Signing goes through the real `ssh-keygen -Y sign`, so keys in ssh-agent and hardware
// (FIDO) keys work: `--key` may name a private key, or a public key whose private half is
// in the agent. Verification never needs ssh-keygen (see sshsig.ts).

import { spawn } from 'node:child_process';
import { CleanroomError } from '../errors.js';

export function sshKeygenSign(opts: {
  key: string;
  namespace: string;
  message: string;
  env: Readonly<Record<string, string | undefined>>;
}): Promise<string> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(opts.env)) if (v !== undefined) env[k] = v;
    const child = spawn('ssh-keygen', ['-q', '-Y', 'sign', '-f', opts.key, '-n', opts.namespace], {
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) =>
      reject(
        new CleanroomError(
          'signature',
          `cannot run ssh-keygen: ${e.message}`,
          'install OpenSSH (ssh-keygen 8.2 or newer signs with -Y sign)',
        ),
      ),
    );
    child.on('close', (code) => {
      const stderr = Buffer.concat(err).toString('utf8').trim();
      const armored = Buffer.concat(out).toString('utf8');
      if (code !== 0 || !armored.includes('BEGIN SSH SIGNATURE')) {
        reject(
          new CleanroomError(
            'signature',
            `ssh-keygen could not sign with ${opts.key}: ${stderr || `exit code ${String(code)}`}`,
            'check the key path (a private key, or a public key whose private half is in ssh-agent)',
          ),
        );
      } else resolve(armored);
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.message);
  });
}
