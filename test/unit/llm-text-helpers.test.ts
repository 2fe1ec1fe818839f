import { describe, expect, it } from 'vitest';
import { normalizeCode, toProposals, toReproduction } from '../../shared/adapters/llm/candidates.js';
import { stripFences } from '../../shared/adapters/llm/fences.js';
import { parseRetryAfter, parseRetryDelayFromBody } from '../../shared/adapters/llm/retry-after.js';
import { createScrubber } from '../../shared/adapters/llm/scrub.js';

describe('Function: stripFences', () => {
  it('removes a fence around the whole text, with or without a language', () => {
    expect(stripFences('```python\nprint(1)\n```')).toBe('print(1)\n');
    expect(stripFences('  ```\nprint(1)\nprint(2)\n```  \n')).toBe('print(1)\nprint(2)\n');
    expect(stripFences('```json\n{"a": 1}\n```')).toBe('{"a": 1}\n');
  });

  it('leaves fences inside a program alone', () => {
    const program = 'DOC = """\n```python\nx = 1\n```\n"""\nprint(DOC)\n';
    expect(stripFences(program)).toBe(program);
  });

  it('leaves unfenced text alone', () => {
    expect(stripFences('print(1)\n')).toBe('print(1)\n');
  });
});

describe('Function: toProposals', () => {
  const original = 'x = 1\nprint(x)\n';

  it('drops candidates equal to the original or to each other, ignoring line endings and trailing spaces', () => {
    // Act
    const { proposals, duplicates } = toProposals(
      [
        { title: 'same', code: 'x = 1  \r\nprint(x)\r\n', rationale: '' },
        { title: 'a', code: '```python\nx = 2\nprint(x)\n```', rationale: 'two' },
        { title: 'a again', code: 'x = 2\nprint(x)', rationale: '' },
        { title: '', code: 'x = 3\nprint(x)', rationale: '' },
      ],
      original,
      'gemini',
    );

    // Assess
    expect(duplicates).toBe(2);
    expect(proposals).toEqual([
      { code: 'x = 2\nprint(x)\n', source: 'gemini', title: 'a', rationale: 'two' },
      { code: 'x = 3\nprint(x)\n', source: 'gemini', title: 'Candidate 2' },
    ]);
  });

  it('keeps at most three', () => {
    const many = [1, 2, 3, 4, 5].map((n) => ({ title: `t${n}`, code: `print(${n})`, rationale: '' }));
    expect(toProposals(many, original, 'deepseek').proposals).toHaveLength(3);
  });

  it('normalizes code for comparison only', () => {
    expect(normalizeCode('a  \r\nb\t\n\n')).toBe('a\nb');
  });
});

describe('Function: toReproduction', () => {
  it('unfences, and turns an empty script into null', () => {
    expect(toReproduction('```python\nimport app\n```')).toBe('import app\n');
    expect(toReproduction('  \n')).toBeNull();
    expect(toReproduction(null)).toBeNull();
  });
});

describe('Function: parseRetryAfter', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');

  it('reads seconds, milliseconds and HTTP dates', () => {
    expect(parseRetryAfter({ retryAfter: '3' }, now)).toBe(3_000);
    expect(parseRetryAfter({ retryAfter: '0.5' }, now)).toBe(500);
    expect(parseRetryAfter({ retryAfterMs: '250', retryAfter: '9' }, now)).toBe(250);
    expect(parseRetryAfter({ retryAfter: 'Wed, 01 Jan 2025 00:00:07 GMT' }, now)).toBe(7_000);
  });

  it('never returns a negative wait, and ignores what it cannot read', () => {
    expect(parseRetryAfter({ retryAfter: 'Tue, 31 Dec 2024 23:59:00 GMT' }, now)).toBe(0);
    expect(parseRetryAfter({ retryAfter: 'soon' }, now)).toBeUndefined();
    expect(parseRetryAfter({ retryAfter: null }, now)).toBeUndefined();
    expect(parseRetryAfter({}, now)).toBeUndefined();
  });

  it('reads Gemini’s RetryInfo delay from an error body', () => {
    expect(parseRetryDelayFromBody('{"details":[{"retryDelay": "12s"}]}')).toBe(12_000);
    expect(parseRetryDelayFromBody('{"details":[{"retryDelay":"0.25s"}]}')).toBe(250);
    expect(parseRetryDelayFromBody('{"error":{}}')).toBeUndefined();
  });
});

describe('Function: createScrubber', () => {
  it('removes configured keys, auth headers, key query parameters and key-shaped tokens', () => {
    // Prepare
    const scrub = createScrubber(['my-configured-key-123', undefined, '']);

    // Act
    const out = scrub(
      [
        'failed with my-configured-key-123;',
        'Authorization: Bearer abcdef123456',
        'x-goog-api-key: AIzaSyA1234567890abcdefghijklmnop',
        'GET /v1beta/models?key=AIzaXYZ&alt=json',
        'token gsk_abcdefghijklmnopqrstuvwxyz012345',
        'and sk-abcdefghijklmnopqrstuvwx',
      ].join('\n'),
    );

    // Assess
    expect(out).not.toMatch(/my-configured-key-123|abcdef123456|AIza|gsk_abc|sk-abc/);
    expect(out).toContain('[redacted]');
    expect(out).toContain('alt=json');
  });

  it('keeps messages short and on one line', () => {
    const out = createScrubber([])(`a\n\nb ${'x'.repeat(1_000)}`);
    expect(out.startsWith('a b ')).toBe(true);
    expect(out.length).toBeLessThanOrEqual(300);
  });
});
