// Granting signals in `review.mode: trailer`: a real trailer (Git's rules, not a line
// in the body) with the policy's key, naming a human. A review "by" an AI identity
// counts as nothing, and with `independent: true` the author cannot review their own
// commit. Everything refused is explained in `notes`, so the user learns why.

import type { Attestation, Identity } from '../core/types.js';
import { formatIdentity, identityTool } from './detect.js';
import type { ToolTable } from './tools.js';
import { parseIdentity, parseTrailers } from './trailers.js';

export interface TrailerReviewRules {
  trailer: string;
  independent: boolean;
}

/**
 * One mailbox, whatever its spelling: case-insensitive, and `name+tag@host` is
 * `name@host` (so `hana+review@…` cannot review hana@…'s commit). Refusing too much is
 * the safe side for an independence rule.
 */
export function mailbox(email: string): string {
  const e = email.trim().toLowerCase();
  const at = e.lastIndexOf('@');
  if (at < 0) return e;
  const local = e.slice(0, at);
  const plus = local.indexOf('+');
  return (plus > 0 ? local.slice(0, plus) : local) + e.slice(at);
}

export function trailerAttestations(
  table: ToolTable,
  rules: TrailerReviewRules,
  meta: { message: string; author?: Identity | undefined },
  opts: { noDivider?: boolean } = {},
): { attestations: Attestation[]; notes: string[] } {
  const attestations: Attestation[] = [];
  const notes: string[] = [];
  const key = rules.trailer.toLowerCase();
  for (const t of parseTrailers(meta.message, { noDivider: opts.noDivider ?? true })) {
    if (t.key.toLowerCase() !== key) continue;
    const id = parseIdentity(t.value);
    if (!id) {
      notes.push(`"${t.text}" is not counted: write it as ${rules.trailer}: Name <email>`);
      continue;
    }
    if (identityTool(table, id) || table.toolForDisplayName(id.name)) {
      notes.push(
        `"${t.text}" is not counted: the reviewer is an AI identity, and review must be human`,
      );
      continue;
    }
    if (rules.independent && meta.author && mailbox(meta.author.email) === mailbox(id.email)) {
      notes.push(
        `"${t.text}" is not counted: the reviewer is the commit's author (review.independent is true)`,
      );
      continue;
    }
    attestations.push({ kind: 'trailer', by: formatIdentity(id), evidence: t.text });
  }
  return { attestations, notes };
}
