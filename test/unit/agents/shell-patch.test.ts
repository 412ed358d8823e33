import { describe, expect, it } from 'vitest';
import { parsePatch, patchWrites } from '../../../src/agents/patch.js';
import { shellPaths, tokenize } from '../../../src/agents/shell.js';
import { addedText } from '../../../src/agents/types.js';

describe('Codex apply_patch headers', () => {
  it('adds, updates and move targets are writes; deletions are not', () => {
    const patch = [
      '*** Begin Patch',
      '*** Add File: evals/harness/new.py',
      '+print("hi")',
      '*** Update File: src/app.py',
      '*** Move to: evals/tasks/app.py',
      '@@ def main():',
      '-    pass',
      '+    run()',
      '*** Delete File: evals/tasks/old.json',
      '*** Update File: docs/a b.md',
      '@@',
      '+text',
      '*** End of File',
      '*** End Patch',
    ].join('\n');
    expect(parsePatch(patch)).toEqual([
      { path: 'evals/harness/new.py', op: 'add', added: ['print("hi")'] },
      { path: 'evals/tasks/app.py', from: 'src/app.py', op: 'update', added: ['    run()'] },
      { path: 'evals/tasks/old.json', op: 'delete', added: [] },
      { path: 'docs/a b.md', op: 'update', added: ['text'] },
    ]);
    expect(patchWrites(patch).map((f) => f.path)).toEqual([
      'evals/harness/new.py',
      'evals/tasks/app.py',
      'docs/a b.md',
    ]);
  });

  it('CRLF line ends and an empty patch', () => {
    expect(parsePatch('*** Begin Patch\r\n*** Add File: a.txt\r\n+x\r\n*** End Patch\r\n')).toEqual(
      [{ path: 'a.txt', op: 'add', added: ['x'] }],
    );
    expect(parsePatch('')).toEqual([]);
  });
});

describe('what a shell command names', () => {
  const cases: [string, string[], string[]][] = [
    // command, mentioned, written
    ['cat evals/tasks/q1.json', ['evals/tasks/q1.json'], []],
    [
      'jq -r .answer "evals/tasks/q 1.json" | head -n 3',
      ['.answer', 'evals/tasks/q 1.json', '3'],
      [],
    ],
    ["echo '{}' > evals/tasks/q2.json", ['{}'], ['evals/tasks/q2.json']],
    ['printf x >>evals/tasks/log.jsonl 2>/dev/null', ['x'], ['evals/tasks/log.jsonl', '/dev/null']],
    [
      'python gen.py | tee -a evals/tasks/a.json data/train/b.txt',
      ['gen.py'],
      ['evals/tasks/a.json', 'data/train/b.txt'],
    ],
    ['cp -r /tmp/draft.json evals/tasks/', ['/tmp/draft.json', 'evals/tasks/'], ['evals/tasks/']],
    ['mv a.json b.json && git add b.json', ['a.json', 'b.json', 'add', 'b.json'], ['b.json']],
    ['sort < evals/tasks/q1.json', ['evals/tasks/q1.json'], []],
    [
      'FOO=1 sudo ./evals/tasks/run.sh --out=evals/tasks/o.txt',
      ['./evals/tasks/run.sh', 'evals/tasks/o.txt'],
      [],
    ],
    ['cat $HOME/x `pwd`/y ~/z', [], []],
    ['grep -r "answer" evals/ # cat evals/tasks/secret.json', ['answer', 'evals/'], []],
    [
      'cat <<EOF > evals/tasks/q3.json\n{"question": "cat evals/tasks/q1.json"}\nEOF\nls',
      [],
      ['evals/tasks/q3.json'],
    ],
    ['curl https://example.org/x -o out.bin', ['out.bin'], []],
  ];
  for (const [cmd, mentioned, written] of cases) {
    it(JSON.stringify(cmd), () => {
      const got = shellPaths(cmd);
      expect(got.written).toEqual(written);
      for (const m of mentioned) expect(got.mentioned).toContain(m);
    });
  }

  it('URLs, $VARS and heredoc bodies are not paths', () => {
    const got = shellPaths(
      'curl https://example.org/evals/tasks/x > "$OUT"; cat <<X\nevals/tasks/q1.json\nX',
    );
    expect(got.mentioned).not.toContain('https://example.org/evals/tasks/x');
    expect(got.mentioned).not.toContain('evals/tasks/q1.json');
    expect(got.written).toEqual([]);
  });

  it('an apply_patch heredoc (Codex before 0.124) writes its files', () => {
    const cmd =
      "apply_patch <<'EOF'\n*** Begin Patch\n*** Add File: evals/tasks/q9.json\n+{}\n*** End Patch\nEOF";
    expect(shellPaths(cmd).written).toEqual(['evals/tasks/q9.json']);
  });

  it('tokenizes quotes, escapes and operators', () => {
    expect(tokenize(`a 'b c' "d\\"e" f\\ g>h`)).toEqual([
      { word: 'a', raw: 'a' },
      { word: 'b c', raw: "'b c'" },
      { word: 'd"e', raw: '"d\\"e"' },
      { word: 'f g', raw: 'f\\ g' },
      { op: '>' },
      { word: 'h', raw: 'h' },
    ]);
  });

  it('a pathological command is bounded, and says it was cut short', () => {
    const huge =
      'echo ' +
      Array.from({ length: 20000 }, (_, i) => `f${i}`).join(' ') +
      ' > evals/tasks/x.json';
    const got = shellPaths(huge);
    expect(got.mentioned.length).toBeLessThanOrEqual(5000);
    expect(got.truncated).toBe(true);
    expect(shellPaths('echo a b c').truncated).toBe(false);
  });
});

describe('what an edit added', () => {
  it('is the new lines, not the context repeated from the old text', () => {
    expect(addedText('a\nb\nc', 'a\nB\nc')).toBe('B');
    expect(addedText(undefined, 'x\ny')).toBe('x\ny');
    expect(addedText('same\nsame', 'same\nsame\nsame')).toBe('same');
    expect(addedText('  indented', 'indented')).toBe('');
  });
});
