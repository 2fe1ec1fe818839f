import { describe, expect, it } from 'vitest';
import { proposeFixes } from '../../shared/kinds/fix/offline/index.js';

// Programs and the tracebacks CPython 3.11 printed for them (run as /srv/job/app.py).
const CASES = {
  plusOne: {
    code: 'xs = [1, 2, 3]\nfor i in range(len(xs) + 1):\n    print(xs[i])\n',
    error:
      'Traceback (most recent call last):\n  File "/srv/job/app.py", line 3, in <module>\n    print(xs[i])\n          ~~^^^\nIndexError: list index out of range\n',
  },
  oneBased: {
    code: "xs = ['a', 'b']\nfor i in range(1, len(xs) + 1):\n    print(i, xs[i])\n",
    error:
      'Traceback (most recent call last):\n  File "/srv/job/app.py", line 3, in <module>\n    print(i, xs[i])\n             ~~^^^\nIndexError: list index out of range\n',
  },
  ahead: {
    code: 'xs = [1, 4, 9]\nfor i in range(len(xs)):\n    print(xs[i + 1] - xs[i])\n',
    error:
      'Traceback (most recent call last):\n  File "/srv/job/app.py", line 3, in <module>\n    print(xs[i + 1] - xs[i])\n          ~~^^^^^^^\nIndexError: list index out of range\n',
  },
  while: {
    code: 'xs = [1, 2]\ni = 0\nwhile i <= len(xs):\n    print(xs[i])\n    i += 1\n',
    error:
      'Traceback (most recent call last):\n  File "/srv/job/app.py", line 4, in <module>\n    print(xs[i])\n          ~~^^^\nIndexError: list index out of range\n',
  },
  len: {
    code: 'xs = [5, 6]\nprint(xs[len(xs)])\n',
    error:
      'Traceback (most recent call last):\n  File "/srv/job/app.py", line 2, in <module>\n    print(xs[len(xs)])\n          ~~^^^^^^^^^\nIndexError: list index out of range\n',
  },
  comprehension: {
    code: 'xs = [1, 2, 3]\nprint([xs[i] for i in range(len(xs) + 1)])\n',
    error:
      'Traceback (most recent call last):\n  File "/srv/job/app.py", line 2, in <module>\n    print([xs[i] for i in range(len(xs) + 1)])\n          ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n  File "/srv/job/app.py", line 2, in <listcomp>\n    print([xs[i] for i in range(len(xs) + 1)])\n           ~~^^^\nIndexError: list index out of range\n',
  },
  whileAhead: {
    code: 'xs = [1, 2, 3]\ni = 0\nwhile i < len(xs):\n    print(xs[i + 1])\n    i += 1\n',
    error:
      'Traceback (most recent call last):\n  File "/srv/job/app.py", line 4, in <module>\n    print(xs[i + 1])\n          ~~^^^^^^^\nIndexError: list index out of range\n',
  },
};

const fix = (c: { code: string; error: string }) =>
  proposeFixes({ code: c.code, filename: 'app.py', error: c.error });

describe('Strategy: IndexError (off by one)', () => {
  it('drops the `+ 1` from a range over a length', () => {
    expect(fix(CASES.plusOne).fixes.map((f) => f.code)).toEqual([
      'xs = [1, 2, 3]\nfor i in range(len(xs)):\n    print(xs[i])\n',
    ]);
  });

  it('shifts the index of a 1-based loop, or makes the loop 0-based', () => {
    // Act
    const { fixes } = fix(CASES.oneBased);

    // Assess
    expect(fixes[0]?.code).toContain('print(i, xs[i - 1])');
    expect(fixes[0]?.code).toContain('range(1, len(xs) + 1)');
    expect(fixes[1]?.code).toContain('for i in range(len(xs)):');
  });

  it('stops one early when the body reads the next item', () => {
    expect(fix(CASES.ahead).fixes[0]?.code).toContain('for i in range(len(xs) - 1):');
  });

  it('turns `<=` against a length into `<`', () => {
    expect(fix(CASES.while).fixes[0]?.code).toContain('while i < len(xs):');
  });

  it('stops a while loop early when the body reads ahead', () => {
    expect(fix(CASES.whileAhead).fixes[0]?.code).toContain('while i < len(xs) - 1:');
  });

  it('indexes the last item instead of the length', () => {
    expect(fix(CASES.len).fixes.map((f) => f.code)).toEqual([
      'xs = [5, 6]\nprint(xs[len(xs) - 1])\n',
      'xs = [5, 6]\nprint(xs[-1])\n',
    ]);
  });

  it('fixes the range inside a comprehension on the failing line', () => {
    expect(fix(CASES.comprehension).fixes[0]?.code).toBe(
      'xs = [1, 2, 3]\nprint([xs[i] for i in range(len(xs))])\n',
    );
  });

  it('proposes nothing for an index error of another kind', () => {
    // Prepare
    const error = CASES.plusOne.error.replace('list index out of range', 'pop from empty list');

    // Act
    const outcome = fix({ code: 'xs = []\nxs.pop()\n', error });

    // Assess
    expect(outcome.fixes).toEqual([]);
  });
});
