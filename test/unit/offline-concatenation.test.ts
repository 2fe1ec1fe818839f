import { describe, expect, it } from 'vitest';
import { proposeFixes } from '../../shared/kinds/fix/offline/index.js';

// Programs and the tracebacks CPython 3.11 printed for them (run as /srv/job/app.py).
const CASES = {
  strInt: {
    code: 'total = 3\nprint("Total: " + total + " items")\n',
    error:
      'Traceback (most recent call last):\n  File "/srv/job/app.py", line 2, in <module>\n    print("Total: " + total + " items")\n          ~~~~~~~~~~^~~~~~~\nTypeError: can only concatenate str (not "int") to str\n',
  },
  intStr: {
    code: 'count = 2\nextra = "5"\nprint(count + extra)\n',
    error:
      "Traceback (most recent call last):\n  File \"/srv/job/app.py\", line 3, in <module>\n    print(count + extra)\n          ~~~~~~^~~~~~~\nTypeError: unsupported operand type(s) for +: 'int' and 'str'\n",
  },
  input: {
    code: 'age = input()\nprint(age + 1)\n',
    error:
      'Traceback (most recent call last):\n  File "/srv/job/app.py", line 2, in <module>\n    print(age + 1)\n          ~~~~^~~\nTypeError: can only concatenate str (not "int") to str\n',
  },
  list: {
    code: 'xs = [1, 2]\nxs = xs + 3\nprint(xs)\n',
    error:
      'Traceback (most recent call last):\n  File "/srv/job/app.py", line 2, in <module>\n    xs = xs + 3\n         ~~~^~~\nTypeError: can only concatenate list (not "int") to list\n',
  },
  augmented: {
    code: 'message = "n="\nn = 4\nmessage += n\nprint(message)\n',
    error:
      'Traceback (most recent call last):\n  File "/srv/job/app.py", line 3, in <module>\n    message += n\nTypeError: can only concatenate str (not "int") to str\n',
  },
  quotes: {
    code: "name = 'Ann'\nage = 30\nprint(name + \" is \" + age + ' years {old}')\n",
    error:
      'Traceback (most recent call last):\n  File "/srv/job/app.py", line 3, in <module>\n    print(name + " is " + age + \' years {old}\')\n          ~~~~~~~~~~~~~~^~~~~\nTypeError: can only concatenate str (not "int") to str\n',
  },
};

const fix = (c: { code: string; error: string }) =>
  proposeFixes({ code: c.code, filename: 'app.py', error: c.error });

describe('Strategy: str/int concatenation', () => {
  it('converts the number with str() or writes an f-string', () => {
    // Act
    const { fixes } = fix(CASES.strInt);

    // Assess
    expect(fixes.map((f) => f.code.split('\n')[1])).toEqual([
      'print("Total: " + str(total) + " items")',
      'print(f"Total: {total} items")',
    ]);
  });

  it('converts the text with int() first when no literal text is involved', () => {
    // Act
    const { fixes } = fix(CASES.intStr);

    // Assess
    expect(fixes[0]?.code.split('\n')[2]).toBe('print(count + int(extra))');
    expect(fixes[1]?.code.split('\n')[2]).toBe('print(str(count) + str(extra))');
  });

  it('converts a value read with input() to a number', () => {
    expect(fix(CASES.input).fixes[0]?.code).toBe('age = input()\nprint(int(age) + 1)\n');
  });

  it('wraps an item added to a list', () => {
    expect(fix(CASES.list).fixes[0]?.code).toBe('xs = [1, 2]\nxs = xs + [3]\nprint(xs)\n');
  });

  it('converts the right side of `+=`', () => {
    expect(fix(CASES.augmented).fixes[0]?.code).toContain('message += str(n)\n');
  });

  it('escapes braces and unifies quotes in the f-string', () => {
    // Act
    const fString = fix(CASES.quotes).fixes.find((f) => f.title.includes('f-string'));

    // Assess
    expect(fString?.code.split('\n')[2]).toBe('print(f"{name} is {age} years {{old}}")');
  });
});
