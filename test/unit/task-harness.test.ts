import { describe, expect, it } from 'vitest';
import type { ProviderCall } from '../../shared/domain/types.js';
import type { CheckCompiler } from '../../shared/kinds/task/site-source.js';
import {
  compileHarness,
  executableChecks,
  MAX_CHECK_JS_CHARS,
  MAX_HARNESS_JS_CHARS,
} from '../../shared/kinds/task/task-harness.js';
import type { TaskRequest } from '../../shared/kinds/task/task-request.js';
import type { SourceProgress } from '../../shared/ports/candidate-source.js';

/*
 * The harness over the CheckCompiler port: what the model chain does on the wire is
 * test/integration/site-chain.test.ts's; here, where each check's expression ends up.
 */

/** A compiler that answers scripted expressions and remembers what it was asked. */
class ScriptedCompiler implements CheckCompiler {
  readonly asked: string[][] = [];
  constructor(
    private readonly answer: (checks: readonly string[]) => Array<string | null>,
    private readonly notes: string[] = ['checks compiled by scripted'],
    private readonly calls: ProviderCall[] = [],
  ) {}
  async compile(input: { brief: string; checks: readonly string[] }) {
    this.asked.push([...input.checks]);
    return { js: this.answer(input.checks), notes: this.notes, calls: this.calls };
  }
}

const progress = async (_event: SourceProgress) => {};

function task(checks: string[]): TaskRequest {
  return {
    email: 'student@example.com',
    task: 'harness',
    round: 1,
    nonce: 'n',
    brief: '- data.json: the data\n- index.html: the page\n',
    checks,
    evaluationUrl: 'https://evaluator.example/notify',
    attachments: [],
  };
}

describe('Function: compileHarness', () => {
  it('keeps `js:` and rule checks, sends the rest to the compiler in order, and puts answers back in place', async () => {
    // Prepare
    const checks = [
      'The page has a level-one heading',
      'js: document.title === "T"',
      'data.json is valid JSON',
      'The total shows 25000000',
      'The design is pleasing',
    ];
    const call: ProviderCall = { provider: 'scripted', purpose: 'compile-checks', ok: true, latencyMs: 5 };
    const compiler = new ScriptedCompiler(
      () => [
        'document.querySelectorAll("h1").length >= 1',
        '  document.body.textContent.includes("25000000")  ',
        null,
      ],
      ['checks compiled by scripted'],
      [call],
    );

    // Act
    const { harness, notes, calls } = await compileHarness(task(checks), compiler, progress);

    // Assess
    expect(compiler.asked).toEqual([
      ['The page has a level-one heading', 'The total shows 25000000', 'The design is pleasing'],
    ]);
    expect(harness.checks.map(({ text, how }) => [text, how])).toEqual([
      [checks[0], 'model'],
      [checks[1], 'given'],
      [checks[2], 'rule'],
      [checks[3], 'model'],
      [checks[4], 'none'],
    ]);
    expect(harness.checks[0]?.js).toBe('document.querySelectorAll("h1").length >= 1');
    expect(harness.checks[1]?.js).toBe('document.title === "T"');
    expect(harness.checks[3]?.js).toBe('document.body.textContent.includes("25000000")');
    expect(harness.checks[4]).toEqual({
      text: checks[4],
      how: 'none',
      js: null,
      why: 'no rule recognizes it and no model could make it executable',
    });
    expect(notes).toEqual(['checks compiled by scripted']);
    expect(calls).toEqual([call]);
  });

  it('asks no model when every check is given or recognized', async () => {
    // Prepare
    const compiler = new ScriptedCompiler(() => {
      throw new Error('not to be asked');
    });

    // Act
    const { harness, notes, calls } = await compileHarness(
      task(['js: true', 'data.json is valid JSON']),
      compiler,
      progress,
    );

    // Assess
    expect(compiler.asked).toEqual([]);
    expect(harness.checks.map((check) => check.how)).toEqual(['given', 'rule']);
    expect(notes).toEqual([]);
    expect(calls).toEqual([]);
  });

  it('leaves every pending check unverified, with why, when the compiler answers nulls or blanks', async () => {
    // Prepare: what the chain answers without a model, and a blank expression.
    const compiler = new ScriptedCompiler(
      (checks) => checks.map((_, i) => (i === 0 ? '   ' : null)),
      ['no model compiled the remaining checks: they stay unverified'],
    );

    // Act
    const { harness, notes } = await compileHarness(task(['A', 'B', 'js: true']), compiler, progress);

    // Assess
    expect(harness.checks.map(({ how, js }) => [how, js])).toEqual([
      ['none', null],
      ['none', null],
      ['given', 'true'],
    ]);
    expect(harness.checks[0]?.why).toBe('no rule recognizes it and no model could make it executable');
    expect(notes).toEqual(['no model compiled the remaining checks: they stay unverified']);
  });

  it('makes a too-long expression unverified and says why; one at the limit is kept', async () => {
    // Prepare
    const tooLong = `true${' '.repeat(MAX_CHECK_JS_CHARS - 3)}`;
    const compiler = new ScriptedCompiler(() => ['true']);

    // Act
    const { harness } = await compileHarness(
      task([`js: ${tooLong}1`, `js: ${'1'.repeat(MAX_CHECK_JS_CHARS)}`, 'model check']),
      compiler,
      progress,
    );

    // Assess
    expect(harness.checks[0]).toMatchObject({
      how: 'given',
      js: null,
      why: `its expression is too long to hand to the sandbox (${MAX_CHECK_JS_CHARS + 2} characters)`,
    });
    expect(harness.checks[1]?.js).toHaveLength(MAX_CHECK_JS_CHARS);
    expect(harness.checks[2]).toMatchObject({ how: 'model', js: 'true' });
    expect(executableChecks(harness).map((check) => check.id)).toEqual(['1', '2']);
  });

  it('keeps the whole harness within what the sandbox is handed, counting only the expressions it keeps', async () => {
    // Prepare: 12 expressions at the per-check limit fill 48 000 of the 49 152 characters; the 13th
    // would overflow; a short one after it still fits, since the 13th is not handed over.
    const full = (n: number) => {
      const head = `${n} === ${n} || "`;
      return `${head}${'x'.repeat(MAX_CHECK_JS_CHARS - head.length - 1)}"`;
    };
    const big = Array.from({ length: 13 }, (_, i) => `js: ${full(i)}`);
    const oversize = `js: ${'2'.repeat(MAX_CHECK_JS_CHARS + 1)}`;

    // Act
    const { harness } = await compileHarness(
      task([oversize, ...big, 'js: document.title === "T"']),
      new ScriptedCompiler(() => []),
      progress,
    );

    // Assess
    const kept = harness.checks.filter((check) => check.js !== null);
    expect(kept.reduce((total, check) => total + (check.js?.length ?? 0), 0)).toBeLessThanOrEqual(
      MAX_HARNESS_JS_CHARS,
    );
    expect(harness.checks[0]?.why).toMatch(/too long to hand to the sandbox \(4001 characters\)/);
    expect(harness.checks.slice(1, 13).every((check) => check.js !== null)).toBe(true);
    expect(harness.checks[13]).toMatchObject({ js: null, why: expect.stringMatching(/sandbox/) });
    expect(harness.checks[13]?.why).not.toContain(`(${MAX_CHECK_JS_CHARS} characters)`);
    expect(harness.checks[14]).toMatchObject({ how: 'given', js: 'document.title === "T"' });
    expect(harness.checks[14]?.why).toBeUndefined();
  });
});

describe('Function: executableChecks', () => {
  it('lists the checks with an expression, by their index in the evaluator’s list', () => {
    expect(
      executableChecks({
        checks: [
          { text: 'a', how: 'given', js: 'true' },
          { text: 'b', how: 'none', js: null, why: 'x' },
          { text: 'c', how: 'rule', js: 'false' },
        ],
      }),
    ).toEqual([
      { id: '0', js: 'true' },
      { id: '2', js: 'false' },
    ]);
  });
});
