import { Logger } from '@aws-lambda-powertools/logger';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCandidateSourceChain, describeProviders } from '../../shared/adapters/llm/index.js';
import { readLlmConfig } from '../../shared/config/llm-config.js';
import type { FixProblem } from '../../shared/domain/types.js';
import type { GenerateRequest, SourceProgress } from '../../shared/ports/candidate-source.js';
import {
  chatAnswer,
  chatError,
  DEEPSEEK_ROUTE,
  GROQ_ROUTE,
} from '../support/llm-fakes/chat-completions-api.js';
import { FakeProviderServer } from '../support/llm-fakes/fake-provider-server.js';
import { GEMINI_ROUTE, geminiAnswer, geminiError } from '../support/llm-fakes/gemini-api.js';
import { OfflineDouble } from '../support/llm-fakes/offline-double.js';

const KEYS = {
  gemini: 'gemini-key-AAAA1111secret',
  groq: 'groq-key-BBBB2222secret',
  deepseek: 'deepseek-key-CCCC3333secret',
};

const ORIGINAL = 'def add(a, b):\n    return a - b\n\nprint(add(2, 3))\n';
const PROBLEM: FixProblem = {
  code: ORIGINAL,
  filename: 'calc.py',
  error: 'Traceback (most recent call last):\n  File "calc.py", line 4\nAssertionError: expected 5, got -1',
  maxRounds: 3,
};

const FIX = {
  reproduction: '```python\nimport calc\nassert calc.add(2, 3) == 5\n```',
  candidates: [
    {
      title: 'Use addition',
      code: 'def add(a, b):\n    return a + b\n\nprint(add(2, 3))\n',
      rationale: 'a - b was a typo',
    },
    {
      title: 'Sum builtin',
      code: '```python\ndef add(a, b):\n    return sum((a, b))\n\nprint(add(2, 3))\n```',
      rationale: 'sum adds',
    },
    {
      title: 'Operator module',
      code: 'import operator\n\ndef add(a, b):\n    return operator.add(a, b)\n\nprint(add(2, 3))\n',
      rationale: 'operator.add adds',
    },
  ],
};

const DEEPSEEK_FIX = {
  reproduction: 'import calc\nassert calc.add(1, 1) == 2\n',
  candidates: [
    {
      title: 'Plus',
      code: 'def add(a, b):\n    return b + a\n\nprint(add(2, 3))\n',
      rationale: 'commutative',
    },
  ],
};

let gemini: FakeProviderServer;
let groq: FakeProviderServer;
let deepseek: FakeProviderServer;
let logger: Logger;
let offline: OfflineDouble;

function config(env: Record<string, string | undefined> = {}) {
  return readLlmConfig({
    GEMINI_API_KEY: KEYS.gemini,
    GROQ_API_KEY: KEYS.groq,
    DEEPSEEK_API_KEY: KEYS.deepseek,
    GEMINI_MODEL: 'gemini-test',
    GROQ_MODEL: 'groq-test',
    DEEPSEEK_MODEL: 'deepseek-test',
    GEMINI_BASE_URL: gemini.url,
    GROQ_BASE_URL: groq.url,
    DEEPSEEK_BASE_URL: deepseek.url,
    LLM_CALL_TIMEOUT_MS: '1500',
    LLM_CATEGORIZE_TIMEOUT_MS: '1500',
    LLM_MAX_RETRIES: '2',
    LLM_SESSION_BUDGET_MS: '10000',
    LLM_RETRY_BASE_DELAY_MS: '5',
    LLM_RETRY_MAX_DELAY_MS: '20',
    LLM_RETRY_AFTER_CAP_MS: '3000',
    ...env,
  });
}

function makeRequest(problem: Partial<FixProblem> = {}, extra: Partial<GenerateRequest> = {}) {
  const progress: SourceProgress[] = [];
  const request: GenerateRequest = {
    sessionId: 'session-1',
    round: 1,
    problem: { ...PROBLEM, ...problem },
    feedback: [],
    progress: async (event) => {
      progress.push(event);
    },
    ...extra,
  };
  return { request, progress };
}

function chain(env: Record<string, string | undefined> = {}) {
  return createCandidateSourceChain(config(env), { offline, logger });
}

/** Everything a caller can see of a result, plus everything logged, as one string to search for keys. */
function visible(result: unknown, warn: ReturnType<typeof vi.spyOn>): string {
  return JSON.stringify(result) + JSON.stringify(warn.mock.calls);
}

beforeAll(async () => {
  [gemini, groq, deepseek] = await Promise.all([
    FakeProviderServer.start(GEMINI_ROUTE),
    FakeProviderServer.start(GROQ_ROUTE),
    FakeProviderServer.start(DEEPSEEK_ROUTE),
  ]);
});

afterAll(async () => {
  await Promise.all([gemini.close(), groq.close(), deepseek.close()]);
});

beforeEach(() => {
  logger = new Logger({ serviceName: 'llm-chain-test', logLevel: 'SILENT' });
  offline = new OfflineDouble();
  groq.always(
    chatAnswer({ kind: 'logic', summary: 'add() subtracts instead of adding' }, { input: 40, output: 12 }),
  );
});

afterEach(() => {
  for (const fake of [gemini, groq, deepseek]) fake.reset();
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

describe('Function: createCandidateSourceChain', () => {
  describe('when gemini answers', () => {
    it('returns its candidates with source gemini, usage recorded, and the key only in the header', async () => {
      // Prepare
      gemini.enqueue(geminiAnswer(FIX, { input: 321, output: 654, thoughts: 100 }));
      const warn = vi.spyOn(logger, 'warn');
      const { request, progress } = makeRequest();

      // Act
      const result = await chain().generate(request);

      // Assess
      expect(result.candidates).toHaveLength(3);
      expect(result.candidates.map((c) => c.source)).toEqual(['gemini', 'gemini', 'gemini']);
      expect(result.candidates[1]?.code).toBe('def add(a, b):\n    return sum((a, b))\n\nprint(add(2, 3))\n');
      expect(result.candidates[0]?.title).toBe('Use addition');
      expect(result.reproduction).toBe('import calc\nassert calc.add(2, 3) == 5\n');
      expect(result.category).toEqual({
        kind: 'logic',
        summary: 'add() subtracts instead of adding',
        by: 'groq',
      });
      expect(result.notes[0]).toBe('served by gemini');
      expect(result.calls).toEqual([
        expect.objectContaining({
          provider: 'groq',
          model: 'groq-test',
          purpose: 'categorize',
          ok: true,
          inputTokens: 40,
          outputTokens: 12,
        }),
        expect.objectContaining({
          provider: 'gemini',
          model: 'gemini-test',
          purpose: 'generate',
          ok: true,
          inputTokens: 321,
          outputTokens: 754,
        }),
      ]);
      expect(result.calls.every((call) => call.latencyMs >= 0)).toBe(true);

      expect(gemini.requests).toHaveLength(1);
      const sent = gemini.requests[0];
      expect(sent?.path).toBe('/v1beta/models/gemini-test:generateContent');
      expect(sent?.headers['x-goog-api-key']).toBe(KEYS.gemini);
      const body = JSON.parse(sent?.body ?? '{}');
      expect(JSON.stringify(body.contents)).toContain(JSON.stringify(ORIGINAL).slice(1, -1));
      expect(body.contents[0].parts[0].text).toContain('saved as calc.py');
      expect(body.generationConfig.responseMimeType).toBe('application/json');
      expect(body.generationConfig.responseJsonSchema.required).toEqual(['reproduction', 'candidates']);
      expect(body.systemInstruction.parts[0].text).toContain('reproduce_issue.py');
      for (const key of Object.values(KEYS)) expect(sent?.body).not.toContain(key);

      expect(groq.requests).toHaveLength(1);
      expect(groq.requests[0]?.headers.authorization).toBe(`Bearer ${KEYS.groq}`);
      expect(groq.requests[0]?.body).toContain('return a - b');
      expect(JSON.parse(groq.requests[0]?.body ?? '{}').response_format).toEqual({ type: 'json_object' });
      expect(deepseek.requests).toHaveLength(0);
      expect(offline.requests).toHaveLength(0);

      expect(progress).toEqual([
        expect.objectContaining({ stage: 'categorizing', provider: 'groq', attempt: 1 }),
        expect.objectContaining({ stage: 'generating', provider: 'gemini', attempt: 1 }),
      ]);
      expect(warn).not.toHaveBeenCalled();
      for (const key of Object.values(KEYS)) expect(visible(result, warn)).not.toContain(key);
    });

    it('sends the previous round’s failures on round 2', async () => {
      // Prepare
      gemini.enqueue(geminiAnswer(FIX));
      const { request } = makeRequest(
        {},
        {
          round: 2,
          feedback: [
            {
              index: 2,
              code: 'def add(a, b):\n    return a * b\n',
              status: 'failed',
              exitCode: 1,
              stderrTail: 'AssertionError: 6 != 5',
              stdoutTail: '',
            },
          ],
        },
      );

      // Act
      await chain().generate(request);

      // Assess
      const text = JSON.parse(gemini.requests[0]?.body ?? '{}').contents[0].parts[0].text as string;
      expect(text).toContain('round 2');
      expect(text).toContain('AssertionError: 6 != 5');
      expect(text).toContain('return a * b');
    });

    it('asks for no reproduction and returns none when the client gave a test', async () => {
      // Prepare
      gemini.enqueue(geminiAnswer(FIX));
      const { request } = makeRequest({ test: 'import calc\nassert calc.add(2, 2) == 4\n' });

      // Act
      const result = await chain().generate(request);

      // Assess
      expect(result.reproduction).toBeNull();
      const text = JSON.parse(gemini.requests[0]?.body ?? '{}').contents[0].parts[0].text as string;
      expect(text).toContain('set "reproduction" to null');
      expect(text).toContain('assert calc.add(2, 2) == 4');
    });

    it('drops candidates identical to the original or to each other', async () => {
      // Prepare
      const first = FIX.candidates[0];
      gemini.enqueue(
        geminiAnswer({
          reproduction: null,
          candidates: [
            { title: 'same', code: `${ORIGINAL}\n\n`, rationale: '' },
            first,
            { ...first, code: first?.code.replace(/\n/g, '\r\n') },
          ],
        }),
      );

      // Act
      const result = await chain().generate(makeRequest().request);

      // Assess
      expect(result.candidates).toHaveLength(1);
      expect(result.candidates[0]?.code).toBe(first?.code);
      expect(result.reproduction).toBeNull();
      expect(result.notes).toContain(
        '2 gemini candidate(s) identical to the original or to another were dropped',
      );
    });
  });

  describe('when gemini fails', () => {
    it('retries a 500 twice, then falls back to deepseek and says so', async () => {
      // Prepare
      gemini.always(geminiError(500, 'internal error'));
      deepseek.enqueue(chatAnswer(DEEPSEEK_FIX, { input: 500, output: 80 }));
      const warn = vi.spyOn(logger, 'warn');
      const { request, progress } = makeRequest();

      // Act
      const result = await chain().generate(request);

      // Assess
      expect(gemini.requests).toHaveLength(3);
      expect(deepseek.requests).toHaveLength(1);
      expect(result.candidates).toEqual([expect.objectContaining({ source: 'deepseek', title: 'Plus' })]);
      expect(result.reproduction).toBe(DEEPSEEK_FIX.reproduction);
      expect(result.notes[0]).toBe('gemini failed: HTTP 500 after 3 attempts; served by deepseek');
      expect(result.calls.filter((c) => c.provider === 'gemini').map((c) => c.ok)).toEqual([
        false,
        false,
        false,
      ]);
      expect(result.calls.at(-1)).toEqual(
        expect.objectContaining({
          provider: 'deepseek',
          model: 'deepseek-test',
          ok: true,
          inputTokens: 500,
          outputTokens: 80,
        }),
      );
      expect(progress.filter((p) => p.stage === 'retrying')).toEqual([
        expect.objectContaining({ provider: 'gemini', attempt: 2 }),
        expect.objectContaining({ provider: 'gemini', attempt: 3 }),
      ]);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn).toHaveBeenCalledWith(
        'candidate provider failed',
        expect.objectContaining({ provider: 'gemini', reason: 'HTTP 500 after 3 attempts', attempts: 3 }),
      );

      const sent = deepseek.requests[0];
      expect(sent?.headers.authorization).toBe(`Bearer ${KEYS.deepseek}`);
      const body = JSON.parse(sent?.body ?? '{}');
      expect(body.model).toBe('deepseek-test');
      expect(body.response_format).toEqual({ type: 'json_object' });
      expect(body.messages[1].content).toContain('return a - b');
      for (const key of Object.values(KEYS)) expect(sent?.body).not.toContain(key);
    });

    it('waits out a 429 retry-after and then succeeds on gemini', async () => {
      // Prepare
      gemini.enqueue(geminiError(429, 'quota exceeded', { 'retry-after': '1' }), geminiAnswer(FIX));
      const { request, progress } = makeRequest();
      const started = Date.now();

      // Act
      const result = await chain().generate(request);

      // Assess
      expect(Date.now() - started).toBeGreaterThanOrEqual(950);
      expect(gemini.requests).toHaveLength(2);
      expect(result.notes[0]).toBe('served by gemini');
      expect(result.calls.filter((c) => c.provider === 'gemini').map((c) => c.ok)).toEqual([false, true]);
      expect(progress).toContainEqual(
        expect.objectContaining({
          stage: 'retrying',
          provider: 'gemini',
          attempt: 2,
          message: expect.stringContaining('retrying in 1 s'),
        }),
      );
      expect(deepseek.requests).toHaveLength(0);
    });

    it('honours the RetryInfo delay in a Gemini 429 body', async () => {
      // Prepare
      gemini.enqueue(
        {
          status: 429,
          body: {
            error: {
              code: 429,
              message: 'quota',
              status: 'RESOURCE_EXHAUSTED',
              details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '0.3s' }],
            },
          },
        },
        geminiAnswer(FIX),
      );
      const { request, progress } = makeRequest();

      // Act
      const result = await chain().generate(request);

      // Assess
      expect(result.notes[0]).toBe('served by gemini');
      expect(progress).toContainEqual(
        expect.objectContaining({ message: expect.stringContaining('retrying in 300 ms') }),
      );
    });

    it('honours retry-after-ms on a DeepSeek 429 (the openai SDK does not retry on its own)', async () => {
      // Prepare
      gemini.always(geminiError(500, 'down'));
      deepseek.enqueue(chatError(429, 'slow down', { 'retry-after-ms': '250' }), chatAnswer(DEEPSEEK_FIX));
      const { request, progress } = makeRequest();

      // Act
      const result = await chain({ LLM_MAX_RETRIES: '1' }).generate(request);

      // Assess
      expect(gemini.requests).toHaveLength(2);
      expect(deepseek.requests).toHaveLength(2);
      expect(result.notes[0]).toBe('gemini failed: HTTP 500 after 2 attempts; served by deepseek');
      expect(progress).toContainEqual(
        expect.objectContaining({
          provider: 'deepseek',
          attempt: 2,
          message: expect.stringContaining('retrying in 250 ms'),
        }),
      );
    });

    it('makes exactly one attempt per provider when retries are off', async () => {
      // Prepare
      gemini.always(geminiError(503, 'down'));
      deepseek.always(chatError(502, 'bad gateway'));

      // Act
      const result = await chain({ LLM_MAX_RETRIES: '0' }).generate(makeRequest().request);

      // Assess
      expect(gemini.requests).toHaveLength(1);
      expect(deepseek.requests).toHaveLength(1);
      expect(result.notes[0]).toBe('gemini failed: HTTP 503; deepseek failed: HTTP 502; served by offline');
    });

    it('gives up at once on a retry-after longer than the cap', async () => {
      // Prepare
      gemini.enqueue(geminiError(429, 'quota exceeded', { 'retry-after': '120' }));
      deepseek.enqueue(chatAnswer(DEEPSEEK_FIX));

      // Act
      const result = await chain().generate(makeRequest().request);

      // Assess
      expect(gemini.requests).toHaveLength(1);
      expect(result.notes[0]).toBe(
        'gemini failed: rate-limited (HTTP 429); asked to wait 120 s, more than the 3 s allowed; served by deepseek',
      );
    });

    it('abandons an attempt that never answers and falls back without retrying it', async () => {
      // Prepare
      gemini.always({ hang: true });
      deepseek.enqueue(chatAnswer(DEEPSEEK_FIX));
      const started = Date.now();

      // Act
      const result = await chain({ LLM_CALL_TIMEOUT_MS: '300' }).generate(makeRequest().request);

      // Assess
      expect(Date.now() - started).toBeLessThan(1_500);
      expect(gemini.requests).toHaveLength(1);
      expect(result.notes[0]).toBe('gemini failed: timed out (no answer within 300 ms); served by deepseek');
      expect(result.calls.find((c) => c.provider === 'gemini')).toEqual(
        expect.objectContaining({ ok: false, error: 'no answer within 300 ms' }),
      );
      expect(result.candidates[0]?.source).toBe('deepseek');
    });

    it('falls back on malformed JSON, keeping the tokens the bad answer cost', async () => {
      // Prepare
      gemini.enqueue(geminiAnswer('{"reproduction": null, "candidates": [', { input: 10, output: 20 }));
      deepseek.enqueue(chatAnswer(DEEPSEEK_FIX));

      // Act
      const result = await chain().generate(makeRequest().request);

      // Assess
      expect(gemini.requests).toHaveLength(1);
      expect(result.notes[0]).toBe('gemini failed: returned malformed JSON; served by deepseek');
      expect(result.calls.find((c) => c.provider === 'gemini')).toEqual(
        expect.objectContaining({
          ok: false,
          inputTokens: 10,
          outputTokens: 20,
          error: 'returned malformed JSON',
        }),
      );
    });

    it('falls back when the JSON does not match the schema', async () => {
      // Prepare
      gemini.enqueue(geminiAnswer({ fixes: [{ code: 'print(5)' }] }));
      deepseek.enqueue(chatAnswer(DEEPSEEK_FIX));

      // Act
      const result = await chain().generate(makeRequest().request);

      // Assess
      expect(result.notes[0]).toMatch(
        /^gemini failed: returned JSON that does not match the expected shape \(candidates: .+\); served by deepseek$/,
      );
      expect(result.candidates[0]?.source).toBe('deepseek');
    });

    it('falls back when every candidate is the original program', async () => {
      // Prepare
      gemini.enqueue(
        geminiAnswer({ reproduction: null, candidates: [{ title: 'same', code: ORIGINAL, rationale: '' }] }),
      );
      deepseek.enqueue(chatAnswer(DEEPSEEK_FIX));

      // Act
      const result = await chain().generate(makeRequest().request);

      // Assess
      expect(result.notes[0]).toBe(
        'gemini failed: returned only candidates identical to the original program; served by deepseek',
      );
    });

    it('retries a refused connection, then moves on', async () => {
      // Prepare
      const closed = await FakeProviderServer.start(GEMINI_ROUTE);
      const url = closed.url;
      await closed.close();
      deepseek.enqueue(chatAnswer(DEEPSEEK_FIX));

      // Act
      const result = await chain({ GEMINI_BASE_URL: url }).generate(makeRequest().request);

      // Assess
      expect(result.notes[0]).toBe('gemini failed: could not connect after 3 attempts; served by deepseek');
      expect(result.calls.filter((c) => c.provider === 'gemini')).toHaveLength(3);
    });

    it('keeps a key echoed by the provider out of notes, calls and logs', async () => {
      // Prepare
      gemini.enqueue(
        geminiError(400, `API key not valid: ${KEYS.gemini} (header x-goog-api-key: ${KEYS.gemini})`),
      );
      deepseek.enqueue(chatError(401, `Incorrect API key provided: ${KEYS.deepseek}`));
      const warn = vi.spyOn(logger, 'warn');

      // Act
      const result = await chain().generate(makeRequest().request);

      // Assess
      expect(result.notes[0]).toBe('gemini failed: HTTP 400; deepseek failed: HTTP 401; served by offline');
      expect(result.calls.find((c) => c.provider === 'gemini')?.error).toContain('API key not valid');
      expect(warn).toHaveBeenCalledTimes(2);
      for (const key of Object.values(KEYS)) expect(visible(result, warn)).not.toContain(key);
    });
  });

  describe('when both providers fail', () => {
    it('serves from the offline provider and explains each failure', async () => {
      // Prepare
      gemini.always(geminiError(503, 'overloaded'));
      deepseek.enqueue(chatAnswer({ answer: 'I would change the minus to a plus' }));
      const warn = vi.spyOn(logger, 'warn');
      const { request, progress } = makeRequest();

      // Act
      const result = await chain().generate(request);

      // Assess
      expect(offline.requests).toHaveLength(1);
      expect(result.candidates).toEqual([expect.objectContaining({ source: 'offline' })]);
      expect(result.reproduction).toBe('import sys\nsys.exit(1)\n');
      expect(result.notes[0]).toMatch(
        /^gemini failed: HTTP 503 after 3 attempts; deepseek failed: returned JSON that does not match the expected shape \(.+\); served by offline$/,
      );
      expect(result.notes).toContain('offline: rule-based rewrite');
      expect(result.category?.by).toBe('groq');
      expect(warn).toHaveBeenCalledTimes(2);
      expect(progress.at(-1)).toEqual(expect.objectContaining({ stage: 'generating', provider: 'offline' }));
    });

    it('keeps the client test as the harness even when offline wrote a reproduction', async () => {
      // Prepare
      gemini.always(geminiError(500, 'down'));
      deepseek.always(chatError(500, 'down'));

      // Act
      const result = await chain().generate(makeRequest({ test: 'assert True\n' }).request);

      // Assess
      expect(result.candidates[0]?.source).toBe('offline');
      expect(result.reproduction).toBeNull();
    });
  });

  describe('without keys', () => {
    it('makes no HTTP call at all and classifies locally', async () => {
      // Prepare
      const noKeys = { GEMINI_API_KEY: '', GROQ_API_KEY: '', DEEPSEEK_API_KEY: undefined };
      const { request, progress } = makeRequest({ error: "ModuleNotFoundError: No module named 'numpy'" });

      // Act
      const result = await chain(noKeys).generate(request);

      // Assess
      expect(gemini.requests).toHaveLength(0);
      expect(groq.requests).toHaveLength(0);
      expect(deepseek.requests).toHaveLength(0);
      expect(result.category).toEqual({
        kind: 'import',
        summary: "ModuleNotFoundError: No module named 'numpy'",
        by: 'local',
      });
      expect(result.notes[0]).toBe(
        'gemini skipped: no API key; deepseek skipped: no API key; served by offline',
      );
      expect(result.calls).toEqual([]);
      expect(progress[0]).toEqual(expect.objectContaining({ stage: 'categorizing', provider: 'local' }));
      expect(describeProviders(config(noKeys))).toEqual({
        gemini: false,
        groq: false,
        deepseek: false,
        offline: true,
      });
    });

    it('skips only the provider without a key', async () => {
      // Prepare
      deepseek.enqueue(chatAnswer(DEEPSEEK_FIX));

      // Act
      const result = await chain({ GEMINI_API_KEY: '' }).generate(makeRequest().request);

      // Assess
      expect(gemini.requests).toHaveLength(0);
      expect(result.notes[0]).toBe('gemini skipped: no API key; served by deepseek');
    });
  });

  describe('categorization', () => {
    it('classifies a parse error locally, without calling groq', async () => {
      // Prepare
      gemini.enqueue(geminiAnswer(FIX));
      const error =
        '  File "calc.py", line 1\n    def add(a, b)\n                 ^\nSyntaxError: expected \':\'';
      const { request, progress } = makeRequest({ error });

      // Act
      const result = await chain().generate(request);

      // Assess
      expect(groq.requests).toHaveLength(0);
      expect(result.category).toEqual({ kind: 'syntax', summary: "SyntaxError: expected ':'", by: 'local' });
      expect(result.calls.some((c) => c.purpose === 'categorize')).toBe(false);
      expect(progress[0]).toEqual(expect.objectContaining({ stage: 'categorizing', provider: 'local' }));
      const text = JSON.parse(gemini.requests[0]?.body ?? '{}').contents[0].parts[0].text as string;
      expect(text).toContain('syntax problem');
    });

    it('falls back to a local guess when groq fails, with one retry and a note', async () => {
      // Prepare
      groq.always(chatError(500, 'groq down'));
      gemini.enqueue(geminiAnswer(FIX));
      const warn = vi.spyOn(logger, 'warn');

      // Act
      const result = await chain().generate(makeRequest().request);

      // Assess
      expect(groq.requests).toHaveLength(2);
      expect(result.category).toEqual(expect.objectContaining({ kind: 'logic', by: 'local' }));
      expect(result.notes).toEqual([
        'served by gemini',
        'groq failed: HTTP 500 after 2 attempts; classified locally',
      ]);
      expect(warn).toHaveBeenCalledWith('categorizer failed', expect.objectContaining({ provider: 'groq' }));
    });

    it('rejects a category outside the five', async () => {
      // Prepare
      groq.always(chatAnswer({ kind: 'cosmic-ray', summary: 'bit flip' }));
      gemini.enqueue(geminiAnswer(FIX));

      // Act
      const result = await chain().generate(makeRequest().request);

      // Assess
      expect(groq.requests).toHaveLength(1);
      expect(result.category?.by).toBe('local');
      expect(result.notes[1]).toMatch(
        /^groq failed: returned JSON that does not match the expected shape \(kind: /,
      );
    });
  });

  describe('time budget', () => {
    it('cuts a hung attempt at the budget and calls nobody after it', async () => {
      // Prepare
      gemini.always({ hang: true });
      deepseek.always(chatAnswer(DEEPSEEK_FIX));
      const started = Date.now();

      // Act
      const result = await chain({ LLM_SESSION_BUDGET_MS: '400', LLM_CALL_TIMEOUT_MS: '5000' }).generate(
        makeRequest({ error: 'SyntaxError: invalid syntax' }).request,
      );

      // Assess
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(gemini.requests).toHaveLength(1);
      expect(deepseek.requests).toHaveLength(0);
      expect(result.candidates[0]?.source).toBe('offline');
      expect(result.notes[0]).toMatch(
        /^gemini failed: the session time budget ran out during attempt 1 \(no answer within \d+ ms\); deepseek skipped: session time budget \(400 ms\) used up; served by offline$/,
      );
    });

    it('counts the model time earlier rounds spent against the session budget', async () => {
      // Prepare: round 1 used 59.9 s of a 60 s budget.
      gemini.always(geminiAnswer(FIX));

      // Act
      const result = await chain({ LLM_SESSION_BUDGET_MS: '60000' }).generate(
        makeRequest({ error: 'SyntaxError: invalid syntax' }, { round: 2, budgetSpentMs: 60_000 }).request,
      );

      // Assess
      expect(gemini.requests).toHaveLength(0);
      expect(result.candidates[0]?.source).toBe('offline');
      expect(result.notes[0]).toMatch(/gemini skipped: session time budget \(60 s\) used up/);
    });

    it('reuses the category an earlier round settled on instead of asking Groq again', async () => {
      // Prepare
      gemini.always(geminiAnswer(FIX));
      const category = { kind: 'logic' as const, summary: 'wrong operator', by: 'groq' };

      // Act
      const result = await chain().generate(makeRequest({}, { round: 2, category }).request);

      // Assess
      expect(groq.requests).toHaveLength(0);
      expect(result.category).toEqual(category);
      expect(gemini.requests[0]?.body).toContain('wrong operator');
    });

    it('does not start a retry whose backoff would outlast the budget', async () => {
      // Prepare
      gemini.always(geminiError(500, 'internal'));
      deepseek.always(chatError(500, 'internal'));

      // Act
      const result = await chain({
        LLM_SESSION_BUDGET_MS: '1000',
        LLM_RETRY_BASE_DELAY_MS: '5000',
        LLM_RETRY_MAX_DELAY_MS: '5000',
      }).generate(makeRequest({ error: 'SyntaxError: invalid syntax' }).request);

      // Assess
      expect(gemini.requests).toHaveLength(1);
      expect(deepseek.requests).toHaveLength(1);
      expect(result.notes[0]).toBe(
        'gemini failed: HTTP 500; the session time budget ran out before the next attempt; deepseek failed: HTTP 500; the session time budget ran out before the next attempt; served by offline',
      );
    });
  });

  describe('secrets hygiene', () => {
    const leaks = {
      OPENAI_ORG_ID: 'org-env-leak-1111',
      OPENAI_PROJECT_ID: 'proj-env-leak-2222',
      OPENAI_CUSTOM_HEADERS: 'X-Env-Leak: openai-env-leak-3333',
      GROQ_CUSTOM_HEADERS: 'X-Env-Leak: groq-env-leak-4444',
      TRUTH_ENGINE_UNRELATED_SECRET: 'unrelated-env-leak-5555',
    };

    it('sends nothing from the environment to any provider', async () => {
      // Prepare
      for (const [name, value] of Object.entries(leaks)) vi.stubEnv(name, value);
      gemini.enqueue(geminiError(500, 'x'), geminiError(500, 'x'), geminiError(500, 'x'));
      deepseek.enqueue(chatAnswer(DEEPSEEK_FIX));
      const source = chain();

      // Act
      await source.generate(makeRequest().request);

      // Assess
      const seen = [...gemini.requests, ...groq.requests, ...deepseek.requests];
      expect(seen.map((r) => r.path)).toContain('/chat/completions');
      expect(seen.map((r) => r.path)).toContain('/openai/v1/chat/completions');
      const wire = JSON.stringify(seen);
      for (const value of Object.values(leaks)) {
        expect(wire).not.toContain(value.replace('X-Env-Leak: ', ''));
      }
      expect(wire.toLowerCase()).not.toContain('openai-organization');
      expect(wire.toLowerCase()).not.toContain('x-env-leak');
    });
  });
});
