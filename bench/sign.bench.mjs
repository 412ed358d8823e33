// Signed overrides: verifying 1,000 distinct `Cleanroom-Override:` trailers in-process
// (what a server does for a push of 1,000 overridden commits), against `ssh-keygen -Y
// verify` per signature measured in the same run. Target: the 1,000 in under 1 s.
//
// Setup signs 1,000 distinct statements with the real `ssh-keygen -Y sign` (one process
// signs many files, a few processes in parallel). The timed part is `verifyGrants` —
// trailer parse, coverage digest, SSHSIG verify, allowed_signers match — bundled from
// src/ with esbuild at bench time (dist/ is the CLI, not a library).

import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { generateKeyPairSync, sign as cryptoSign, verify as cryptoVerify } from 'node:crypto';
import { build } from 'esbuild';

const POLICY = `version: 1
repository: example.org/acme/evals
zones:
  - name: eval-tasks
    paths: ["evals/tasks/**"]
    ai: deny
`;
const NOW = new Date();
const AUTHOR = { name: 'Bench Human', email: 'bench@example.org' };

async function bundle(h, dir) {
  const entry = join(dir, 'entry.ts');
  const src = (p) => JSON.stringify(join(h.root, 'src', p));
  writeFileSync(
    entry,
    [
      `export { verifyGrants } from ${src('check/grants.ts')};`,
      `export { coverage, canonicalText, formatTrailerValue, isoSeconds, NAMESPACE } from ${src('sign/statement.ts')};`,
      `export { toCompactBase64, verifySshsig, armorFromBase64 } from ${src('sign/sshsig.ts')};`,
      `export { parseAllowedSigners, findSigner } from ${src('sign/allowed-signers.ts')};`,
      `export { loadPolicyText } from ${src('policy/load.ts')};`,
    ].join('\n'),
  );
  const out = join(dir, 'sign-lib.mjs');
  await build({
    entryPoints: [entry],
    outfile: out,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    logLevel: 'warning',
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
  });
  return import(pathToFileURL(out).href);
}

/** `ssh-keygen -Y sign -f KEY -n NS FILE…` writes FILE.sig for each; run `jobs` of them at once. */
async function signAll(key, namespace, files, jobs) {
  const chunks = Array.from({ length: jobs }, (_, j) =>
    files.filter((_, i) => i % jobs === j),
  ).filter((c) => c.length);
  await Promise.all(
    chunks.map(
      (chunk) =>
        new Promise((resolve, reject) => {
          const p = spawn(
            'ssh-keygen',
            ['-q', '-Y', 'sign', '-f', key, '-n', namespace, ...chunk],
            { stdio: ['ignore', 'ignore', 'pipe'] },
          );
          let err = '';
          p.stderr.on('data', (d) => (err += d));
          p.on('error', reject);
          p.on('close', (code) =>
            code === 0 ? resolve() : reject(new Error(`ssh-keygen -Y sign failed: ${err}`)),
          );
        }),
    ),
  );
}

/** n distinct commits, each with its own file in the zone and its own signed override. */
async function makeOverrides(h, lib, policy, dir, keyType, n) {
  const key = join(dir, `approver-${keyType}`);
  const keygenArgs = {
    ed25519: ['-t', 'ed25519'],
    ecdsa: ['-t', 'ecdsa', '-b', '256'],
    rsa: ['-t', 'rsa', '-b', '3072'],
  }[keyType];
  execFileSync('ssh-keygen', ['-q', ...keygenArgs, '-N', '', '-C', 'approver', '-f', key], {
    stdio: 'ignore',
  });
  const pub = readFileSync(`${key}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ');
  const approvers = `approver@example.org namespaces="cleanroom-override" ${pub}\n`;
  const items = [];
  const files = [];
  for (let i = 0; i < n; i++) {
    const blob = (i.toString(16) + 'b'.repeat(40)).slice(0, 40);
    const changed = [{ status: 'A', path: `evals/tasks/q${i}.json`, blob, mode: '100644' }];
    const cov = lib.coverage(policy, changed);
    const st = {
      kind: 'override',
      repository: policy.repository,
      zones: cov.zones,
      files: cov.pairs.length,
      digest: cov.digest,
      reason: `hand-checked question ${i}`,
      principal: 'approver@example.org',
      created: lib.isoSeconds(new Date(NOW.getTime() - 3_600_000)),
      expires: lib.isoSeconds(new Date(NOW.getTime() + 7 * 86_400_000)),
    };
    const file = join(dir, `${keyType}-${i}.txt`);
    writeFileSync(file, lib.canonicalText(st));
    files.push(file);
    items.push({ st, file, changed });
  }
  const t0 = process.hrtime.bigint();
  await signAll(key, lib.NAMESPACE.override, files, 4);
  const signMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const inputs = items.map(({ st, file, changed }, i) => {
    const sig = readFileSync(`${file}.sig`, 'utf8');
    const trailer = `Cleanroom-Override: ${lib.formatTrailerValue(st, lib.toCompactBase64(sig))}`;
    return {
      input: {
        commit: i.toString(16).padStart(40, '0'),
        files: changed,
        message: `Add q${i}\n\nCo-authored-by: Claude <noreply@anthropic.com>\n${trailer}\n`,
        author: AUTHOR,
      },
      file,
      sig,
    };
  });
  const allowedFile = join(dir, `approvers-${keyType}`);
  writeFileSync(allowedFile, approvers);
  return {
    inputs,
    trust: { approvers: { file: '.cleanroom/approvers', text: approvers } },
    allowedFile,
    signMs,
  };
}

function verifyLoop(lib, policy, set) {
  const t0 = process.hrtime.bigint();
  let ok = 0;
  for (const { input } of set.inputs) {
    const r = lib.verifyGrants(policy, input, set.trust, NOW);
    if (r.overrides.length === 1) ok++;
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (ok !== set.inputs.length)
    throw new Error(
      `only ${ok} of ${set.inputs.length} overrides verified: ${JSON.stringify(lib.verifyGrants(policy, set.inputs[0].input, set.trust, NOW).notes)}`,
    );
  return ms;
}

export default async (h) => {
  h.section('signed overrides: verification in-process vs ssh-keygen -Y verify');
  const dir = h.tmp('cleanroom-bench-sign-');
  const lib = await bundle(h, dir);
  const policy = lib.loadPolicyText(POLICY, 'policy.yaml');
  const n = h.quick ? 100 : 1000;

  const ed = await makeOverrides(h, lib, policy, dir, 'ed25519', n);
  h.row(
    `setup: ssh-keygen -Y sign, ${n} distinct statements (4 processes)`,
    `${ed.signMs.toFixed(0)} ms`,
  );

  verifyLoop(lib, policy, { ...ed, inputs: ed.inputs.slice(0, 20) }); // warm-up (JIT, key import paths)
  const runs = [
    verifyLoop(lib, policy, ed),
    verifyLoop(lib, policy, ed),
    verifyLoop(lib, policy, ed),
  ];
  const total = h.median(runs);
  h.row(
    `cleanroom verifyGrants, ${n} ed25519 overrides (median of 3)`,
    `${total.toFixed(1)} ms  (${((total * 1000) / n).toFixed(0)} µs each)${n === 1000 ? (total < 1000 ? '  ✓ under 1 s' : '  ✗ over 1 s') : ''}`,
  );

  // The same signatures through ssh-keygen, one process per signature as a script would.
  const sample = ed.inputs.slice(0, 20);
  const keygenMs = sample.map(({ file, input }) => {
    const r = h.time(
      'ssh-keygen',
      [
        '-Y',
        'verify',
        '-f',
        ed.allowedFile,
        '-I',
        'approver@example.org',
        '-n',
        'cleanroom-override',
        '-s',
        `${file}.sig`,
      ],
      { input: readFileSync(file) },
    );
    if (r.code !== 0)
      throw new Error(`ssh-keygen -Y verify failed for ${input.commit}: ${r.stderr}`);
    return r.ms;
  });
  const perKeygen = h.median(keygenMs);
  const perOurs = total / n;
  h.row('ssh-keygen -Y verify, per signature (median of 20)', `${perKeygen.toFixed(2)} ms`);
  h.row(
    'ratio: ssh-keygen per signature / cleanroom per signature',
    `${(perKeygen / perOurs).toFixed(0)}× faster in-process`,
  );

  // The floor: node:crypto's ed25519 verify alone, same number of signatures.
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const msgs = Array.from({ length: n }, (_, i) => Buffer.from(`message ${i}`));
  const sigs = msgs.map((m) => cryptoSign(null, m, privateKey));
  const floor = h.median(
    [0, 1, 2].map(() => {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < n; i++)
        if (!cryptoVerify(null, msgs[i], publicKey, sigs[i]))
          throw new Error('node:crypto verify failed');
      return Number(process.hrtime.bigint() - t0) / 1e6;
    }),
  );
  h.row(
    `node:crypto ed25519 verify alone, ${n} (the floor)`,
    `${floor.toFixed(1)} ms  (cleanroom adds ${(((total - floor) * 1000) / n).toFixed(0)} µs each: key and SSHSIG decoding, trailer parse, digest, allowed_signers)`,
  );

  // Other key types, fewer signatures: RSA verification is the slow one.
  for (const type of ['ecdsa', 'rsa']) {
    const m = h.quick ? 20 : 200;
    const set = await makeOverrides(h, lib, policy, dir, type, m);
    verifyLoop(lib, policy, { ...set, inputs: set.inputs.slice(0, 5) });
    const ms = h.median([
      verifyLoop(lib, policy, set),
      verifyLoop(lib, policy, set),
      verifyLoop(lib, policy, set),
    ]);
    h.row(
      `cleanroom verifyGrants, ${m} ${type === 'rsa' ? 'rsa-3072' : 'ecdsa-p256'} overrides`,
      `${ms.toFixed(1)} ms  (${((ms * 1000) / m).toFixed(0)} µs each → ${((ms / m) * 1000).toFixed(0)} ms per 1,000)`,
    );
  }
};
