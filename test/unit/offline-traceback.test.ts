import { describe, expect, it } from 'vitest';
import { parseTraceback } from '../../shared/kinds/fix/offline/index.js';

// Tracebacks below were printed by CPython 3.11 (3.12 where noted).
const HARNESS_KEY_ERROR = `Traceback (most recent call last):
  File "/tmp/run/reproduce_issue.py", line 6, in <module>
    test()
  File "/tmp/run/reproduce_issue.py", line 4, in test
    assert f({}) == 1
           ^^^^^
  File "/tmp/run/solution.py", line 2, in f
    return d["missing"]
           ~^^^^^^^^^^^
KeyError: 'missing'
`;

const IMPORTED_SYNTAX_ERROR = `Traceback (most recent call last):
  File "/tmp/run/reproduce_issue.py", line 1, in <module>
    from solution import f
  File "/tmp/run/solution.py", line 1
    def f(x)
            ^
SyntaxError: expected ':'
`;

const CHAINED = `Traceback (most recent call last):
  File "/tmp/run/chain.py", line 2, in <module>
    {}["a"]
    ~~^^^^^
KeyError: 'a'

During handling of the above exception, another exception occurred:

Traceback (most recent call last):
  File "/tmp/run/chain.py", line 4, in <module>
    raise ValueError("bad value")
ValueError: bad value
`;

const NESTED_ZERO_DIVISION = `Traceback (most recent call last):
  File "/tmp/tb/h.py", line 4, in <module>
    print(f(1, 0))
          ^^^^^^^
  File "/tmp/tb/h.py", line 2, in f
    return a / b
           ~~^~~
ZeroDivisionError: division by zero
`;

describe('Function: parseTraceback', () => {
  it('reads the exception line and the program frame', () => {
    // Act
    const parsed = parseTraceback(NESTED_ZERO_DIVISION, 'h.py');

    // Assess
    expect(parsed?.type).toBe('ZeroDivisionError');
    expect(parsed?.message).toBe('division by zero');
    expect(parsed?.frames.map((f) => f.line)).toEqual([4, 2]);
    expect(parsed?.programFrame).toMatchObject({ line: 2, scope: 'f', source: 'return a / b' });
  });

  it('keeps the caret marks relative to the printed source, with the ^ focus', () => {
    // Act
    const frame = parseTraceback(NESTED_ZERO_DIVISION, 'h.py')?.programFrame;

    // Assess: `return a / b` — `a / b` spans columns 7..12 and `/` is at 9.
    expect(frame?.marker).toEqual({ start: 7, end: 12, focus: { start: 9, end: 10 } });
  });

  it('picks the program frame below the reproduction test', () => {
    // Act
    const parsed = parseTraceback(HARNESS_KEY_ERROR, 'solution.py');

    // Assess
    expect(parsed?.type).toBe('KeyError');
    expect(parsed?.message).toBe("'missing'");
    expect(parsed?.programFrame?.file).toBe('/tmp/run/solution.py');
    expect(parsed?.programFrame?.line).toBe(2);
  });

  it('falls back to the last frame outside the test and the standard library when the name differs', () => {
    // Act
    const parsed = parseTraceback(HARNESS_KEY_ERROR, 'main.py');

    // Assess
    expect(parsed?.programFrame?.file).toBe('/tmp/run/solution.py');
  });

  it('reads a SyntaxError location block raised while importing the program', () => {
    // Act
    const parsed = parseTraceback(IMPORTED_SYNTAX_ERROR, 'solution.py');

    // Assess
    expect(parsed?.type).toBe('SyntaxError');
    expect(parsed?.message).toBe("expected ':'");
    expect(parsed?.programFrame).toMatchObject({ line: 1, source: 'def f(x)' });
    expect(parsed?.programFrame?.scope).toBeUndefined();
    expect(parsed?.programFrame?.marker?.focus).toEqual({ start: 8, end: 9 });
  });

  it('reports the last exception of a chained traceback', () => {
    // Act
    const parsed = parseTraceback(CHAINED, 'chain.py');

    // Assess
    expect(parsed?.type).toBe('ValueError');
    expect(parsed?.programFrame?.line).toBe(4);
  });

  it('accepts a bare error line and a dotted exception name', () => {
    // Act
    const bare = parseTraceback("NameError: name 'math' is not defined. Did you forget to import 'math'?");
    const dotted = parseTraceback('json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)');

    // Assess
    expect(bare).toMatchObject({ type: 'NameError', frames: [] });
    expect(bare?.programFrame).toBeUndefined();
    expect(dotted?.type).toBe('JSONDecodeError');
    expect(dotted?.qualifiedType).toBe('json.decoder.JSONDecodeError');
  });

  it('reads CRLF output and ignores program output around the traceback', () => {
    // Prepare
    const text = `starting\r\n${NESTED_ZERO_DIVISION.replace(/\n/g, '\r\n')}`;

    // Act
    const parsed = parseTraceback(text, 'h.py');

    // Assess
    expect(parsed?.type).toBe('ZeroDivisionError');
    expect(parsed?.programFrame?.line).toBe(2);
  });

  it('returns undefined when there is no exception', () => {
    expect(parseTraceback('all good\n3 tests passed\n')).toBeUndefined();
    expect(parseTraceback('')).toBeUndefined();
  });
});
