import { describe, expect, it } from 'vitest';
import { classifyLocally, isParserError } from '../../shared/adapters/llm/local-category.js';

const traceback = (last: string) =>
  `Traceback (most recent call last):\n  File "app.py", line 3, in <module>\n    main()\n${last}`;

describe('Function: isParserError', () => {
  it.each([
    ['  File "app.py", line 2\n    def f(:\n          ^\nSyntaxError: invalid syntax'],
    ['  File "app.py", line 3\n    return x\nIndentationError: unexpected indent'],
    ['TabError: inconsistent use of tabs and spaces in indentation'],
    ['E     SyntaxError: invalid syntax'],
  ])('sees a parse error in %j', (error) => {
    expect(isParserError(error)).toBe(true);
  });

  it.each([
    [undefined],
    [''],
    [traceback('ValueError: bad SyntaxError: in a message')],
    [traceback('NameError: name "SyntaxError" is not defined')],
  ])('does not see one in %j', (error) => {
    expect(isParserError(error)).toBe(false);
  });
});

describe('Function: classifyLocally', () => {
  it.each([
    [traceback("ModuleNotFoundError: No module named 'requests'"), 'import'],
    [traceback('ImportError: cannot import name "x" from "y"'), 'import'],
    [traceback("FileNotFoundError: [Errno 2] No such file or directory: 'data.csv'"), 'environment'],
    [traceback('PermissionError: [Errno 13] Permission denied'), 'environment'],
    [traceback("KeyError: 'name'"), 'runtime'],
    [traceback('ZeroDivisionError: division by zero'), 'runtime'],
    [traceback('AssertionError: expected 5'), 'logic'],
    ['SyntaxError: invalid syntax', 'syntax'],
    ['the output is 4 but should be 5', 'logic'],
    ['Traceback (most recent call last):\n  File "app.py", line 1\n<garbled>', 'runtime'],
  ])('classifies %j as %s', (error, kind) => {
    const category = classifyLocally(error);
    expect(category.kind).toBe(kind);
    expect(category.by).toBe('local');
  });

  it('summarizes with the line that ended the program', () => {
    const error = `${traceback("KeyError: 'a'")}\n\nDuring handling of the above exception, another exception occurred:\n\n${traceback('RuntimeError: giving up')}`;
    expect(classifyLocally(error)).toEqual({
      kind: 'runtime',
      summary: 'RuntimeError: giving up',
      by: 'local',
    });
  });

  it('calls a report with no error a logic problem', () => {
    expect(classifyLocally(undefined)).toEqual({
      kind: 'logic',
      summary: 'No error reported: the program runs but misbehaves.',
      by: 'local',
    });
  });
});
