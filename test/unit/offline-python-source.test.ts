import { describe, expect, it } from 'vitest';
import { importInsertionLine, PySource } from '../../shared/kinds/fix/offline/python-source.js';
import {
  logicalLines,
  matchingBracket,
  operandEnd,
  primaryStart,
  tokenize,
} from '../../shared/kinds/fix/offline/python-tokens.js';

const texts = (code: string) =>
  tokenize(code)
    .filter((t) => t.kind !== 'newline')
    .map((t) => t.text);

describe('Function: tokenize', () => {
  it('keeps strings and comments whole, so names inside them are not names', () => {
    // Act
    const tokens = tokenize('x = "a # b" + \'c\'  # total\n');

    // Assess
    expect(tokens.filter((t) => t.kind === 'string').map((t) => t.text)).toEqual(['"a # b"', "'c'"]);
    expect(tokens.find((t) => t.kind === 'comment')?.text).toBe('# total');
    expect(tokens.filter((t) => t.kind === 'name').map((t) => t.text)).toEqual(['x']);
  });

  it('reads triple-quoted strings across lines and prefixed strings', () => {
    // Act
    const tokens = tokenize('s = """one\ntwo"""\nb = rb"\\d"\nprint(s)\n');

    // Assess
    expect(tokens.filter((t) => t.kind === 'string').map((t) => t.text)).toEqual([
      '"""one\ntwo"""',
      'rb"\\d"',
    ]);
    expect(tokens.find((t) => t.text === 'print')?.line).toBe(4);
  });

  it('finds the names inside f-string fields, not in the format spec', () => {
    // Act
    const [, , fstring] = tokenize('m = f"{totl:>{width}} and {{x}} {n!r}"\n');

    // Assess
    expect(fstring?.inner?.filter((t) => t.kind === 'name').map((t) => t.text)).toEqual(['totl', 'n']);
  });

  it('tells operators apart by longest match', () => {
    expect(texts('a //= b ** 2 != c')).toEqual(['a', '//=', 'b', '**', '2', '!=', 'c']);
  });

  it('never throws on broken input', () => {
    expect(() => tokenize('print("unterminated\nx = (1, [2\n"""open')).not.toThrow();
  });
});

describe('Function: logicalLines', () => {
  it('joins bracketed and backslash-continued lines, and records the trailing comment', () => {
    // Act
    const lines = logicalLines(tokenize('x = [1,\n     2]  # pair\ny = 1 + \\\n    2\n\n# alone\nz = 3\n'));

    // Assess
    expect(lines.map((l) => [l.firstLine, l.lastLine])).toEqual([
      [1, 2],
      [3, 4],
      [7, 7],
    ]);
    expect(lines[0]?.comment?.text).toBe('# pair');
  });
});

describe('Function: operandEnd / primaryStart', () => {
  it('spans calls, attributes, subscripts and powers', () => {
    // Prepare
    const tokens = tokenize('r = a / obj.items[0](x) ** 2 + 1\n').filter((t) => t.kind !== 'newline');
    const slash = tokens.findIndex((t) => t.text === '/');

    // Act
    const end = operandEnd(tokens, slash + 1);
    const start = primaryStart(
      tokens,
      tokens.findIndex((t) => t.text === ')'),
    );

    // Assess
    expect(
      tokens
        .slice(slash + 1, end + 1)
        .map((t) => t.text)
        .join(''),
    ).toBe('obj.items[0](x)**2');
    expect(tokens[start]?.text).toBe('obj');
    expect(
      matchingBracket(
        tokens,
        tokens.findIndex((t) => t.text === '['),
      ),
    ).toBe(tokens.findIndex((t) => t.text === ']'));
  });
});

describe('Class: PySource', () => {
  it('keeps CRLF line endings when it adds a line', () => {
    // Prepare
    const source = new PySource('a = 1\r\nb = 2\r\n');

    // Act
    const code = source.apply([source.insertLinesBefore(2, ['import os'])]);

    // Assess
    expect(code).toBe('a = 1\r\nimport os\r\nb = 2\r\n');
    expect(source.lineText(2)).toBe('b = 2');
    expect(source.lineCount).toBe(2);
  });

  it('detects the indentation unit the program uses', () => {
    expect(new PySource('if x:\n  y = 1\n  if y:\n    z = 2\n').indentUnit).toBe('  ');
    expect(new PySource('if x:\n\ty = 1\n').indentUnit).toBe('\t');
    expect(new PySource('x = 1\n').indentUnit).toBe('    ');
  });

  it('puts imports after the shebang, module docstring and __future__ imports', () => {
    // Prepare
    const code =
      '#!/usr/bin/env python3\n"""Tool.\n\nMore."""\nfrom __future__ import annotations\n\nx = 1\n';

    // Act
    const line = importInsertionLine(new PySource(code));

    // Assess
    expect(line).toBe(6);
  });
});
