import { describe, expect, it } from 'vitest';
import {
  CATEGORIZE_PROMPT_VERSION,
  CATEGORIZE_SYSTEM_PROMPT,
  renderCategorizePrompt,
} from '../../shared/prompts/categorize.v1.js';
import {
  GENERATE_FIX_PROMPT_VERSION,
  GENERATE_FIX_SYSTEM_PROMPT,
  renderGenerateFixPrompt,
} from '../../shared/prompts/generate-fix.v1.js';

const base = { filename: 'report.py', code: 'print(totl)\n', round: 1, feedback: [] };

describe('Prompt: generate-fix.v1', () => {
  it('is versioned and asks for JSON (DeepSeek’s JSON mode requires the word)', () => {
    expect(GENERATE_FIX_PROMPT_VERSION).toBe('generate-fix.v1');
    expect(GENERATE_FIX_SYSTEM_PROMPT).toContain('JSON');
    expect(GENERATE_FIX_SYSTEM_PROMPT).toContain('exit with a non-zero status while the bug is present');
  });

  it('tells the model where the program is saved and to import or run it', () => {
    const text = renderGenerateFixPrompt({ ...base, error: "NameError: name 'totl' is not defined" });
    expect(text).toContain('saved as report.py (module name report)');
    expect(text).toContain('importing or running report.py');
    expect(text).toContain("NameError: name 'totl' is not defined");
    expect(text).toContain('<program filename="report.py">\nprint(totl)\n');
  });

  it('asks for a null reproduction when the client gave a test', () => {
    const text = renderGenerateFixPrompt({ ...base, test: 'import report\n' });
    expect(text).toContain('set "reproduction" to null');
    expect(text).toContain('<test>\nimport report\n');
  });

  it('says so when there is no error output', () => {
    expect(renderGenerateFixPrompt(base)).toContain('The client reported no error output');
  });

  it('renders the previous round’s failures, clipped', () => {
    const text = renderGenerateFixPrompt({
      ...base,
      round: 2,
      category: { kind: 'runtime', summary: 'typo in a name' },
      feedback: [
        {
          index: 1,
          code: 'x'.repeat(10_000),
          status: 'timeout',
          exitCode: null,
          stderrTail: '',
          stdoutTail: 'partial',
        },
      ],
    });
    expect(text).toContain('round 2');
    expect(text).toContain('runtime problem: typo in a name');
    expect(text).toContain('<previous_attempt index="1" verdict="timeout" exit_code="none">');
    expect(text).toContain('stderr (end):\n(empty)');
    expect(text).toContain('stdout (end):\npartial');
    expect(text).toContain('# … (truncated)');
    expect(text.length).toBeLessThan(8_000);
    expect(text).not.toContain('why:');
  });

  it('says why a run failed when the sandbox gave a reason', () => {
    const text = renderGenerateFixPrompt({
      ...base,
      round: 2,
      feedback: [
        {
          index: 2,
          code: 'import sys\nsys.exit(0)\n',
          status: 'failed',
          exitCode: 0,
          stderrTail: '',
          stdoutTail: '',
          reason: 'the program ended the process before the harness finished',
        },
      ],
    });
    expect(text).toContain(
      '<previous_attempt index="2" verdict="failed" exit_code="0">\nwhy: the program ended the process before the harness finished\n',
    );
  });
});

describe('Prompt: categorize.v1', () => {
  it('is versioned, names the five kinds and asks for JSON', () => {
    expect(CATEGORIZE_PROMPT_VERSION).toBe('categorize.v1');
    for (const kind of ['syntax', 'import', 'environment', 'runtime', 'logic']) {
      expect(CATEGORIZE_SYSTEM_PROMPT).toContain(`${kind}:`);
    }
    expect(CATEGORIZE_SYSTEM_PROMPT).toContain('JSON');
  });

  it('keeps the end of a long traceback', () => {
    const error = `${'frame\n'.repeat(2_000)}KeyError: 'x'`;
    const text = renderCategorizePrompt({ filename: 'a.py', code: 'x', error });
    expect(text).toContain("KeyError: 'x'");
    expect(text).toContain('(truncated)');
  });
});
