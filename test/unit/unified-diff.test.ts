import { describe, expect, it } from 'vitest';
import { changedLineCount, unifiedDiff } from '../../shared/domain/unified-diff.js';

describe('Function: unifiedDiff', () => {
  it('produces a git-style patch with a/ and b/ names', () => {
    const diff = unifiedDiff('program.py', 'x = 1\nprint(y)\n', 'x = 1\nprint(x)\n');
    expect(diff.split('\n').slice(0, 5)).toEqual([
      '--- a/program.py',
      '+++ b/program.py',
      '@@ -1,2 +1,2 @@',
      ' x = 1',
      '-print(y)',
    ]);
    expect(diff).toContain('+print(x)');
  });

  it('is empty for identical programs', () => {
    expect(unifiedDiff('p.py', 'a\n', 'a\n')).toBe('');
  });
});

describe('Function: changedLineCount', () => {
  it('counts added and removed lines', () => {
    expect(changedLineCount('a\nb\nc\n', 'a\nB\nc\n')).toBe(2);
    expect(changedLineCount('a\n', 'a\nb\nc\n')).toBe(2);
    expect(changedLineCount('a\n', 'a\n')).toBe(0);
  });
});
