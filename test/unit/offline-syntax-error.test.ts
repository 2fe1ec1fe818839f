import { describe, expect, it } from 'vitest';
import { proposeFixes } from '../../shared/kinds/fix/offline/index.js';

// Programs and the tracebacks CPython 3.11 printed for them (run as /srv/job/app.py).
const CASES = {
  colon: {
    code: 'for i in range(3)  # count\n    print(i)\n',
    error:
      '  File "/srv/job/app.py", line 1\n    for i in range(3)  # count\n                       ^^^^^^^\nSyntaxError: expected \':\'\n',
  },
  colons: {
    code: 'def f(x)\n    if x > 1\n        return 1\n    else\n        return 2\n\n\nprint(f(3))\n',
    error: '  File "/srv/job/app.py", line 1\n    def f(x)\n            ^\nSyntaxError: expected \':\'\n',
  },
  paren: {
    code: 'values = [1, 2]\ntotal = sum(values\nprint(total)\n',
    error:
      '  File "/srv/job/app.py", line 2\n    total = sum(values\n               ^\nSyntaxError: \'(\' was never closed\n',
  },
  continued: {
    code: 'data = dict(a=1,\n            b=2,\nprint(data)\n',
    error:
      '  File "/srv/job/app.py", line 1\n    data = dict(a=1,\n               ^\nSyntaxError: \'(\' was never closed\n',
  },
  unmatched: {
    code: 'print((1 + 2)))\n',
    error:
      '  File "/srv/job/app.py", line 1\n    print((1 + 2)))\n                  ^\nSyntaxError: unmatched \')\'\n',
  },
  mismatch: {
    code: 'xs = [1, 2, 3)\nprint(xs)\n',
    error:
      "  File \"/srv/job/app.py\", line 1\n    xs = [1, 2, 3)\n                 ^\nSyntaxError: closing parenthesis ')' does not match opening parenthesis '['\n",
  },
  print: {
    code: 'x = 3\nif x:\n    print "x is", x\n',
    error:
      '  File "/srv/job/app.py", line 3\n    print "x is", x\n    ^^^^^^^^^^^^^^^\nSyntaxError: Missing parentheses in call to \'print\'. Did you mean print(...)?\n',
  },
  assign: {
    code: "x = 3\nif x = 3:\n    print('three')\n",
    error:
      "  File \"/srv/job/app.py\", line 2\n    if x = 3:\n       ^^^^^\nSyntaxError: invalid syntax. Maybe you meant '==' or ':=' instead of '='?\n",
  },
  trailingComma: {
    code: 'print "no newline",\n',
    error:
      '  File "/srv/job/app.py", line 1\n    print "no newline",\n    ^^^^^^^^^^^^^^^^^^^\nSyntaxError: Missing parentheses in call to \'print\'. Did you mean print(...)?\n',
  },
};

const fix = (c: { code: string; error: string }) =>
  proposeFixes({ code: c.code, filename: 'app.py', error: c.error });

describe('Strategy: SyntaxError', () => {
  it('adds the colon before a trailing comment', () => {
    expect(fix(CASES.colon).fixes.map((f) => f.code)).toEqual([
      'for i in range(3):  # count\n    print(i)\n',
    ]);
  });

  it('adds every missing colon, though Python reports only the first', () => {
    expect(fix(CASES.colons).fixes[0]?.code).toBe(
      'def f(x):\n    if x > 1:\n        return 1\n    else:\n        return 2\n\n\nprint(f(3))\n',
    );
  });

  it('closes a bracket at the end of its line', () => {
    expect(fix(CASES.paren).fixes.map((f) => f.code)).toEqual([
      'values = [1, 2]\ntotal = sum(values)\nprint(total)\n',
    ]);
  });

  it('closes a bracket after its continuation lines', () => {
    expect(fix(CASES.continued).fixes.map((f) => f.code)).toEqual([
      'data = dict(a=1,\n            b=2,)\nprint(data)\n',
    ]);
  });

  it('removes an unmatched closer', () => {
    expect(fix(CASES.unmatched).fixes[0]?.code).toBe('print((1 + 2))\n');
  });

  it('replaces a closer of the wrong kind, and drops the variant that would not parse', () => {
    expect(fix(CASES.mismatch).fixes.map((f) => f.code)).toEqual(['xs = [1, 2, 3]\nprint(xs)\n']);
  });

  it('turns a Python 2 print statement into a call', () => {
    expect(fix(CASES.print).fixes[0]?.code).toBe('x = 3\nif x:\n    print("x is", x)\n');
    expect(fix(CASES.trailingComma).fixes[0]?.code).toBe('print("no newline", end=\' \')\n');
  });

  it('compares with == where a condition assigns', () => {
    expect(fix(CASES.assign).fixes[0]?.code).toBe("x = 3\nif x == 3:\n    print('three')\n");
  });

  it('finds a missing colon statically when no error is given, preserving CRLF', () => {
    // Act
    const outcome = proposeFixes({ code: 'while True\r\n    break\r\n', filename: 'app.py' });

    // Assess
    expect(outcome.fixes.map((f) => f.code)).toEqual(['while True:\r\n    break\r\n']);
  });

  it('closes a bracket before the colon of a header', () => {
    // Prepare
    const error =
      '  File "/srv/job/app.py", line 1\n    if (a > 1:\n             ^\nSyntaxError: invalid syntax\n';

    // Act
    const { fixes } = fix({
      code: 'a = 2\nif (a > 1:\n    pass\n',
      error: error.replace('line 1', 'line 2'),
    });

    // Assess
    expect(fixes[0]?.code).toBe('a = 2\nif (a > 1):\n    pass\n');
  });
});
