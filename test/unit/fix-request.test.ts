import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../shared/domain/errors.js';
import { parseFixRequest, parseFixRequestText } from '../../shared/kinds/fix/fix-request.js';

function fieldOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    if (error instanceof InvalidRequestError) return error.field;
    throw error;
  }
  throw new Error('expected an InvalidRequestError');
}

describe('Function: parseFixRequest', () => {
  it('applies the defaults', () => {
    expect(parseFixRequest({ code: 'print(1)\n' })).toEqual({
      code: 'print(1)\n',
      filename: 'program.py',
      maxRounds: 2,
    });
  });

  it('keeps every documented field', () => {
    const problem = parseFixRequest({
      code: 'x',
      filename: 'app.py',
      error: 'NameError',
      test: 'import app',
      candidates: ['a', 'b'],
      maxRounds: 3,
    });
    expect(problem).toEqual({
      code: 'x',
      filename: 'app.py',
      error: 'NameError',
      test: 'import app',
      candidates: ['a', 'b'],
      maxRounds: 3,
    });
  });

  it.each([
    [{}, 'code'],
    [{ code: 42 }, 'code'],
    [{ code: '' }, 'code'],
    [{ code: 'x', filename: '../etc/passwd' }, 'filename'],
    [{ code: 'x', filename: 'reproduce_issue.py' }, 'filename'],
    [{ code: 'x', error: 5 }, 'error'],
    [{ code: 'x', test: ['x'] }, 'test'],
    [{ code: 'x', candidates: [] }, 'candidates'],
    [{ code: 'x', candidates: 'x' }, 'candidates'],
    [{ code: 'x', candidates: Array.from({ length: 9 }, () => 'y') }, 'candidates'],
    [{ code: 'x', candidates: ['ok', 7] }, 'candidates.1'],
    [{ code: 'x', maxRounds: 4 }, 'maxRounds'],
    [{ code: 'x', maxRounds: 1.5 }, 'maxRounds'],
    [{ code: 'x', maxRounds: '2' }, 'maxRounds'],
    [[], 'body'],
    [null, 'body'],
  ])('rejects %j naming %s', (body, field) => {
    expect(fieldOf(() => parseFixRequest(body))).toBe(field);
  });

  it('rejects code over 1 MiB, counting bytes not characters', () => {
    const justUnder = 'é'.repeat(512 * 1024 - 1);
    expect(parseFixRequest({ code: justUnder }).code.length).toBe(512 * 1024 - 1);
    expect(fieldOf(() => parseFixRequest({ code: 'é'.repeat(512 * 1024 + 1) }))).toBe('code');
  });

  it('says a missing field is required', () => {
    try {
      parseFixRequest({});
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidRequestError);
      expect(error).toMatchObject({ message: 'code is required', field: 'code' });
    }
  });
});

describe('Function: parseFixRequestText', () => {
  it('refuses malformed JSON and an empty body as an invalid body', () => {
    expect(fieldOf(() => parseFixRequestText('{"code": '))).toBe('body');
    expect(fieldOf(() => parseFixRequestText(''))).toBe('body');
    expect(fieldOf(() => parseFixRequestText(undefined))).toBe('body');
  });
});
