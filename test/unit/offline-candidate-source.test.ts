import { describe, expect, it, vi } from 'vitest';
import type { CandidateFeedback, FixProblem } from '../../shared/domain/types.js';
import { createOfflineCandidateSource } from '../../shared/kinds/fix/offline/index.js';
import type { GenerateRequest } from '../../shared/ports/candidate-source.js';

// A program with two errors; CPython 3.11 output for it and for it with the first one fixed.
const BUGGY =
  'def mean(values):\n    return sum(vals) / len(values)\n\n\nprint(mean([1, 2, 3]))\nprint(mean([]))\n';
const BUGGY_ERROR =
  'Traceback (most recent call last):\n  File "/srv/job/app.py", line 5, in <module>\n    print(mean([1, 2, 3]))\n          ^^^^^^^^^^^^^^^\n  File "/srv/job/app.py", line 2, in mean\n    return sum(vals) / len(values)\n               ^^^^\nNameError: name \'vals\' is not defined. Did you mean: \'values\'?\n';
const HALF_FIXED = BUGGY.replace('sum(vals)', 'sum(values)');
const HALF_FIXED_ERROR =
  '2.0\nTraceback (most recent call last):\n  File "/srv/job/app.py", line 6, in <module>\n    print(mean([]))\n          ^^^^^^^^\n  File "/srv/job/app.py", line 2, in mean\n    return sum(values) / len(values)\n           ~~~~~~~~~~~~^~~~~~~~~~~~~\nZeroDivisionError: division by zero\n';

const problem = (overrides: Partial<FixProblem> = {}): FixProblem => ({
  code: BUGGY,
  filename: 'app.py',
  error: BUGGY_ERROR,
  maxRounds: 3,
  ...overrides,
});

const request = (p: FixProblem, round = 1, feedback: CandidateFeedback[] = []): GenerateRequest => ({
  sessionId: 's-1',
  round,
  problem: p,
  feedback,
  progress: vi.fn(async () => {}),
});

const failed = (index: number, code: string, stderrTail: string): CandidateFeedback => ({
  index,
  code,
  status: 'failed',
  exitCode: 1,
  stderrTail,
  stdoutTail: '',
});

describe('Class: OfflineCandidateSource', () => {
  describe('Method: generate', () => {
    it('answers as the offline source, with no reproduction and no model calls', async () => {
      // Prepare
      const source = createOfflineCandidateSource();
      const req = request(problem());

      // Act
      const result = await source.generate(req);

      // Assess
      expect(source.name).toBe('offline');
      expect(result.reproduction).toBeNull();
      expect(result.calls).toEqual([]);
      expect(result.candidates[0]).toMatchObject({ code: HALF_FIXED, source: 'offline' });
      expect(result.candidates.length).toBeLessThanOrEqual(3);
      expect(result.notes[0]).toMatch(/^Offline engine .*round 1: \d candidates?\.$/);
      expect(result.notes).toContain(
        "NameError on line 2: name 'vals' is not defined. Did you mean: 'values'?",
      );
      expect(req.progress).toHaveBeenCalledWith(
        expect.objectContaining({ stage: 'generating', provider: 'offline' }),
      );
    });

    it('never returns more than the configured number of candidates, all distinct', async () => {
      // Prepare
      const code = 'def ratio(a, b):\n    return a / b\n\n\nprint(ratio(1, 0))\n';
      const error =
        'Traceback (most recent call last):\n  File "/srv/job/app.py", line 5, in <module>\n    print(ratio(1, 0))\n          ^^^^^^^^^^^\n  File "/srv/job/app.py", line 2, in ratio\n    return a / b\n           ~~^~~\nZeroDivisionError: division by zero\n';

      // Act
      const three = await createOfflineCandidateSource().generate(request(problem({ code, error })));
      const one = await createOfflineCandidateSource({ maxCandidates: 1 }).generate(
        request(problem({ code, error })),
      );

      // Assess
      expect(three.candidates).toHaveLength(3);
      expect(new Set(three.candidates.map((c) => c.code)).size).toBe(3);
      expect(one.candidates).toHaveLength(1);
      expect(one.candidates[0]?.code).toBe(three.candidates[0]?.code);
    });

    it('builds on a candidate that got past the first error', async () => {
      // Prepare
      const feedback = [failed(1, HALF_FIXED, HALF_FIXED_ERROR)];

      // Act
      const result = await createOfflineCandidateSource().generate(request(problem(), 2, feedback));

      // Assess
      expect(result.candidates[0]?.code).toBe(
        'def mean(values):\n    return sum(values) / len(values) if len(values) else 0\n\n\nprint(mean([1, 2, 3]))\nprint(mean([]))\n',
      );
      expect(result.candidates[0]?.rationale).toMatch(/built on candidate 1/);
      expect(result.notes.some((n) => n.startsWith('ZeroDivisionError on line 2'))).toBe(true);
    });

    it('does not propose again what an earlier round already ran', async () => {
      // Prepare
      const first = await createOfflineCandidateSource().generate(request(problem()));
      const feedback = first.candidates.map((c, i) => failed(i + 1, c.code, BUGGY_ERROR));

      // Act
      const second = await createOfflineCandidateSource().generate(request(problem(), 2, feedback));

      // Assess
      for (const candidate of second.candidates)
        expect(feedback.map((f) => f.code)).not.toContain(candidate.code);
    });

    it("takes the error from the baseline run's feedback when the problem has none", async () => {
      // Prepare
      const feedback = [failed(0, BUGGY, BUGGY_ERROR)];

      // Act
      const result = await createOfflineCandidateSource().generate(
        request(problem({ error: undefined }), 2, feedback),
      );

      // Assess
      expect(result.candidates[0]?.code).toBe(HALF_FIXED);
    });

    it('proposes nothing, and says so, when the error text holds no exception', async () => {
      // Act
      const result = await createOfflineCandidateSource().generate(
        request(problem({ error: 'it prints the wrong total' })),
      );

      // Assess
      expect(result.candidates).toEqual([]);
      expect(result.notes.join(' ')).toMatch(/no Python exception line/);
    });

    it('proposes nothing for an error it does not repair, naming the error', async () => {
      // Prepare
      const error =
        'Traceback (most recent call last):\n  File "/srv/job/app.py", line 1, in <module>\n    int("x")\nValueError: invalid literal for int() with base 10: \'x\'\n';

      // Act
      const result = await createOfflineCandidateSource().generate(
        request(problem({ code: 'int("x")\n', error })),
      );

      // Assess
      expect(result.candidates).toEqual([]);
      expect(result.notes.join(' ')).toMatch(/ValueError on line 1: .* only repairs NameError/);
    });
  });

  it("reads the original program's own traceback when the client sent only the last line", async () => {
    // Prepare: the client sent only "ZeroDivisionError: …" (no line to guard); the original program's
    // run, fed back from round 1, has the whole traceback.
    const source = createOfflineCandidateSource();
    const bare = problem({ code: HALF_FIXED, error: 'ZeroDivisionError: division by zero' });
    const baseline = failed(0, HALF_FIXED, HALF_FIXED_ERROR);

    // Act
    const first = await source.generate(request(bare, 1));
    const second = await source.generate(request(bare, 2, [baseline]));

    // Assess
    expect(first.candidates).toEqual([]);
    expect(second.candidates.length).toBeGreaterThan(0);
    expect(second.candidates[0]?.code).toContain('return sum(values) / len(values) if len(values) else 0');
  });
});
