import { describe, expect, it } from 'vitest';
import { proposeFixes } from '../../shared/kinds/fix/offline/index.js';

// Programs and the tracebacks CPython 3.11 printed for them (run as /srv/job/app.py).
const CASES = {
  return: {
    code: 'def ratio(hits, total):\n    return hits / total\n\n\nprint(ratio(1, 0))\n',
    error:
      'Traceback (most recent call last):\n  File "/srv/job/app.py", line 5, in <module>\n    print(ratio(1, 0))\n          ^^^^^^^^^^^\n  File "/srv/job/app.py", line 2, in ratio\n    return hits / total\n           ~~~~~^~~~~~~\nZeroDivisionError: division by zero\n',
  },
  loop: {
    code: "rows = [(4, 2), (3, 0)]\nfor num, den in rows:\n    share = num % den\n    print('%d left' % share)\n",
    error:
      'Traceback (most recent call last):\n  File "/srv/job/app.py", line 3, in <module>\n    share = num % den\n            ~~~~^~~~~\nZeroDivisionError: integer modulo by zero\n',
  },
  print: {
    code: 'a, b = 1, 0\nprint(a / b)\n',
    error:
      'Traceback (most recent call last):\n  File "/srv/job/app.py", line 2, in <module>\n    print(a / b)\n          ~~^~~\nZeroDivisionError: division by zero\n',
  },
  comprehension: {
    code: 'def shares(total, parts):\n    return [total / p for p in parts]\n\n\nprint(shares(10, [2, 0]))\n',
    error:
      'Traceback (most recent call last):\n  File "/srv/job/app.py", line 5, in <module>\n    print(shares(10, [2, 0]))\n          ^^^^^^^^^^^^^^^^^^\n  File "/srv/job/app.py", line 2, in shares\n    return [total / p for p in parts]\n           ^^^^^^^^^^^^^^^^^^^^^^^^^^\n  File "/srv/job/app.py", line 2, in <listcomp>\n    return [total / p for p in parts]\n            ~~~~~~^~~\nZeroDivisionError: division by zero\n',
  },
  two: {
    code: 'def f(a, b, c):\n    return a / b + a / c\n\n\nprint(f(1, 2, 0))\n',
    error:
      'Traceback (most recent call last):\n  File "/srv/job/app.py", line 5, in <module>\n    print(f(1, 2, 0))\n          ^^^^^^^^^^\n  File "/srv/job/app.py", line 2, in f\n    return a / b + a / c\n                   ~~^~~\nZeroDivisionError: division by zero\n',
  },
  augmented: {
    code: 'x = 10\nn = 0\nx /= n\nprint(x)\n',
    error:
      'Traceback (most recent call last):\n  File "/srv/job/app.py", line 3, in <module>\n    x /= n\nZeroDivisionError: division by zero\n',
  },
  call: {
    code: 'def mean(xs):\n    total = sum(xs)\n    return round(total / len(xs), 2)\n\n\nprint(mean([]))\n',
    error:
      'Traceback (most recent call last):\n  File "/srv/job/app.py", line 6, in <module>\n    print(mean([]))\n          ^^^^^^^^\n  File "/srv/job/app.py", line 3, in mean\n    return round(total / len(xs), 2)\n                 ~~~~~~^~~~~~~~~\nZeroDivisionError: division by zero\n',
  },
};

const fix = (c: { code: string; error: string }) =>
  proposeFixes({ code: c.code, filename: 'app.py', error: c.error });

describe('Strategy: ZeroDivisionError', () => {
  it('guards a returned quotient three ways', () => {
    // Act
    const { fixes } = fix(CASES.return);

    // Assess
    expect(fixes.map((f) => f.code.split('\n').slice(1, 4).join('\n'))).toEqual([
      '    return hits / total if total else 0\n\n',
      '    if not total:\n        return 0\n    return hits / total',
      '    return hits / total if total else 0.0\n\n',
    ]);
  });

  it('skips the loop iteration, and leaves `%` string formatting alone', () => {
    // Act
    const { fixes } = fix(CASES.loop);

    // Assess
    expect(fixes[0]?.code).toContain('    share = num % den if den else 0\n');
    expect(fixes[1]?.code).toContain('    if not den:\n        continue\n    share = num % den\n');
    expect(fixes.every((f) => f.code.includes("print('%d left' % share)"))).toBe(true);
  });

  it('guards a division inside a call without doubling parentheses', () => {
    // Act
    const { fixes } = fix(CASES.print);

    // Assess
    expect(fixes[0]?.code).toBe('a, b = 1, 0\nprint(a / b if b else 0)\n');
    expect(fixes[1]?.code).toBe('a, b = 1, 0\nif b:\n    print(a / b)\n');
  });

  it('keeps the guard inside a comprehension whose variable is the denominator', () => {
    // Act
    const { fixes } = fix(CASES.comprehension);

    // Assess
    expect(fixes.map((f) => f.code.split('\n')[1])).toEqual([
      '    return [(total / p if p else 0) for p in parts]',
    ]);
  });

  it('guards the division the caret points at when a line has two', () => {
    expect(fix(CASES.two).fixes[0]?.code).toContain('return a / b + a / c if c else 0');
  });

  it('guards an augmented division by skipping it', () => {
    expect(fix(CASES.augmented).fixes[0]?.code).toBe('x = 10\nn = 0\nif n:\n    x /= n\nprint(x)\n');
  });

  it('takes a call as the whole denominator', () => {
    expect(fix(CASES.call).fixes[0]?.code).toContain('return round(total / len(xs), 2) if len(xs) else 0');
  });
});
