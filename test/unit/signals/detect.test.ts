// Restricting signals: every mark in policies/tools.yaml, with the exact strings each
// tool writes (docs/design/field-notes.md), and the decoys that must NOT count: a human
// called Claude, "aider" in prose, a display name alone.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { Identity, Signal } from '../../../src/core/types.js';
import builtin from '../../../src/policy/generated/builtin-tools.js';
import { loadPolicyText } from '../../../src/policy/load.js';
import { detectSignals, envSignals, identityTool } from '../../../src/signals/detect.js';
import { compileToolTable, type ToolSpec, type ToolTableSpec } from '../../../src/signals/tools.js';
import { POLICY, ROOT } from '../../helpers/repo.js';

const table = compileToolTable(builtin as ToolTableSpec);
const HANA: Identity = { name: 'Hana Human', email: 'hana@example.org' };
const msg = (...trailers: string[]) => `Add eval task\n\nSome body.\n\n${trailers.join('\n')}\n`;

/** "tool<source>" for each signal, in order. */
const seen = (signals: Signal[]) => signals.map((s) => `${s.tool}<${s.source}>`);
const detect = (message: string, author: Identity = HANA, committer: Identity = HANA) =>
  detectSignals(table, { message, author, committer });

describe('the built-in tool table is the generated copy of policies/tools.yaml', () => {
  it('same rows', () => {
    const yaml = parse(readFileSync(join(ROOT, 'policies', 'tools.yaml'), 'utf8')) as ToolTableSpec;
    // The evidence (examples, decoys) is checked at build time and left out of the embedded copy.
    expect(builtin).toEqual({
      ...yaml,
      tools: yaml.tools.map(({ examples: _e, decoys: _d, ...row }) => row),
    });
  });
});

describe('each tool, by the exact strings it writes', () => {
  const cases: [string, { message?: string; author?: Identity; committer?: Identity }, string[]][] =
    [
      // claude-code
      [
        'Claude Code co-author trailer',
        { message: msg('Co-Authored-By: Claude <noreply@anthropic.com>') },
        ['claude-code<trailer>'],
      ],
      [
        'Claude Code co-author trailer, lower-case key',
        { message: msg('Co-authored-by: Claude <noreply@anthropic.com>') },
        ['claude-code<trailer>'],
      ],
      [
        'Claude Opus 4.5 co-author',
        { message: msg('Co-Authored-By: Claude Opus 4.5 <noreply@anthropic.com>') },
        ['claude-code<trailer>'],
      ],
      [
        'Claude Sonnet 4.5 co-author',
        { message: msg('Co-Authored-By: Claude Sonnet 4.5 <noreply@anthropic.com>') },
        ['claude-code<trailer>'],
      ],
      [
        'Claude co-author with an upper-case email',
        { message: msg('Co-Authored-By: Claude <NoReply@Anthropic.COM>') },
        ['claude-code<trailer>'],
      ],
      [
        'Claude Code body marker (claude.com)',
        {
          message: 'Add task\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)\n',
        },
        ['claude-code<marker>', 'claude-code<marker>'],
      ],
      [
        'Claude Code body marker (claude.ai/code)',
        { message: 'Add task\n\n🤖 Generated with [Claude Code](https://claude.ai/code)\n' },
        ['claude-code<marker>', 'claude-code<marker>'],
      ],
      [
        'Claude-Session trailer',
        { message: msg('Claude-Session: 4f1c…') },
        ['claude-code<trailer>'],
      ],
      // aider
      [
        'aider co-author trailer (aider.chat)',
        { message: msg('Co-authored-by: aider (gpt-4o) <noreply@aider.chat>') },
        ['aider<trailer>'],
      ],
      [
        'aider co-author trailer (aider.dev)',
        { message: msg('Co-authored-by: aider (anthropic/claude-sonnet-4) <noreply@aider.dev>') },
        ['aider<trailer>'],
      ],
      [
        'aider name suffix on the author',
        { message: msg(), author: { name: 'Hana Human (aider)', email: 'hana@example.org' } },
        ['aider<name>'],
      ],
      [
        'aider name suffix on the committer',
        { message: msg(), committer: { name: 'Hana Human (aider)', email: 'hana@example.org' } },
        ['aider<name>'],
      ],
      // codex
      [
        'Codex co-author trailer',
        { message: msg('Co-authored-by: Codex <noreply@openai.com>') },
        ['codex<trailer>'],
      ],
      [
        'Codex cloud bot as author',
        {
          message: msg(),
          author: {
            name: 'chatgpt-codex-connector[bot]',
            email: '199175422+chatgpt-codex-connector[bot]@users.noreply.github.com',
          },
        },
        ['codex<author>'],
      ],
      [
        'openai-codex bot as committer',
        {
          message: msg(),
          committer: {
            name: 'openai-codex[bot]',
            email: '12345+openai-codex[bot]@users.noreply.github.com',
          },
        },
        ['codex<committer>'],
      ],
      // copilot
      [
        'Copilot coding agent as author',
        {
          message: msg(),
          author: {
            name: 'copilot-swe-agent[bot]',
            email: '198982749+Copilot@users.noreply.github.com',
          },
        },
        ['copilot<author>'],
      ],
      [
        'copilot-swe-agent bot address',
        {
          message: msg(
            'Co-authored-by: copilot-swe-agent[bot] <198982749+copilot-swe-agent[bot]@users.noreply.github.com>',
          ),
        },
        ['copilot<trailer>'],
      ],
      [
        'Copilot <copilot@github.com>',
        { message: msg('Co-authored-by: Copilot <copilot@github.com>') },
        ['copilot<trailer>'],
      ],
      // cursor
      [
        'Cursor agent as author',
        { message: msg(), author: { name: 'Cursor Agent', email: 'cursoragent@cursor.com' } },
        ['cursor<author>'],
      ],
      [
        'Cursor agent as co-author',
        { message: msg('Co-authored-by: Cursor Agent <cursoragent@cursor.com>') },
        ['cursor<trailer>'],
      ],
      // devin, jules
      [
        'Devin bot as author',
        {
          message: msg(),
          author: {
            name: 'devin-ai-integration[bot]',
            email: '158243242+devin-ai-integration[bot]@users.noreply.github.com',
          },
        },
        ['devin<author>'],
      ],
      [
        'Devin bot as co-author',
        {
          message: msg(
            'Co-authored-by: devin-ai-integration[bot] <158243242+devin-ai-integration[bot]@users.noreply.github.com>',
          ),
        },
        ['devin<trailer>'],
      ],
      [
        'Jules bot as author',
        {
          message: msg(),
          author: {
            name: 'google-labs-jules[bot]',
            email: '161369871+google-labs-jules[bot]@users.noreply.github.com',
          },
        },
        ['jules<author>'],
      ],
      // gemini
      [
        'Gemini co-author trailer',
        { message: msg('Co-authored-by: Gemini <gemini-cli@google.com>') },
        ['gemini<trailer>'],
      ],
      // openhands, amp, opencode, replit
      [
        'OpenHands co-author',
        { message: msg('Co-authored-by: openhands <openhands@all-hands.dev>') },
        ['openhands<trailer>'],
      ],
      [
        'Amp co-author',
        { message: msg('Co-authored-by: Amp <amp@ampcode.com>') },
        ['amp<trailer>'],
      ],
      [
        'Amp-Thread-ID trailer',
        { message: msg('Amp-Thread-ID: https://ampcode.com/threads/T-5928a90d') },
        ['amp<trailer>'],
      ],
      [
        'Amp-Thread trailer',
        { message: msg('Amp-Thread: https://ampcode.com/threads/T-5928a90d') },
        ['amp<trailer>'],
      ],
      [
        'opencode co-author',
        { message: msg('Co-authored-by: opencode <noreply@opencode.ai>') },
        ['opencode<trailer>'],
      ],
      [
        'Replit agent',
        { message: msg('Replit-Commit-Author: Agent', 'Replit-Commit-Session-Id: 9a1b') },
        ['replit<trailer>'],
      ],
      // generic AI trailers
      [
        'Assisted-by TOOL:MODEL (kernel convention)',
        { message: msg('Assisted-by: claude-code:claude-opus-4.5') },
        ['claude-code<trailer>'],
      ],
      [
        'Assisted-by AGENT:MODEL with tools',
        { message: msg('Assisted-by: Claude:claude-3-opus coccinelle sparse') },
        ['claude-code<trailer>'],
      ],
      [
        'Assisted-by a display name',
        { message: msg('Assisted-by: GitHub Copilot') },
        ['copilot<trailer>'],
      ],
      [
        'Assisted-by an unknown model',
        { message: msg('Assisted-by: gpt-4o') },
        ['unknown-ai<trailer>'],
      ],
      ['Generated-by', { message: msg('Generated-by: Claude Code') }, ['claude-code<trailer>']],
      [
        'Generated-by an unknown tool',
        { message: msg('Generated-by: SomeLLM 3') },
        ['unknown-ai<trailer>'],
      ],
      ['Co-authored-by-AI', { message: msg('Co-authored-by-AI: Devin') }, ['devin<trailer>']],
      ['AI-Tool', { message: msg('AI-Tool: cursor') }, ['cursor<trailer>']],
      [
        'a generic key naming an AI identity',
        { message: msg('Assisted-by: aider (gpt-4o) <noreply@aider.chat>') },
        ['aider<trailer>'],
      ],
      // placement: restricting signals are read liberally, anywhere in the message
      [
        'a co-author line moved into the body',
        {
          message: 'Add task\n\nCo-authored-by: Claude <noreply@anthropic.com>\nand then prose.\n',
        },
        ['claude-code<trailer>'],
      ],
      [
        'an indented co-author line',
        { message: 'Add task\n\n    Co-authored-by: Claude <noreply@anthropic.com>\n' },
        ['claude-code<trailer>'],
      ],
      [
        'a co-author line in the title',
        { message: 'Co-authored-by: Claude <noreply@anthropic.com>\n' },
        ['claude-code<trailer>'],
      ],
      [
        'CRLF message',
        { message: 'Add task\r\n\r\nCo-authored-by: Claude <noreply@anthropic.com>\r\n' },
        ['claude-code<trailer>'],
      ],
      // an AI named in a review trailer is still AI involvement (it does not grant, see attest)
      [
        'Reviewed-by an AI identity',
        { message: msg('Reviewed-by: Claude <noreply@anthropic.com>') },
        ['claude-code<trailer>'],
      ],
      [
        'several tools at once',
        {
          message: msg(
            'Co-authored-by: Claude <noreply@anthropic.com>',
            'Co-authored-by: Codex <noreply@openai.com>',
          ),
          author: { name: 'Hana Human (aider)', email: 'hana@example.org' },
        },
        ['aider<name>', 'claude-code<trailer>', 'codex<trailer>'],
      ],
      [
        'the same trailer twice counts once',
        {
          message: msg(
            'Co-authored-by: Claude <noreply@anthropic.com>',
            'Co-authored-by: Claude <noreply@anthropic.com>',
          ),
        },
        ['claude-code<trailer>'],
      ],
    ];
  for (const [name, input, expected] of cases) {
    it(name, () =>
      expect(seen(detect(input.message ?? msg(), input.author, input.committer))).toEqual(expected),
    );
  }

  it('evidence is what a user can recognise', () => {
    expect(detect(msg('Co-Authored-By: Claude Opus 4.5 <noreply@anthropic.com>'))).toEqual([
      {
        tool: 'claude-code',
        source: 'trailer',
        evidence: 'Co-Authored-By: Claude Opus 4.5 <noreply@anthropic.com>',
      },
    ]);
    expect(detect(msg(), { name: 'Hana Human (aider)', email: 'hana@example.org' })).toEqual([
      { tool: 'aider', source: 'name', evidence: 'author: Hana Human (aider) <hana@example.org>' },
    ]);
    expect(
      detect('x\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)\n').map(
        (s) => s.evidence,
      ),
    ).toEqual(['Generated with [Claude Code]', 'claude.com/claude-code']);
  });

  // GitHub's "Copilot" user co-authors with <175728472+Copilot@users.noreply.github.com>
  // (docs/design/field-notes.md, `Co-authored-by: Copilot <…>`), besides the 198982749+
  // address and copilot@github.com. The name "Copilot" is GitHub's, so the
  // `*+Copilot@users.noreply.github.com` row in policies/tools.yaml is safe.
  it('Copilot co-author trailer with the Copilot user noreply address', () => {
    expect(
      seen(detect(msg('Co-authored-by: Copilot <175728472+Copilot@users.noreply.github.com>'))),
    ).toEqual(['copilot<trailer>']);
  });
});

describe('decoys: people, prose and display names are not agents', () => {
  const cases: [string, { message?: string; author?: Identity; committer?: Identity }][] = [
    [
      'a human named Claude as author',
      { author: { name: 'Claude Monet', email: 'claude@monet.fr' } },
    ],
    [
      'a human named Claude as co-author',
      { message: msg('Co-authored-by: Claude Monet <claude@monet.fr>') },
    ],
    [
      'a human named Claude Shannon',
      { message: msg('Co-authored-by: Claude <claude.shannon@bell-labs.example>') },
    ],
    ['a human named Devin', { author: { name: 'Devin Smith', email: 'devin@corp.example' } }],
    [
      '"aider" in body text',
      {
        message:
          'Fix aider integration docs\n\nWe tried aider and cursor; this was written by hand.\n',
      },
    ],
    // aider 2023–24 began its subjects with "aider: " (issue 12): only that, at the start, case-sensitive.
    ['"aider:" later in the subject', { message: 'docs: aider: no, a human wrote this\n' }],
    ['"Aider:" capitalised, as prose', { message: 'Aider: a human wrote this\n' }],
    [
      'an (aider) lookalike suffix',
      { author: { name: 'Hana (aider fan)', email: 'hana@example.org' } },
    ],
    [
      '"Claude Code" named without the marker',
      { message: 'Document how Claude Code hooks work\n' },
    ],
    [
      'an AI email as a display name only',
      { message: msg('Co-authored-by: noreply@anthropic.com <bob@example.org>') },
    ],
    [
      'a lookalike domain',
      { message: msg('Co-authored-by: Claude <noreply@anthropic.com.evil.example>') },
    ],
    [
      'a lookalike bot without the [bot] suffix',
      {
        author: {
          name: 'devin-ai-integration',
          email: '1+devin-ai-integration@users.noreply.github.com',
        },
      },
    ],
    ['Replit-Commit-Author naming a person', { message: msg('Replit-Commit-Author: Hana') }],
    [
      'a human reviewer',
      {
        message: msg(
          'Reviewed-by: Rita Reviewer <rita@example.org>',
          'Signed-off-by: Hana Human <hana@example.org>',
        ),
      },
    ],
    ['a key that only contains a generic key', { message: msg('Not-Assisted-by: anyone') }],
    ['an empty message', { message: '' }],
  ];
  for (const [name, input] of cases) {
    it(name, () =>
      expect(seen(detect(input.message ?? msg(), input.author, input.committer))).toEqual([]),
    );
  }

  // BUG?: docs/design/contract.md §4 says "never by a display name alone", but tools.yaml gives gemini
  // `coauthorNames: ["gemini"]`, so a person whose first name is Gemini is an AI.
  // Matching a Gemini co-author should need an address Google's tool writes.
  it('a human named Gemini as co-author', () => {
    expect(seen(detect(msg('Co-authored-by: Gemini Smith <gemini.smith@corp.example>')))).toEqual(
      [],
    );
  });
});

describe('every row of policies/tools.yaml detects by each of its own strings', () => {
  const rows = (builtin as ToolTableSpec).tools;
  const email = (pattern: string) => pattern.replace('*', '4242+');
  for (const row of rows) {
    describe(row.id, () => {
      for (const e of row.emails ?? []) {
        it(`email ${e} as author, committer and co-author`, () => {
          expect(seen(detect(msg(), { name: 'X', email: email(e) }))).toEqual([
            `${row.id}<author>`,
          ]);
          expect(seen(detect(msg(), HANA, { name: 'X', email: email(e).toUpperCase() }))).toEqual([
            `${row.id}<committer>`,
          ]);
          expect(seen(detect(msg(`Co-authored-by: X <${email(e)}>`)))).toEqual([
            `${row.id}<trailer>`,
          ]);
        });
      }
      for (const t of row.trailers ?? []) {
        it(`trailer ${t}`, () => {
          const line = t.includes(':') ? t : `${t}: some-value`;
          expect(seen(detect(msg(line)))).toEqual([`${row.id}<trailer>`]);
          expect(seen(detect(msg(line.toUpperCase())))).toEqual([`${row.id}<trailer>`]);
        });
      }
      for (const m of row.markers ?? []) {
        it(`marker ${m}`, () =>
          expect(seen(detect(`Add\n\nsee ${m} here\n`))).toEqual([`${row.id}<marker>`]));
      }
      for (const s of row.nameSuffixes ?? []) {
        it(`name suffix "${s}"`, () =>
          expect(seen(detect(msg(), { name: `Hana${s}`, email: 'hana@example.org' }))).toEqual([
            `${row.id}<name>`,
          ]));
      }
      for (const n of row.coauthorNames ?? []) {
        it(`co-author name ${n}`, () =>
          expect(seen(detect(msg(`Co-authored-by: ${n} <x@example.org>`)))).toEqual([
            `${row.id}<trailer>`,
          ]));
      }
      for (const a of row.aliases ?? []) {
        it(`Assisted-by alias ${a}`, () =>
          expect(seen(detect(msg(`Assisted-by: ${a}:some-model`)))).toEqual([
            `${row.id}<trailer>`,
          ]));
      }
      for (const e of row.env ?? []) {
        it(`environment ${e}`, () => {
          const [name, value] = e.endsWith('*')
            ? [`${e.slice(0, -1)}_X`, 'seatbelt']
            : e.includes('=')
              ? e.split('=')
              : [e, '1'];
          expect(seen(envSignals(table, { [name!]: value }))).toEqual([`${row.id}<env>`]);
        });
      }
      it('has at least one way to be detected', () => {
        const r = row as ToolSpec;
        expect(
          [r.emails, r.trailers, r.markers, r.nameSuffixes, r.coauthorNames, r.env].some(
            (l) => (l?.length ?? 0) > 0,
          ),
        ).toBe(true);
      });
    });
  }
  it('generic trailers name unknown-ai when the value names no tool', () => {
    for (const k of (builtin as ToolTableSpec).genericTrailers)
      expect(seen(detect(msg(`${k}: mystery-model-9`)))).toEqual(['unknown-ai<trailer>']);
  });
});

describe('agent environment at commit time', () => {
  const cases: [string, Record<string, string>, string[]][] = [
    ['CLAUDECODE=1', { CLAUDECODE: '1' }, ['claude-code<env>']],
    ['CLAUDECODE=0 is not Claude Code', { CLAUDECODE: '0' }, []],
    ['CLAUDECODE empty', { CLAUDECODE: '' }, []],
    ['CODEX_SANDBOX=seatbelt', { CODEX_SANDBOX: 'seatbelt' }, ['codex<env>']],
    ['CODEX_SANDBOX_NETWORK_DISABLED=1', { CODEX_SANDBOX_NETWORK_DISABLED: '1' }, ['codex<env>']],
    ['CURSOR_AGENT=1', { CURSOR_AGENT: '1' }, ['cursor<env>']],
    ['GEMINI_CLI=1', { GEMINI_CLI: '1' }, ['gemini<env>']],
    [
      'several agents',
      { CLAUDECODE: '1', CURSOR_AGENT: '1', PATH: '/usr/bin' },
      ['claude-code<env>', 'cursor<env>'],
    ],
    ['unrelated variables', { PATH: '/usr/bin', CLAUDE: '1', CODEX: '1', HOME: '/root' }, []],
  ];
  for (const [name, env, expected] of cases)
    it(name, () => expect(seen(envSignals(table, env))).toEqual(expected));
  it('evidence names the variable, value cut at 40 characters', () => {
    expect(envSignals(table, { CODEX_SANDBOX: 'x'.repeat(100) })[0]!.evidence).toBe(
      `environment CODEX_SANDBOX=${'x'.repeat(40)}`,
    );
  });
});

describe('policy-defined tools', () => {
  const p = loadPolicyText(
    POLICY +
      'tools:\n  - id: acme-agent\n    emails: ["agent@acme.internal", "*-bot@acme.internal"]\n    trailers: ["X-Acme-Agent"]\n    markers: ["[acme-agent]"]\n    env: ["ACME_AGENT=1"]\n',
    'p.yaml',
  );
  const d = (message: string, author = HANA) =>
    seen(detectSignals(p.tools, { message, author, committer: HANA }));
  it('by email', () =>
    expect(d(msg(), { name: 'Agent', email: 'agent@acme.internal' })).toEqual([
      'acme-agent<author>',
    ]));
  it('by wildcard email', () =>
    expect(d(msg('Co-authored-by: Build <ci-bot@acme.internal>'))).toEqual([
      'acme-agent<trailer>',
    ]));
  it('by trailer key', () =>
    expect(d(msg('X-Acme-Agent: run 42'))).toEqual(['acme-agent<trailer>']));
  it('by marker', () =>
    expect(d('Add\n\n[acme-agent] wrote this\n')).toEqual(['acme-agent<marker>']));
  it('by Assisted-by id', () =>
    expect(d(msg('Assisted-by: acme-agent:v2'))).toEqual(['acme-agent<trailer>']));
  it('by environment', () =>
    expect(seen(envSignals(p.tools, { ACME_AGENT: '1' }))).toEqual(['acme-agent<env>']));
  it('built-in tools still work', () =>
    expect(d(msg('Co-authored-by: Claude <noreply@anthropic.com>'))).toEqual([
      'claude-code<trailer>',
    ]));
  it('a wildcard does not reach across the domain', () =>
    expect(d(msg('Co-authored-by: X <ci-bot@acme.internal.evil.example>'))).toEqual([]));
});

describe('identityTool', () => {
  it('email first, then a name suffix', () => {
    expect(identityTool(table, { name: 'Claude', email: 'noreply@anthropic.com' })).toEqual({
      tool: 'claude-code',
      by: 'email',
    });
    expect(identityTool(table, { name: 'Rita (aider)', email: 'rita@example.org' })).toEqual({
      tool: 'aider',
      by: 'name',
    });
    expect(identityTool(table, { name: 'Claude', email: 'claude@monet.fr' })).toBeUndefined();
  });

  // Hostile review, eleventh pass: an author or committer header that `git log` shows as
  // Claude's address, with invisible or full-width characters in its bytes.
  it.each([
    ['a zero-width space', 'noreply@anthropic.com\u200b'],
    ['a zero-width joiner inside', 'noreply@anth\u200dropic.com'],
    ['a soft hyphen', 'no\u00adreply@anthropic.com'],
    ['a byte-order mark', '\ufeffnoreply@anthropic.com'],
    ['full-width letters', '\uff4e\uff4f\uff52\uff45\uff50\uff4c\uff59@anthropic.com'],
    ['a full-width at sign', 'noreply\uff20anthropic.com'],
    // Second review: invisible, but not format characters (Default_Ignorable_Code_Point).
    ['a combining grapheme joiner', 'noreply@anthropic.com\u034f'],
    ['a variation selector', 'noreply@anthropic.com\ufe0f'],
    ['a Hangul filler', 'noreply@anthropic.com\u3164'],
    ['a half-width Hangul filler', 'noreply\uffa0@anthropic.com'],
    ['a Mongolian variation selector', 'noreply@anthropic.com\u180b'],
    ['a Khmer inherent vowel', 'noreply@anthropic.com\u17b4'],
    ['a tag character', 'noreply@anthropic.com\u{e0041}'],
  ])('an email with %s is still the tool', (_what, email) => {
    expect(identityTool(table, { name: 'Claude', email })).toEqual({
      tool: 'claude-code',
      by: 'email',
    });
    expect(seen(detect('Add eval task\n', { name: 'Claude', email }))).toEqual([
      'claude-code<author>',
    ]);
    expect(seen(detect('Add eval task\n', HANA, { name: 'Claude', email }))).toEqual([
      'claude-code<committer>',
    ]);
  });

  it.each([
    ['full-width parentheses', 'Rita \uff08aider\uff09'],
    ['a zero-width space inside', 'Rita (ai\u200bder)'],
    ['a soft hyphen inside', 'Rita (ai\u00adder)'],
  ])("aider's name suffix with %s is still aider", (_what, name) => {
    expect(identityTool(table, { name, email: 'rita@example.org' })).toEqual({
      tool: 'aider',
      by: 'name',
    });
  });

  it('human control: a name or address with accents is nobody', () => {
    expect(identityTool(table, { name: 'Zoë Ça', email: 'zoë@exämple.org' })).toBeUndefined();
  });
});

describe('control characters do not hide a signal', () => {
  it('a carriage return inside the trailer line', () => {
    expect(seen(detect(msg('Co-authored-by: Claude\r <noreply@anthropic.com>')))).toEqual([
      'claude-code<trailer>',
    ]);
  });
  it('a trailer padded with thousands of spaces (after it, after the colon, inside the name)', () => {
    const pad = ' '.repeat(5000);
    expect(seen(detect(msg(`Co-authored-by: Claude <noreply@anthropic.com>${pad}`)))).toEqual([
      'claude-code<trailer>',
    ]);
    expect(seen(detect(msg(`Co-authored-by:${pad}Claude <noreply@anthropic.com>`)))).toEqual([
      'claude-code<trailer>',
    ]);
    expect(seen(detect(msg(`Co-authored-by: Claude${pad}x <noreply@anthropic.com>`)))).toEqual([
      'claude-code<trailer>',
    ]);
  });
  it('a line separator (U+2028) inside the value', () => {
    expect(seen(detect(msg('Assisted-by: tool\u2028hidden')))).toEqual(['unknown-ai<trailer>']);
  });

  it('a trailer with default-ignorable characters in it (second review)', () => {
    expect(seen(detect(msg('Co-authored-by: Claude <noreply@anthropic.com\u034f>')))).toEqual([
      'claude-code<trailer>',
    ]);
    expect(seen(detect(msg('Assisted\u3164-by: claude-code')))).toContain('claude-code<trailer>');
  });

  // Hostile review, eleventh pass: lines a person reads as separate (a terminal, a web
  // view) that git does not split at.
  it.each([
    ['lone carriage returns', '\r'],
    ['a carriage return before CRLF', '\r\r\n'],
    ['line separators (U+2028)', '\u2028'],
    ['paragraph separators (U+2029)', '\u2029'],
    ['next-line characters (U+0085)', '\u0085'],
    ['vertical tabs', '\v'],
    ['form feeds', '\f'],
  ])('trailers after %s are read', (_what, nl) => {
    const of = (...lines: string[]) => seen(detect(lines.join(nl) + nl));
    expect(of('Add eval task', '', 'Assisted-by: cursor')).toContain('cursor<trailer>');
    expect(of('Add eval task', '', 'Made-with: Cursor')).toContain('cursor<trailer>');
    expect(of('Add eval task', '', 'Co-authored-by: Gemini')).toContain('gemini<trailer>');
    expect(of('Add eval task', 'Generated-by: something')).toContain('unknown-ai<trailer>');
  });

  it('human control: a message of lone carriage returns and no trailer is nothing', () => {
    expect(detect('Add eval task\r\rBy hand, see notes: later\r')).toEqual([]);
    expect(detect('Add eval task\u2028\u2028Signed-off-by: Hana <hana@example.org>')).toEqual([]);
  });
});

describe('folded trailers (hostile review, ninth pass)', () => {
  it.each([
    ['Made-with:', ' Cursor', 'cursor'],
    ['Made-with: ', '\tCursor', 'cursor'],
    ['Made-with:', '\rCursor', 'cursor'],
    ['Made-with:', ' \rCursor', 'cursor'],
    ['Co-authored-by:', '\rGemini CLI', 'gemini'],
    ['Replit-Commit-Author:', ' Agent', 'replit'],
    ['Co-authored-by:', ' Gemini CLI', 'gemini'],
  ])('%j folded onto %j is read as git reads it', (key, rest, tool) => {
    const tools = detect(msg(key, rest)).map((s) => s.tool);
    expect(tools).toContain(tool);
  });

  it.each(['Gemini <>', 'Gemini <gemini>', 'Gemini CLI < >'])(
    'Co-authored-by: %s is Gemini, as the bare name is',
    (value) => expect(seen(detect(msg(`Co-authored-by: ${value}`)))).toContain('gemini<trailer>'),
  );

  it('human control: an indented line after an ordinary trailer, and a bare name', () => {
    expect(detect(msg('Signed-off-by: Hana Human <hana@example.org>', '  (on leave)'))).toEqual([]);
    expect(detect(msg('Made-with:', ' vim'))).toEqual([]);
    expect(detect(msg('Co-authored-by: Alice <>'))).toEqual([]);
  });
});
