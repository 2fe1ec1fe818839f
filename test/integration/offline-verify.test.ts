import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CandidateFeedback, CandidateProposal, FixProblem } from '../../shared/domain/types.js';
import { createOfflineCandidateSource } from '../../shared/kinds/fix/offline/index.js';
import type { GenerateRequest } from '../../shared/ports/candidate-source.js';

// The honest proof: real Python produces the traceback, the provider proposes candidates, and
// real Python runs them.
const PYTHON = '/usr/bin/python3';
const FIXTURES = join(import.meta.dirname, '../fixtures/offline');

interface Run {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

let workDir: string;

function run(filename: string, code: string, stdin?: string): Run {
  const path = join(workDir, filename);
  writeFileSync(path, code);
  const result = spawnSync(PYTHON, [path], {
    cwd: workDir,
    input: stdin ?? '',
    encoding: 'utf8',
    timeout: 10_000,
    env: { PATH: '/usr/bin:/bin', PYTHONDONTWRITEBYTECODE: '1' },
  });
  return { exitCode: result.status, stdout: result.stdout, stderr: result.stderr };
}

function fixture(name: string) {
  const read = (ext: string) => {
    const path = join(FIXTURES, `${name}${ext}`);
    return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  };
  return { code: read('.py') as string, expected: read('.expected'), stdin: read('.stdin') };
}

function request(problem: FixProblem, round = 1, feedback: CandidateFeedback[] = []): GenerateRequest {
  return { sessionId: 's-offline', round, problem, feedback, progress: async () => {} };
}

const source = createOfflineCandidateSource();

const fixable = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.py') && existsSync(join(FIXTURES, f.replace(/\.py$/, '.expected'))))
  .map((f) => f.replace(/\.py$/, ''))
  .filter((name) => name !== 'two_errors')
  .sort();

beforeAll(() => {
  workDir = mkdtempSync(join(tmpdir(), 'offline-verify-'));
});

afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});

describe('Offline provider against real Python', () => {
  it('has a fixture for every strategy', () => {
    const prefixes = [
      'name_',
      'missing_import_',
      'attribute_',
      'zero_division_',
      'index_',
      'key_error_',
      'concat_',
      'syntax_',
    ];
    for (const prefix of prefixes) expect(fixable.some((name) => name.startsWith(prefix))).toBe(true);
    expect(fixable.length).toBeGreaterThanOrEqual(12);
  });

  it.each(fixable)('%s: a candidate runs clean and prints the expected output', async (name) => {
    // Prepare
    const { code, expected, stdin } = fixture(name);
    const filename = `${name}.py`;
    const baseline = run(filename, code, stdin);
    expect(baseline.exitCode).not.toBe(0);

    // Act
    const generated = await source.generate(
      request({ code, filename, error: baseline.stderr, maxRounds: 2 }),
    );

    // Assess
    expect(generated.reproduction).toBeNull();
    expect(generated.calls).toEqual([]);
    expect(generated.candidates.length).toBeGreaterThan(0);
    expect(generated.candidates.length).toBeLessThanOrEqual(3);
    const results = generated.candidates.map((c) => ({ candidate: c, result: run(filename, c.code, stdin) }));
    const winners = results.filter((r) => r.result.exitCode === 0 && r.result.stdout === expected);
    expect(
      winners.length,
      `no candidate printed the expected output:\n${results
        .map(
          (r) =>
            `--- ${r.candidate.title}\n${r.candidate.code}\n>>> exit ${r.result.exitCode}\n${r.result.stdout}${r.result.stderr}`,
        )
        .join('\n')}`,
    ).toBeGreaterThan(0);
    for (const candidate of generated.candidates) {
      expect(candidate.source).toBe('offline');
      expect(candidate.title).toBeTruthy();
      expect(candidate.rationale).toBeTruthy();
      expect(candidate.code).not.toBe(code);
    }
  });

  it('fixes a second error on round 2 by building on the candidate that got past the first', async () => {
    // Prepare
    const { code, expected } = fixture('two_errors');
    const filename = 'two_errors.py';
    const baseline = run(filename, code);
    const problem: FixProblem = { code, filename, error: baseline.stderr, maxRounds: 3 };

    // Act: round 1 fixes the NameError, which uncovers a ZeroDivisionError.
    const first = await source.generate(request(problem));
    const firstRuns = first.candidates.map((c) => run(filename, c.code));
    const feedback: CandidateFeedback[] = first.candidates.map((c: CandidateProposal, i) => ({
      index: i + 1,
      code: c.code,
      status: firstRuns[i]?.exitCode === 0 ? 'passed' : 'failed',
      exitCode: firstRuns[i]?.exitCode ?? null,
      stderrTail: firstRuns[i]?.stderr ?? '',
      stdoutTail: firstRuns[i]?.stdout ?? '',
    }));
    const second = await source.generate(request(problem, 2, feedback));
    const secondRuns = second.candidates.map((c) => run(filename, c.code));

    // Assess
    expect(firstRuns.some((r) => r.exitCode === 0 && r.stdout === expected)).toBe(false);
    expect(firstRuns.some((r) => r.stderr.includes('ZeroDivisionError'))).toBe(true);
    expect(secondRuns.some((r) => r.exitCode === 0 && r.stdout === expected)).toBe(true);
    for (const c of second.candidates) expect(feedback.map((f) => f.code)).not.toContain(c.code);
  });

  it('proposes nothing for a logic bug that raises no error, and says why', async () => {
    // Prepare
    const { code } = fixture('logic_bug');
    const baseline = run('logic_bug.py', code);

    // Act
    const generated = await source.generate(request({ code, filename: 'logic_bug.py', maxRounds: 1 }));

    // Assess
    expect(baseline.exitCode).toBe(0);
    expect(generated.candidates).toEqual([]);
    expect(generated.notes.join(' ')).toMatch(/nothing to repair/);
  });

  it('proposes nothing when the harness fails on an assertion, and names the error', async () => {
    // Prepare
    const { code } = fixture('logic_bug');
    const test = 'from logic_bug import is_even\nassert is_even(4), "4 is even"\n';
    writeFileSync(join(workDir, 'logic_bug.py'), code);
    const harness = run('reproduce_issue.py', test);

    // Act
    const generated = await source.generate(
      request({ code, filename: 'logic_bug.py', test, error: harness.stderr, maxRounds: 1 }),
    );

    // Assess
    expect(harness.stderr).toContain('AssertionError');
    expect(generated.candidates).toEqual([]);
    expect(generated.notes.join(' ')).toMatch(/AssertionError.*only repairs/);
  });
});
