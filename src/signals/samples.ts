// The evidence kept beside each row of policies/tools.yaml, checked like gitleaks' rule
// tests: every `examples:` entry (a string the tool really wrote, with where it was seen)
// must be detected as that row's tool, every `decoys:` entry (a person or prose that
// only looks like a tool) must not be detected at all, and no example identity may count
// as a human reviewer. Run by the build (src/build/build.mjs) and by the unit tests, so a
// table edit that loses a real tool, or starts accusing a real person, cannot ship.

import type { Identity, Signal } from '../core/types.js';
import { trailerAttestations } from './attest.js';
import { detectSignals, envSignals } from './detect.js';
import { compileToolTable, type ToolSample, type ToolTable, type ToolTableSpec } from './tools.js';
import { parseIdentity } from './trailers.js';

const HUMAN: Identity = { name: 'Hana Human', email: 'hana@example.org' };

/** The metadata of the commit a sample describes (the other fields a plain human commit). */
export function sampleMeta(s: ToolSample): {
  author: Identity;
  committer: Identity;
  message: string;
  env: Record<string, string>;
} {
  const id = (text: string): Identity => {
    const parsed = parseIdentity(text);
    if (!parsed) throw new Error(`not an identity "Name <email>": ${text}`);
    return parsed;
  };
  const env: Record<string, string> = {};
  if (s.env) {
    const eq = s.env.indexOf('=');
    env[eq < 0 ? s.env : s.env.slice(0, eq)] = eq < 0 ? '1' : s.env.slice(eq + 1);
  }
  return {
    author: s.author ? id(s.author) : HUMAN,
    committer: s.committer ? id(s.committer) : HUMAN,
    message:
      s.message ??
      (s.trailer ? `Update the parser\n\nA body line.\n\n${s.trailer}\n` : 'Update the parser\n'),
    env,
  };
}

export function sampleSignals(table: ToolTable, s: ToolSample): Signal[] {
  const m = sampleMeta(s);
  return [...detectSignals(table, m), ...envSignals(table, m.env)];
}

const describe = (s: ToolSample): string =>
  `${Object.entries(s)
    .filter(([k]) => k !== 'seen')
    .map(([k, v]) => `${k} ${JSON.stringify(v)}`)
    .join(', ')} (seen: ${s.seen})`;

/**
 * Every failure of the table against its own evidence, as one line each (empty: all
 * good). Throws nothing for a bad sample: an identity that does not parse is a failure.
 */
export function checkToolSamples(spec: ToolTableSpec): string[] {
  const table = compileToolTable(spec);
  const failures: string[] = [];
  for (const row of spec.tools) {
    if (!row.examples?.length)
      failures.push(
        `${row.id}: no examples — record at least one real string the tool writes, with where it was seen`,
      );
    for (const s of row.examples ?? []) {
      try {
        const signals = sampleSignals(table, s);
        if (!signals.some((x) => x.tool === row.id)) {
          const got = signals.length
            ? `detected as ${[...new Set(signals.map((x) => x.tool))].join(', ')}`
            : 'not detected';
          failures.push(`${row.id}: example ${describe(s)} is ${got}`);
        }
        // An AI identity never reviews: the example's identity in a Reviewed-by trailer counts for nothing.
        const who =
          s.author ??
          s.committer ??
          (s.trailer ? s.trailer.slice(s.trailer.indexOf(':') + 1).trim() : undefined);
        if (who && parseIdentity(who)) {
          const r = trailerAttestations(
            table,
            { trailer: 'Reviewed-by', independent: false },
            { message: `Fix\n\nReviewed-by: ${who}\n` },
          );
          if (r.attestations.length)
            failures.push(`${row.id}: example identity ${who} would count as a human reviewer`);
        }
      } catch (e) {
        failures.push(`${row.id}: example ${describe(s)}: ${(e as Error).message}`);
      }
    }
    for (const s of row.decoys ?? []) {
      try {
        const signals = sampleSignals(table, s);
        if (signals.length)
          failures.push(
            `${row.id}: decoy ${describe(s)} is detected as ${signals.map((x) => `${x.tool} (${x.evidence})`).join(', ')}`,
          );
      } catch (e) {
        failures.push(`${row.id}: decoy ${describe(s)}: ${(e as Error).message}`);
      }
    }
  }
  return failures;
}
