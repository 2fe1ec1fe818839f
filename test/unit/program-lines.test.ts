import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { applyEdits, splitProgramLines } from '../../shared/kinds/fix/search/program-lines.js';

const PLAN_DIR = fileURLToPath(new URL('../../shared/kinds/fix/search/python/', import.meta.url));

/** The planner's own split, as Python runs it. */
function pythonSplit(program: string): string[] {
  const script =
    'import json, sys\nimport te_repair_plan as p\nprint(json.dumps(p.split_lines(sys.stdin.read())))';
  const out = execFileSync(
    '/usr/bin/python3',
    ['-I', '-c', `import sys; sys.path.insert(0, ${JSON.stringify(PLAN_DIR)})\n${script}`],
    {
      input: program,
    },
  );
  return JSON.parse(out.toString()) as string[];
}

const TRICKY = [
  'a = 1\nb = 2\n',
  'a = 1\r\nb = 2\r\n',
  'a = 1\rb = 2',
  'x = "\f"\ny = 1\n',
  's = "a\u2028b"\nt = 2\n',
  'no_newline_at_end = 1',
  '\n\n\n',
  '',
];

describe('Program lines: split as the tokenizer counts them', () => {
  it.each(TRICKY.map((program) => [JSON.stringify(program), program]))(
    'splits %s exactly as the planner does, and joins back byte for byte',
    (_name, program) => {
      const lines = splitProgramLines(program);
      expect(lines).toEqual(pythonSplit(program));
      expect(lines.join('')).toBe(program);
    },
  );

  it('keeps a form feed and U+2028 inside their line (str.splitlines would not)', () => {
    expect(splitProgramLines('x = "\f"\ny = 1\n')).toEqual(['x = "\f"\n', 'y = 1\n']);
    expect(splitProgramLines('s = "a\u2028b"\n')).toHaveLength(1);
  });
});

describe('Program lines: applying edits', () => {
  const program = 'def f(n):\r\n    d = 2\r\n    return n - d\r\n';

  it('replaces, deletes and duplicates lines, leaving the others as written', () => {
    expect(applyEdits(program, [{ line: 3, text: ['    return n + d\r\n'] }])).toBe(
      'def f(n):\r\n    d = 2\r\n    return n + d\r\n',
    );
    expect(applyEdits(program, [{ line: 2, text: [] }])).toBe('def f(n):\r\n    return n - d\r\n');
    expect(applyEdits(program, [{ line: 3, text: ['    d = 2\r\n', '    return n - d\r\n'] }])).toBe(
      'def f(n):\r\n    d = 2\r\n    d = 2\r\n    return n - d\r\n',
    );
  });

  it('applies two edits by their original line numbers, whatever their order', () => {
    const edits = [
      { line: 2, text: [] },
      { line: 3, text: ['    return n + 2\r\n'] },
    ];
    expect(applyEdits(program, edits)).toBe('def f(n):\r\n    return n + 2\r\n');
    expect(applyEdits(program, [...edits].reverse())).toBe('def f(n):\r\n    return n + 2\r\n');
  });

  it('refuses an edit of a line the program does not have', () => {
    expect(() => applyEdits(program, [{ line: 4, text: ['x\n'] }])).toThrow(RangeError);
    expect(() => applyEdits(program, [{ line: 0, text: ['x\n'] }])).toThrow(RangeError);
  });
});
