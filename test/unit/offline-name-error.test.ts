import { describe, expect, it } from 'vitest';
import { proposeFixes } from '../../shared/kinds/fix/offline/index.js';

// Programs and the tracebacks CPython 3.11 printed for them (run as /srv/job/app.py).
const CASES = {
  twice: {
    code: 'def area(width, height):\n    return widht * height + widht\n\n\nprint(area(2, 3))\n',
    error:
      'Traceback (most recent call last):\n  File "/srv/job/app.py", line 5, in <module>\n    print(area(2, 3))\n          ^^^^^^^^^^\n  File "/srv/job/app.py", line 2, in area\n    return widht * height + widht\n           ^^^^^\nNameError: name \'widht\' is not defined. Did you mean: \'width\'?\n',
  },
  boundElsewhere: {
    code: 'def setup():\n    limit = 10\n    return limit\n\n\ndef check(value):\n    return value < limit\n\n\nprint(check(3))\n',
    error:
      'Traceback (most recent call last):\n  File "/srv/job/app.py", line 10, in <module>\n    print(check(3))\n          ^^^^^^^^\n  File "/srv/job/app.py", line 7, in check\n    return value < limit\n                   ^^^^^\nNameError: name \'limit\' is not defined. Did you mean: \'list\'?\n',
  },
  math: {
    code: '"""Geometry helpers."""\n\n\ndef norm(x, y):\n    return math.hypot(x, y)\n\n\nprint(norm(3, 4))\n',
    error:
      'Traceback (most recent call last):\n  File "/srv/job/app.py", line 8, in <module>\n    print(norm(3, 4))\n          ^^^^^^^^^^\n  File "/srv/job/app.py", line 5, in norm\n    return math.hypot(x, y)\n           ^^^^\nNameError: name \'math\' is not defined\n',
  },
  sqrt: {
    code: 'print(sqrt(16))\n',
    error:
      'Traceback (most recent call last):\n  File "/srv/job/app.py", line 1, in <module>\n    print(sqrt(16))\n          ^^^^\nNameError: name \'sqrt\' is not defined\n',
  },
  datetime: {
    code: 'stamp = datetime.now()\nprint(stamp.year > 2000)\n',
    error:
      'Traceback (most recent call last):\n  File "/srv/job/app.py", line 1, in <module>\n    stamp = datetime.now()\n            ^^^^^^^^\nNameError: name \'datetime\' is not defined\n',
  },
  fstring: {
    code: 'count = 3\nprint(f"{cuont} items")\n',
    error:
      'Traceback (most recent call last):\n  File "/srv/job/app.py", line 2, in <module>\n    print(f"{cuont} items")\n             ^^^^^\nNameError: name \'cuont\' is not defined. Did you mean: \'count\'?\n',
  },
  prnt: {
    code: 'prnt("hello")\n',
    error:
      'Traceback (most recent call last):\n  File "/srv/job/app.py", line 1, in <module>\n    prnt("hello")\n    ^^^^\nNameError: name \'prnt\' is not defined. Did you mean: \'print\'?\n',
  },
  short: {
    code: 'print(q)\n',
    error:
      'Traceback (most recent call last):\n  File "/srv/job/app.py", line 1, in <module>\n    print(q)\n          ^\nNameError: name \'q\' is not defined\n',
  },
};

const fix = (c: { code: string; error: string }) =>
  proposeFixes({ code: c.code, filename: 'app.py', error: c.error });
/** The same traceback as an interpreter without suggestions (before 3.10) prints it. */
const withoutHint = (error: string) => error.replace(/\. Did you mean: '[^']+'\?/, '');

describe('Strategy: NameError', () => {
  it('renames every use of a misspelt name that is bound nowhere', () => {
    // Act
    const { fixes } = fix(CASES.twice);

    // Assess
    expect(fixes[0]?.code).toBe(
      'def area(width, height):\n    return width * height + width\n\n\nprint(area(2, 3))\n',
    );
    expect(fixes[0]?.title).toBe('Use `width` instead of `widht`');
  });

  it('finds the nearest defined name without the interpreter hint', () => {
    // Act
    const { fixes } = fix({ ...CASES.twice, error: withoutHint(CASES.twice.error) });

    // Assess
    expect(fixes.map((f) => f.title)).toContain('Use `width` instead of `widht`');
  });

  it('renames inside f-string fields', () => {
    expect(fix(CASES.fstring).fixes[0]?.code).toBe('count = 3\nprint(f"{count} items")\n');
  });

  it('corrects a misspelt builtin', () => {
    expect(fix({ ...CASES.prnt, error: withoutHint(CASES.prnt.error) }).fixes[0]?.code).toBe(
      'print("hello")\n',
    );
  });

  it('imports a standard-library module after the module docstring', () => {
    // Act
    const { fixes } = fix(CASES.math);

    // Assess
    expect(fixes[0]?.code).toBe(
      CASES.math.code.replace('"""Geometry helpers."""\n', '"""Geometry helpers."""\nimport math\n'),
    );
  });

  it('imports a well-known member from its module', () => {
    expect(fix(CASES.sqrt).fixes[0]?.code).toBe('from math import sqrt\nprint(sqrt(16))\n');
  });

  it('chooses `from datetime import datetime` when the program calls datetime.now()', () => {
    // Act
    const { fixes } = fix(CASES.datetime);

    // Assess
    expect(fixes[0]?.code.startsWith('from datetime import datetime\n')).toBe(true);
    expect(fixes.some((f) => f.code.startsWith('import datetime\n'))).toBe(false);
  });

  it('does not swap a name bound in another function for a builtin', () => {
    // Prepare: Python itself suggests `list` here.
    expect(CASES.boundElsewhere.error).toContain("Did you mean: 'list'?");

    // Act
    const outcome = fix(CASES.boundElsewhere);

    // Assess
    expect(outcome.fixes).toEqual([]);
    expect(outcome.diagnosis).toMatch(/no safe rewrite/);
  });

  it('does not guess at one-letter names', () => {
    expect(fix(CASES.short).fixes).toEqual([]);
  });

  it('finds an undefined name statically when no error is given', () => {
    // Act
    const outcome = proposeFixes({ code: CASES.twice.code, filename: 'app.py' });

    // Assess
    expect(outcome.fixes[0]?.code).toContain('return width * height + width');
    expect(outcome.diagnosis).toMatch(/static scan/);
  });

  it('expands an abbreviation of a defined name before a builtin one letter off', () => {
    // Prepare: `vals` is one letter from the builtin `vars`, but the program defined `values`.
    const code = 'values = [3, 4]\nprint(sum(values) / len(vals))\n';

    // Act
    const { fixes } = proposeFixes({
      code,
      filename: 'app.py',
      error: "NameError: name 'vals' is not defined",
    });

    // Assess
    expect(fixes.map((f) => f.title)).toEqual([
      'Use `values` instead of `vals`',
      'Use `vars` instead of `vals`',
    ]);
  });
});
