import { applyPatch } from 'diff';
import { describe, expect, it } from 'vitest';
import { diffProgram, MAX_EDIT_LINES } from '../../shared/kinds/fix/unified-diff.js';

const program = (lines: number, seed: string) =>
  `${Array.from({ length: lines }, (_, i) => `value_${seed}_${i} = ${i} * ${seed.length}`).join('\n')}\n`;

describe('Function: diffProgram', () => {
  it('produces a git-style patch with a/ and b/ names', () => {
    const { diff, changedLines, fullReplacement } = diffProgram(
      'program.py',
      'x = 1\nprint(y)\n',
      'x = 1\nprint(x)\n',
    );
    expect(diff.split('\n').slice(0, 5)).toEqual([
      '--- a/program.py',
      '+++ b/program.py',
      '@@ -1,2 +1,2 @@',
      ' x = 1',
      '-print(y)',
    ]);
    expect(diff).toContain('+print(x)');
    expect(changedLines).toBe(2);
    expect(fullReplacement).toBe(false);
  });

  it('is empty for identical programs', () => {
    expect(diffProgram('p.py', 'a\n', 'a\n')).toEqual({ diff: '', changedLines: 0, fullReplacement: false });
  });

  it('counts added and removed lines', () => {
    expect(diffProgram('p.py', 'a\nb\nc\n', 'a\nB\nc\n').changedLines).toBe(2);
    expect(diffProgram('p.py', 'a\n', 'a\nb\nc\n').changedLines).toBe(2);
  });

  it('diffs a small change in a 12,000-line program line by line', () => {
    const original = program(12_000, 'a');
    const changed = original.replace('value_a_6000 = 6000', 'value_a_6000 = 6001');
    const { diff, changedLines, fullReplacement } = diffProgram('big.py', original, changed);
    expect(fullReplacement).toBe(false);
    expect(changedLines).toBe(2);
    expect(applyPatch(original, diff)).toBe(changed);
  });

  it('falls back to a full replacement for a rewrite past the edit bound, and the patch still applies', () => {
    // Prepare: every line differs, far more than the bound.
    const original = program(MAX_EDIT_LINES * 3, 'old');
    const changed = program(MAX_EDIT_LINES * 3, 'new').trimEnd();

    // Act
    const { diff, changedLines, fullReplacement } = diffProgram('big.py', original, changed);

    // Assess
    expect(fullReplacement).toBe(true);
    expect(changedLines).toBe(MAX_EDIT_LINES * 6);
    expect(
      diff.startsWith(`--- a/big.py\n+++ b/big.py\n@@ -1,${MAX_EDIT_LINES * 3} +1,${MAX_EDIT_LINES * 3} @@`),
    ).toBe(true);
    expect(applyPatch(original, diff)).toBe(changed);
  });

  it('writes a full replacement from or to an empty program', () => {
    const fromEmpty = diffProgram('p.py', '', program(MAX_EDIT_LINES + 10, 'x'));
    expect(fromEmpty.changedLines).toBe(MAX_EDIT_LINES + 10);
    expect(applyPatch('', fromEmpty.diff)).toBe(program(MAX_EDIT_LINES + 10, 'x'));
  });
});
