import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEAK_EVIDENCE_NOTE } from '../../shared/kinds/fix/use-cases/prepare-round.js';
import {
  postFix,
  type StackFixture,
  startStackFixture,
  waitForResult,
} from '../support/local-stack-fixture.js';
import { meanFixed, meanProgram, meanTest } from '../support/mean-program.js';

let fixture: StackFixture;

beforeAll(async () => {
  fixture = await startStackFixture();
});

afterAll(async () => {
  await fixture?.stop();
});

const program = meanProgram;
const fixed = meanFixed;
const test = meanTest;

describe('HTTP API on the local stack', () => {
  it('reports health', async () => {
    const response = await fetch(`${fixture.stack.httpUrl}/health`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      status: string;
      providers: Record<string, boolean>;
      sandbox: string;
    };
    expect(body.status).toBe('ok');
    expect(body.providers.offline).toBe(true);
    expect(body.sandbox).toBe(fixture.stack.containment);
  });

  it.each([
    ['malformed JSON', '{"code":', 'body'],
    ['a missing code', { filename: 'a.py' }, 'code'],
    ['a mistyped maxRounds', { code: 'x', maxRounds: 'two' }, 'maxRounds'],
    ['code over 1 MiB', { code: 'x'.repeat(1024 * 1024 + 1) }, 'code'],
    ['too many candidates', { code: 'x', candidates: Array.from({ length: 9 }, () => 'y') }, 'candidates'],
  ])('answers 400 naming the field for %s', async (_what, body, field) => {
    const { status, json } = await postFix(fixture.stack, body);
    expect(status).toBe(400);
    expect(json.field).toBe(field);
    expect(typeof json.error).toBe('string');
  });

  it('answers 404 for an unknown session and an unknown route', async () => {
    expect((await fetch(`${fixture.stack.httpUrl}/v1/fixes/nope`)).status).toBe(404);
    expect((await fetch(`${fixture.stack.httpUrl}/v2/whatever`)).status).toBe(404);
    // Ids that could never be ours: malformed escapes, oversized keys, odd characters.
    for (const id of ['%E0%A4%A', 'x'.repeat(3000), 'a%2Fb', 'semi;colon']) {
      const response = await fetch(`${fixture.stack.httpUrl}/v1/fixes/${id}`);
      expect(response.status, id).toBe(404);
      expect(await response.json()).toEqual({ error: 'no such session' });
    }
  });

  it('verify mode: [buggy, fixed] → verified, the fixed one wins and the buggy one fails', async () => {
    const { status, json } = await postFix(fixture.stack, {
      code: program,
      test,
      candidates: [program, fixed],
    });
    expect(status).toBe(202);
    expect(json.status).toBe('queued');
    const view = await waitForResult(fixture.stack, String(json.sessionId));
    expect(view.status).toBe('verified');
    expect(view.baseline?.status).toBe('failed');
    expect(view.baseline?.stderr).toContain('AssertionError');
    expect(view.candidates.map((c) => [c.index, c.source, c.status])).toEqual([
      [1, 'client', 'failed'],
      [2, 'client', 'passed'],
    ]);
    expect(view.winner?.index).toBe(2);
    expect(view.winner?.diff).toContain('-    return sum(values) / len(values) + 1');
    expect(view.winner?.diff).toContain('+    return sum(values) / len(values)');
    expect(view.candidates[0]?.diff).toBe('');
    expect(view.harness).toEqual({ kind: 'test', origin: 'client' });
  });

  it('verify mode: a program that uses eval is verified with a fix that uses eval; a fix adding subprocess is blocked', async () => {
    // Prepare: the client's own program calls eval, so its fixes may; nothing else is let in
    const original = 'def total(expression):\n    return eval(expression) + 1\n';
    const withEval = original.replace(' + 1', '');
    const addsSubprocess = `import subprocess\n${withEval}`;
    const evalTest = 'from program import total\n\nassert total("2 * 3") == 6\n';
    // Act
    const { json } = await postFix(fixture.stack, {
      code: original,
      test: evalTest,
      candidates: [addsSubprocess, withEval],
    });
    const view = await waitForResult(fixture.stack, String(json.sessionId));
    // Assess
    expect(view.status).toBe('verified');
    expect(view.baseline).toMatchObject({
      status: 'failed',
      allowed: ['eval (call): present in the original'],
    });
    expect(view.baseline?.stderr).toContain('AssertionError');
    const [blocked, passed] = view.candidates;
    expect(blocked).toMatchObject({ status: 'blocked' });
    expect(blocked?.reason).toMatch(/blocked-import at program\.py:1: import of subprocess/);
    expect(passed).toMatchObject({ status: 'passed', allowed: ['eval (call): present in the original'] });
    expect(view.winner?.index).toBe(passed?.index);
  });

  it('verify mode: a buggy variant fails and the fixed one wins', async () => {
    const buggyVariant = program.replace(' + 1', ' - 1');
    const { json } = await postFix(fixture.stack, { code: program, test, candidates: [buggyVariant, fixed] });
    const view = await waitForResult(fixture.stack, String(json.sessionId));
    expect(view.status).toBe('verified');
    const [first, second] = view.candidates;
    expect(first?.status).toBe('failed');
    expect(first?.exitCode).not.toBe(0);
    expect(second?.status).toBe('passed');
    expect(view.winner?.index).toBe(second?.index);
  });

  it('a candidate that never ends times out within its limit while the others complete', async () => {
    const forever = 'import time\nwhile True:\n    time.sleep(0.1)\n';
    const started = Date.now();
    const { json } = await postFix(fixture.stack, { code: program, test, candidates: [forever, fixed] });
    const view = await waitForResult(fixture.stack, String(json.sessionId));
    const elapsed = Date.now() - started;
    expect(view.status).toBe('verified');
    const timedOut = view.candidates.find((c) => c.code === forever);
    expect(timedOut?.status).toBe('timeout');
    expect(timedOut?.durationMs).toBeGreaterThanOrEqual(3900);
    expect(timedOut?.durationMs).toBeLessThan(4000 + 2000);
    expect(view.candidates.find((c) => c.code === fixed)?.status).toBe('passed');
    expect(elapsed).toBeLessThan(30_000);
  });

  it('a NameError with no candidates is fixed by the offline provider and verified', async () => {
    const code =
      'def greet(name):\n    message = "Hello, " + name\n    return mesage\n\n\nprint(greet("Ada"))\n';
    const error = [
      'Traceback (most recent call last):',
      '  File "program.py", line 6, in <module>',
      '    print(greet("Ada"))',
      '  File "program.py", line 3, in greet',
      '    return mesage',
      "NameError: name 'mesage' is not defined. Did you mean: 'message'?",
    ].join('\n');
    const { json } = await postFix(fixture.stack, { code, error });
    const view = await waitForResult(fixture.stack, String(json.sessionId));
    expect(view.status).toBe('verified');
    const winner = view.candidates.find((c) => c.index === view.winner?.index);
    expect(winner?.source).toBe('offline');
    expect(winner?.stdout).toBe('Hello, Ada\n');
    expect(view.harness).toEqual({ kind: 'runs', origin: 'default' });
    expect(view.notes).toContain(WEAK_EVIDENCE_NOTE);
  });

  it('with only the last line of an error, round 2 works from the original run’s own traceback', async () => {
    const code = 'def ratio(a, b):\n    return a / b\n\n\nprint(ratio(4, 0))\n';
    const { json } = await postFix(fixture.stack, { code, error: 'ZeroDivisionError: division by zero' });
    const view = await waitForResult(fixture.stack, String(json.sessionId));
    expect(view.status).toBe('verified');
    expect(view.rounds).toBe(2);
    expect(view.candidates.find((c) => c.index === view.winner?.index)?.round).toBe(2);
  });

  it('says not_reproduced when the original program already passes the test', async () => {
    const { json } = await postFix(fixture.stack, {
      code: fixed,
      test,
      candidates: [fixed.replace('len', 'len')],
    });
    const view = await waitForResult(fixture.stack, String(json.sessionId));
    expect(view.status).toBe('not_reproduced');
    expect(view.winner).toBeNull();
    expect(view.baseline?.status).toBe('passed');
  });

  it('runs every round it is given and ends no_fix when nothing passes', async () => {
    // A logic bug with no error text: no template applies and no small edit passes (the divisor
    // must become len(values)), so both rounds end empty-handed, the repair search's included.
    const { json } = await postFix(fixture.stack, {
      code: 'def mean(values):\n    return sum(values) / 3\n',
      test: 'from program import mean\nassert mean([1, 2, 3]) == 2\nassert mean([10]) == 10\n',
      maxRounds: 2,
    });
    const view = await waitForResult(fixture.stack, String(json.sessionId));
    expect(view.status).toBe('no_fix');
    expect(view.rounds).toBe(2);
    expect(view.winner).toBeNull();
    expect(view.notes.some((note) => /^Repair search: \d+ edits tried .*none passed/.test(note))).toBe(true);
  });
});
