import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { proposeFixes } from '../../shared/kinds/fix/offline/index.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/offline');
const programs = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.py'))
  .sort()
  .map((f) => readFileSync(join(FIXTURES, f), 'utf8'));

const ERRORS = [
  "NameError: name 'total' is not defined",
  "AttributeError: 'str' object has no attribute 'uppr'",
  'ZeroDivisionError: division by zero',
  'IndexError: list index out of range',
  "KeyError: 'a'",
  'TypeError: can only concatenate str (not "int") to str',
  "SyntaxError: expected ':'",
  "SyntaxError: '(' was never closed",
  "SyntaxError: unmatched ')'",
];
const JUNK = ['(', ')', '[', ']', ':', '"', "'", '\n', '    ', '/', '#', '"""', 'f"{', '\\', '=', '+'];

/** A small deterministic generator, so a failure names a case that can be replayed. */
function generator(seed: number) {
  let state = seed;
  return (n: number) => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state % n;
  };
}

describe('Function: proposeFixes on mangled programs', () => {
  it('never throws and never proposes the unchanged program', () => {
    const random = generator(7);
    for (let i = 0; i < 600; i += 1) {
      // Prepare
      let code = programs[random(programs.length)] as string;
      const at = random(code.length + 1);
      code = random(2)
        ? code.slice(0, at) + JUNK[random(JUNK.length)] + code.slice(at)
        : code.slice(0, at) + code.slice(at + 1 + random(5));
      const error = `Traceback (most recent call last):\n  File "/srv/job/app.py", line ${1 + random(10)}, in <module>\n    x\n${ERRORS[random(ERRORS.length)]}\n`;

      // Act
      const outcome = proposeFixes({ code, filename: 'app.py', ...(random(4) ? { error } : {}) });

      // Assess
      expect(outcome.diagnosis.length, `case ${i}`).toBeGreaterThan(0);
      for (const fix of outcome.fixes) expect(fix.code, `case ${i}`).not.toBe(code);
    }
  });
});
