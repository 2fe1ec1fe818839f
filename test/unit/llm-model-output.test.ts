import { describe, expect, it } from 'vitest';
import { InvalidOutputError } from '../../shared/adapters/llm/invalid-output-error.js';
import {
  categorySchema,
  generatedFixJsonSchema,
  generatedFixSchema,
  parseModelJson,
  validateOutput,
} from '../../shared/adapters/llm/model-output.js';

describe('Function: parseModelJson', () => {
  it('parses JSON, also inside a markdown fence', () => {
    expect(parseModelJson('{"a":1}')).toEqual({ a: 1 });
    expect(parseModelJson('```json\n{"a":1}\n```')).toEqual({ a: 1 });
  });

  it.each([
    [undefined, 'empty'],
    ['   ', 'empty'],
    ['{"a":', 'malformed-json'],
    ['Sure! Here is the fix: ...', 'malformed-json'],
  ])('rejects %j as %s without quoting it', (text, kind) => {
    try {
      parseModelJson(text);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidOutputError);
      expect((error as InvalidOutputError).kind).toBe(kind);
      if (text) expect((error as Error).message).not.toContain(text);
    }
  });
});

describe('Function: validateOutput', () => {
  it('accepts a well-formed answer and fills the lenient fields', () => {
    const out = validateOutput(generatedFixSchema, {
      candidates: [{ title: '  Fix  ', code: 'print(1)' }],
    });
    expect(out).toEqual({
      reproduction: null,
      candidates: [{ title: 'Fix', code: 'print(1)', rationale: '' }],
    });
  });

  it('names the first offending field', () => {
    expect(() =>
      validateOutput(generatedFixSchema, { reproduction: null, candidates: [{ title: 't', code: '  ' }] }),
    ).toThrow(/candidates\.0\.code: code is empty/);
    expect(() => validateOutput(generatedFixSchema, { reproduction: 3, candidates: [] })).toThrow(
      /does not match the expected shape \(reproduction: /,
    );
    expect(() => validateOutput(categorySchema, { kind: 'weird', summary: 's' })).toThrow(/kind: /);
  });

  it('keeps Gemini’s response schema in step with the validator', () => {
    expect([...generatedFixJsonSchema.required].sort()).toEqual(Object.keys(generatedFixSchema.shape).sort());
    expect([...generatedFixJsonSchema.properties.candidates.items.required].sort()).toEqual(
      Object.keys(generatedFixSchema.shape.candidates.element.shape).sort(),
    );
  });
});
