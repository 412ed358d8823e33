// The command table: one row per command (as ESLint's lib/options.js or cobra). It drives
// option parsing (a flag a command does not take is a usage error, exit 2), `--help`,
// `cleanroom help CMD`, the did-you-mean list and the CLI block of docs/cli.md
// (test/unit/cli/commands.test.ts holds that file equal to what src/cli/help.ts renders).
//
// Commands load on demand: `cleanroom hook commit-msg` runs on every commit and should
// not pay for the YAML parser, the audit reports or the server code it does not use. So
// this file imports nothing heavy: `load` is a dynamic import, and the report formats'
// renderers load only when used (src/report/formats.ts).

import { AGENTS } from '../agents/types.js';
import { CHAINED_SUFFIX } from '../install/hooks.js';
import { AUDIT_FORMATS, CHECK_FORMATS, formatNames } from '../report/formats.js';
import type { Command } from './io.js';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** Repeatable (string options): the value is the list of every occurrence. */
  multiple?: boolean;
  /** The value's placeholder in help (`F`, `A..B`); string options only. */
  arg?: string;
  /** One line (continuations indented by the renderer). */
  help: string;
}

export type Options = Readonly<Record<string, OptionSpec>>;

/** A subcommand's own options and arguments (`override request`, `policy test`). */
export interface SubcommandSpec {
  usage: string;
  summary: string;
  options: Options;
  /** The positional arguments' placeholder (`[FILE]`); absent: none are taken. */
  positionals?: string;
}

export interface CommandSpec {
  name: string;
  /** One line for `cleanroom --help`. */
  summary: string;
  /** Usage lines without the leading `cleanroom ` (several for commands with modes). */
  usage: readonly string[];
  /** Paragraphs after the usage in `cleanroom CMD --help`. */
  about: string;
  options: Options;
  /** The --format values (text first: the default). Absent: --format is not an option. */
  formats?: readonly string[];
  /** What each format is, for help: the report-format registry's rows (src/report/formats.ts). */
  formatDocs?: readonly { name: string; extensions: readonly string[]; description: string }[];
  /** The positional arguments' placeholder (`PATH`); absent: none are taken. */
  positionals?: string;
  subcommands?: Readonly<Record<string, SubcommandSpec>>;
  /** Lines after the options (exit codes, environment). */
  footer?: string;
  /** Arguments passed through unparsed (hook protocol commands); only --help/-h first is ours. */
  raw?: boolean;
  /** Not listed in `cleanroom --help` (run by hooks, not people). */
  hidden?: boolean;
  load: () => Promise<Command>;
}

// Options several commands take: one wording everywhere.
const POLICY: OptionSpec = {
  type: 'string',
  arg: 'F',
  help: 'policy file (default .cleanroom/policy.yaml)',
};
const QUIET: OptionSpec = { type: 'boolean', short: 'q', help: 'print only problems' };
const FORMAT = (formats: readonly string[]): OptionSpec => ({
  type: 'string',
  arg: formats.join('|'),
  help: `output format (default ${formats[0]})`,
});
const FAIL_OPEN: OptionSpec = {
  type: 'boolean',
  help: 'accept the push when cleanroom itself fails (default: reject)',
};
const DEADLINE: OptionSpec = {
  type: 'string',
  arg: 'S',
  help: 'reject when the check takes longer than S seconds (default 4.5)',
};
const LOG: OptionSpec = {
  type: 'string',
  arg: 'F',
  help: 'append one JSON line per push decision to F',
};

const LOG_ABOUT =
  'The override log is written by pre-receive (git config cleanroom.grantLog, or\n' +
  '--grant-log) and by check --range --grant-log FILE in CI: one JSON line per accepted\n' +
  'override or signed review, each chained to the line before by its SHA-256.\n\n' +
  '  verify   re-checks the chain (a removed, inserted or edited line is found), every\n' +
  '           signature, and every signer against the trust files in force at that commit\n' +
  '           (read from the repository in --repository DIR, default the current one)\n' +
  '  list     prints the grants: when, commit, kind, who, paths';

// `override`/`review request` and `sign` take the same options.
const GRANT_REQUEST: Options = {
  commit: { type: 'string', arg: 'REV', help: 'cover this commit instead of the staged changes' },
  bundle: {
    type: 'string',
    arg: 'FILE',
    help: 'also write FILE: the request with the covered content, for a signer who\ncannot fetch the commit',
  },
  policy: { ...POLICY, help: "the server's policy, when the repository has none of its own" },
};
const GRANT_SIGN = (kind: 'override' | 'review'): SubcommandSpec => ({
  usage: `${kind} sign [--key KEY] [--principal P] [--allowed-signers F] [--show] [FILE|-]`,
  summary: 'sign a request or a bundle; prints the trailer',
  options: {
    key: {
      type: 'string',
      arg: 'KEY',
      help: 'default: git config user.signingkey (a path, its .pub, or key::ssh-ed25519 AAAA…)',
    },
    principal: {
      type: 'string',
      arg: 'P',
      help: `default: who the ${kind === 'override' ? 'approvers' : 'reviewers'} file says the key is (asked only when it lists\nthe key under several names)`,
    },
    'allowed-signers': {
      type: 'string',
      arg: 'F',
      help: `the trust file that names the key (default: the policy's ${kind === 'override' ? 'approvers' : 'reviewers'} file)`,
    },
    policy: {
      ...POLICY,
      help: 'the policy whose trust files name the key (a copy a server publishes)',
    },
    show: { type: 'boolean', help: "print the bundle's file contents before signing" },
  },
  positionals: '[FILE|-]',
});

const checkFormats = formatNames(CHECK_FORMATS);
const auditFormats = formatNames(AUDIT_FORMATS);

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'check',
    summary: 'judge staged changes or existing commits against the policy',
    usage: ['check --staged [--message-file F]', 'check --range A..B | --commit REV'],
    about:
      'Judges changes against the policy: AI-attributed content in a zone whose verdict is\n' +
      'deny (or review, without a human-review attestation) is a violation. With --range or\n' +
      '--commit, the policy is the one at the base of the range.',
    options: {
      staged: {
        type: 'boolean',
        help: 'what `git commit` is about to record (the index, honouring GIT_INDEX_FILE)',
      },
      'message-file': {
        type: 'string',
        arg: 'F',
        help: 'the commit message (trailers: reviews, overrides, co-authors); with --staged',
      },
      range: { type: 'string', arg: 'A..B', help: 'every commit in A..B (CI, pre-push)' },
      commit: { type: 'string', arg: 'REV', help: 'one commit' },
      policy: POLICY,
      'grant-log': {
        type: 'string',
        arg: 'F',
        help: 'with --range/--commit: append the accepted overrides and signed reviews to F,\nthe hash-chained override log (a CI artifact; cleanroom log verify F)',
      },
      format: FORMAT(checkFormats),
      output: {
        type: 'string',
        short: 'o',
        multiple: true,
        arg: '[FORMAT:]FILE',
        help: `also write the report to FILE (repeatable), in FORMAT or by extension\n(${CHECK_FORMATS.flatMap((f) => f.extensions).join(' ')}); --format still chooses what is printed:\none check, many reports`,
      },
      quiet: QUIET,
    },
    formats: checkFormats,
    formatDocs: CHECK_FORMATS,
    footer: 'exit: 0 clean, 1 violations, 2 usage, policy or internal error',
    load: async () => (await import('./check.js')).checkCommand,
  },
  {
    name: 'audit',
    summary: 'is the eval set already contaminated? one pass over the history',
    usage: [
      `audit [--range R | --all] [--since DATE] [--format ${auditFormats.join('|')}] [--output F]`,
    ],
    about:
      'Walks the history once, judges every commit as the server would, and answers per\n' +
      'zone: which paths that exist now have AI-attributed history without a review or an\n' +
      'override, through which commits and tools, and which reviews and overrides were used,\n' +
      'by whom. Renames carry contamination with the file; deleting the file is the cure.',
    options: {
      range: {
        type: 'string',
        arg: 'R',
        help: 'A..B, A...B or one revision (default HEAD); "exists now" means in its tip\'s tree',
      },
      all: {
        type: 'boolean',
        help: "every ref (branches, tags); each tip's tree counts, also a ref whose tip\nis an ancestor of another ref",
      },
      since: {
        type: 'string',
        arg: 'DATE',
        help: 'only recent history, cut by the walk (docs/audit.md "Scope"); ISO 8601:\n2025-01-31, 2025-01-31T12:00:00Z',
      },
      format: {
        type: 'string',
        arg: auditFormats.join('|'),
        help: `output format (default text; with --output, the file's extension chooses)`,
      },
      output: {
        type: 'string',
        short: 'o',
        arg: 'F',
        help: `write the report to F (${AUDIT_FORMATS.flatMap((f) => f.extensions).join(' ')})`,
      },
      policy: {
        ...POLICY,
        help: 'policy file (default .cleanroom/policy.yaml); it judges all history',
      },
      quiet: { type: 'boolean', short: 'q', help: 'text: the summary only, no per-path details' },
      'grant-log': {
        type: 'string',
        arg: 'F',
        help: "also list the grants in the override log F (pre-receive's or CI's) and verify\nit (to stderr; a log that does not verify exits 1); expiry is then judged by\nthe time the log recorded, not by the commit's date",
      },
      'allow-shallow': {
        type: 'boolean',
        help: 'in a shallow clone, audit what was fetched: the report says INCOMPLETE and\n`ok` is false (without it, a shallow clone exits 2)',
      },
    },
    formats: auditFormats,
    formatDocs: AUDIT_FORMATS,
    footer:
      'A progress line (commits/s, ETA) goes to stderr when it is a terminal.\n' +
      'exit: 0 no contaminated path, 1 contaminated paths found, 2 usage, policy or internal\nerror, or a shallow clone without --allow-shallow',
    load: async () => (await import('./audit.js')).auditCommand,
  },
  {
    name: 'explain',
    summary: 'which zones hold PATH, the verdict for each AI tool, and why',
    usage: ['explain PATH [--tool T]'],
    about:
      'Shows which zones hold PATH, the verdict each AI tool gets there and why.\nPATH is relative to the current directory (inside the repository).',
    options: {
      tool: {
        type: 'string',
        arg: 'T',
        help: 'one tool id (claude-code, codex, …) instead of every tool the zones name',
      },
      policy: POLICY,
      format: FORMAT(['text', 'json']),
    },
    formats: ['text', 'json'],
    positionals: 'PATH',
    load: async () => (await import('./explain.js')).explainCommand,
  },
  {
    name: 'policy',
    summary: 'check the policy; run its test cases',
    usage: ['policy validate [FILE]', 'policy test [FILE]'],
    about:
      'validate  checks the policy (default .cleanroom/policy.yaml) against the schema and\n' +
      '          reports every problem as FILE:LINE:COL with the fix.\n' +
      'test      runs the cases in the file beside the policy (policy.test.yaml):\n' +
      '            cases:\n' +
      '              - { path: evals/tasks/q1.json, tool: claude-code, expect: deny }\n' +
      '              - { path: evals/fixtures/a.txt, read: deny }      # agents may not read it',
    options: {},
    subcommands: {
      validate: {
        usage: 'policy validate [FILE]',
        summary: 'check the policy',
        options: {
          policy: POLICY,
          quiet: { ...QUIET, help: 'print nothing when the policy is valid' },
        },
        positionals: '[FILE]',
      },
      test: {
        usage: 'policy test [FILE]',
        summary: "run the policy's test cases",
        options: {
          policy: POLICY,
          quiet: { ...QUIET, help: 'print only failing cases and the total' },
        },
        positionals: '[FILE]',
      },
    },
    footer: 'exit: 0 ok, 1 a test case failed, 2 invalid policy or usage error',
    load: async () => (await import('./policy-cmd.js')).policyCommand,
  },
  {
    name: 'init',
    summary: 'write a policy from a preset and install the local and agent hooks',
    usage: [
      'init [--preset NAME] [--hooks auto|husky|git|none] [--agents auto|none|LIST]',
      '     [--scope project|managed] [--repository ID]',
    ],
    about:
      'Writes .cleanroom/policy.yaml from a preset (unless one exists) and installs the\n' +
      'local hooks (prepare-commit-msg, commit-msg, pre-push, applypatch-msg; pre-commit too with husky):\n' +
      "  auto   husky's .husky/ when the repository uses husky, else git's hooks directory\n" +
      '  husky  into .husky/HOOK, above what is there (lint-staged keeps running)\n' +
      '  git    into the hooks directory git uses (core.hooksPath honoured); an existing\n' +
      `         hook is kept as HOOK${CHAINED_SUFFIX} and runs first; no pre-commit (it has\n` +
      '         nothing to judge, and any pre-commit hook makes git read the index again)\n' +
      'Running init again changes nothing.',
    options: {
      preset: {
        type: 'string',
        arg: 'NAME',
        help: 'the policy preset (default eval-cleanroom; see policies/presets/)',
      },
      hooks: {
        type: 'string',
        arg: 'auto|husky|git|none',
        help: 'where the local hooks go (default auto)',
      },
      agents: {
        type: 'string',
        arg: 'auto|none|LIST',
        help: `agent hooks: auto wires agents whose config folders exist; LIST is comma-separated (${AGENTS.join(',')})`,
      },
      scope: {
        type: 'string',
        arg: 'project|managed',
        help: "where agent hooks go: the project's files (default), or the hosts'\nmanaged/system settings (needs administrator rights; docs/agents.md lists the paths)",
      },
      repository: {
        type: 'string',
        arg: 'ID',
        help: 'the id bound into signatures (default: from the origin remote)',
      },
      quiet: { type: 'boolean', short: 'q', help: 'print only problems' },
    },
    load: async () => (await import('./init.js')).initCommand,
  },
  {
    name: 'doctor',
    summary: 'is everything wired, what is bypassed',
    usage: ['doctor', 'doctor --server [REPO] [--hooks-dir DIR]'],
    about:
      'Checks that everything is wired: the policy, the local hooks (git or husky), the agent\nhooks, and what bypasses them.\n' +
      '--server checks a server repository instead: git (2.39+) and node usable as its\n' +
      'pre-receive hook will run them, the hook installed and running, where cleanroom runs from.',
    options: {
      server: {
        type: 'boolean',
        help: 'check a server repository (REPO, default the current directory)',
      },
      'hooks-dir': {
        type: 'string',
        arg: 'DIR',
        help: "with --server: where the pre-receive hook is (default: the repository's, or the host's)",
      },
    },
    positionals: '[REPO]',
    footer: 'exit: 0 all is well, 1 something needs fixing, 2 usage error',
    load: async () => (await import('./doctor.js')).doctorCommand,
  },
  {
    name: 'pre-receive',
    summary: 'server hook: reads "<old> <new> <ref>" lines on stdin',
    usage: ['pre-receive [--policy F] [--fail-open] [--deadline S] [--log F]'],
    about:
      'Server-side hook (git runs it with "<old> <new> <ref>" lines on stdin). Judges every\n' +
      "commit the push makes newly reachable, with the policy from the server's configuration\n" +
      '(--policy, git config cleanroom.policy) or from the default branch before the push.\n' +
      "A push changing .cleanroom/** needs an approver's signed override.",
    options: {
      policy: { ...POLICY, help: 'policy file on the server (trust files beside it)' },
      'fail-open': FAIL_OPEN,
      deadline: {
        ...DEADLINE,
        help: "reject when the check takes longer than S seconds (default 4.5; GitHub Enterprise's budget is 5 s)",
      },
      log: LOG,
      'grant-log': {
        type: 'string',
        arg: 'F',
        help: 'append every accepted override and signed review to F, the hash-chained\noverride log (cleanroom log verify F)',
      },
    },
    footer:
      'Also read from git config: cleanroom.policy, cleanroom.failOpen, cleanroom.deadline,\ncleanroom.log, cleanroom.grantLog. Install with: cleanroom install-server REPO.',
    load: async () => (await import('./pre-receive.js')).preReceiveCommand,
  },
  {
    name: 'install-server',
    summary: 'install the pre-receive hook into a bare repository',
    usage: [
      'install-server [REPO] [--policy F] [--log F] [--deadline S] [--fail-open] [--hooks-dir DIR]',
      '               [--allow-non-bare]',
    ],
    about:
      "Installs cleanroom's pre-receive hook into a (bare) repository on the server, keeping\n" +
      'an existing pre-receive hook (it runs first, as pre-receive.pre-cleanroom), and stores\n' +
      "the options in the repository's git config (cleanroom.policy, cleanroom.log,\n" +
      'cleanroom.deadline, cleanroom.failOpen), where pushers cannot change them.\n' +
      'REPO is the repository (default: the current directory).',
    options: {
      policy: {
        ...POLICY,
        help: "a policy file on the server; without it, the default branch's policy before each push",
      },
      log: LOG,
      deadline: DEADLINE,
      'fail-open': FAIL_OPEN,
      'hooks-dir': {
        type: 'string',
        arg: 'DIR',
        help: "where the hook goes (default: the repository's hooks directory, core.hooksPath\nhonoured, or the host's: GitLab <repo>.git/custom_hooks)",
      },
      'allow-non-bare': {
        type: 'boolean',
        help: 'install into a working copy (refused by default: a pre-receive there runs only\nfor pushes into that clone)',
      },
    },
    positionals: '[REPO]',
    footer:
      'It then checks, as the hook will run them, that git (2.39+) and node work here; run\n' +
      'cleanroom doctor --server REPO as the user the server runs hooks as.',
    load: async () => (await import('./install-server.js')).installServerCommand,
  },
  {
    name: 'override',
    summary: 'a signed exception for a deny zone: request, then an approver signs',
    usage: [
      'override request --reason TEXT [--expires 7d] [--commit REV] [--bundle FILE] [--policy F]',
      'override sign [--key KEY] [--principal P] [--allowed-signers F] [--show] [FILE|-]',
    ],
    about:
      'An override is the only way past a deny zone: a statement signed by an approver (a key\n' +
      "in the policy's overrides.approvers allowed_signers file) that binds the repository,\n" +
      'the zones, every covered (path, blob, mode), the reason and an expiry.\n\n' +
      '  request   prints the statement for the staged changes (or --commit REV) for an\n' +
      '            approver to read and sign\n' +
      '  sign      signs a request (or a bundle, after checking its content) with\n' +
      '            ssh-keygen -Y sign (ssh-agent, hardware keys and certificates work) and\n' +
      '            prints the trailer, folded into short lines: Cleanroom-Override: …\n\n' +
      '  cleanroom override request --reason "…" --bundle req.json      (author)\n' +
      '  cleanroom override sign req.json > trailer.txt                 (approver)\n' +
      '  git commit --trailer "$(cat trailer.txt)"                      (author)\n\n' +
      "The approver may not be the commit's author or committer under any name their key is\n" +
      'listed for (self-approval is refused).',
    options: {},
    subcommands: {
      request: {
        usage:
          'override request --reason TEXT [--expires 7d] [--commit REV] [--bundle FILE] [--policy F]',
        summary: 'print the statement for an approver',
        options: {
          reason: { type: 'string', arg: 'TEXT', help: 'why this exception is right (required)' },
          expires: {
            type: 'string',
            arg: 'D',
            help: 'how long it is valid: 7d (default), 12h, 30m; at most a year',
          },
          ...GRANT_REQUEST,
        },
      },
      sign: GRANT_SIGN('override'),
    },
    load: async () => (await import('./grant.js')).overrideCommand,
  },
  {
    name: 'review',
    summary: 'a signed human review for a review zone (review.mode: signed)',
    usage: [
      'review request [--reason TEXT] [--expires 30d] [--commit REV] [--bundle FILE] [--policy F]',
      'review sign [--key KEY] [--principal P] [--allowed-signers F] [--show] [FILE|-]',
    ],
    about:
      'In review.mode: signed, a review zone accepts AI-attributed changes only with a\n' +
      'Cleanroom-Review trailer signed by a key in review.reviewers. The signature binds the\n' +
      'content reviewed: change a line and the review no longer verifies. The options are\n' +
      'those of cleanroom override (see cleanroom override --help).',
    options: {},
    subcommands: {
      request: {
        usage:
          'review request [--reason TEXT] [--expires 30d] [--commit REV] [--bundle FILE] [--policy F]',
        summary: 'print the statement for a reviewer',
        options: {
          reason: {
            type: 'string',
            arg: 'TEXT',
            help: 'what was reviewed (default "reviewed every line")',
          },
          expires: {
            type: 'string',
            arg: 'D',
            help: 'how long it is valid: 30d (default), 12h, 30m; at most a year',
          },
          ...GRANT_REQUEST,
        },
      },
      sign: GRANT_SIGN('review'),
    },
    load: async () => (await import('./grant.js')).reviewCommand,
  },
  {
    name: 'log',
    summary: 'verify or list the hash-chained override log (--grant-log)',
    usage: [
      'log verify FILE [--repository DIR] [--head HASH] [--format text|json]',
      'log list FILE [--format text|json]',
    ],
    about: LOG_ABOUT,
    options: {},
    subcommands: {
      verify: {
        usage: 'log verify FILE [--repository DIR] [--head HASH] [--format text|json]',
        summary: 'check the chain and every signature in the log',
        options: {
          repository: {
            type: 'string',
            arg: 'DIR',
            help: 'the repository whose trust files judge the signatures (default: the current one)',
          },
          head: {
            type: 'string',
            arg: 'HASH',
            help: "the last line's hash as shipped off the server: the newest lines cannot be\ndropped unnoticed",
          },
          format: FORMAT(['text', 'json']),
        },
        positionals: 'FILE',
      },
      list: {
        usage: 'log list FILE [--format text|json]',
        summary: 'one line per accepted grant',
        options: { format: FORMAT(['text', 'json']) },
        positionals: 'FILE',
      },
    },
    footer: 'exit: 0 the log verifies, 1 problems found, 2 usage error',
    load: async () => (await import('./log.js')).logCommand,
  },
  {
    name: 'agent-hook',
    summary: 'agent hook protocol on stdin/stdout (wired by init --agents)',
    // The older names the registry (src/agents/index.ts) still accepts; listed here so this
    // file need not load the adapters (test/unit/agents/registry.test.ts holds them equal).
    usage: [`agent-hook ${AGENTS.join('|')}`],
    about:
      'Older names still work: claude, codex-cli, github-copilot, cursor-agent, gemini-cli.\n' +
      "Speaks one agent's hook protocol on stdin/stdout: blocks writes into zones whose\n" +
      'verdict for that agent is deny, reads of zones with read: deny (and shell commands\n' +
      'naming them), and records every write in the ledger for the commit hooks.\n' +
      'Wired by `cleanroom init --agents`; `cleanroom doctor` shows what is wired.',
    options: {},
    raw: true,
    load: async () => (await import('./agent-hook.js')).agentHookCommand,
  },
  {
    name: 'hook',
    summary: 'what the shims in hooks/ run (pre-commit, prepare-commit-msg, commit-msg, pre-push)',
    usage: [
      'hook pre-commit | prepare-commit-msg FILE [SOURCE [SHA]] | commit-msg FILE | pre-push REMOTE URL',
    ],
    about: 'Run by the shims in hooks/ (installed by cleanroom init); not usually run by hand.',
    options: {},
    footer: 'CLEANROOM=0 skips a hook loudly; CLEANROOM_DEBUG=1 traces the git calls.',
    raw: true,
    hidden: true,
    load: async () => (await import('./hook.js')).hookCommand,
  },
];

/** The row for `name`, or undefined (own names only: `toString` is not a command). */
export const commandSpec = (name: string): CommandSpec | undefined =>
  COMMANDS.find((c) => c.name === name);
