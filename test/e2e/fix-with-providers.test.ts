import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  chatAnswer,
  chatError,
  DEEPSEEK_ROUTE,
  GROQ_ROUTE,
} from '../support/llm-fakes/chat-completions-api.js';
import { FakeProviderServer } from '../support/llm-fakes/fake-provider-server.js';
import { GEMINI_ROUTE, geminiAnswer, geminiError } from '../support/llm-fakes/gemini-api.js';
import {
  postFix,
  type StackFixture,
  startStackFixture,
  waitForResult,
} from '../support/local-stack-fixture.js';

let gemini: FakeProviderServer;
let groq: FakeProviderServer;
let deepseek: FakeProviderServer;
let fixture: StackFixture;

beforeAll(async () => {
  [gemini, groq, deepseek] = await Promise.all([
    FakeProviderServer.start(GEMINI_ROUTE),
    FakeProviderServer.start(GROQ_ROUTE),
    FakeProviderServer.start(DEEPSEEK_ROUTE),
  ]);
  fixture = await startStackFixture({
    GEMINI_API_KEY: 'gemini-test-key',
    GROQ_API_KEY: 'groq-test-key',
    DEEPSEEK_API_KEY: 'deepseek-test-key',
    GEMINI_BASE_URL: gemini.url,
    GROQ_BASE_URL: groq.url,
    DEEPSEEK_BASE_URL: deepseek.url,
    LLM_MAX_RETRIES: '1',
    LLM_RETRY_BASE_DELAY_MS: '10',
    LLM_RETRY_MAX_DELAY_MS: '20',
    LLM_CALL_TIMEOUT_MS: '3000',
  });
});

afterAll(async () => {
  await fixture?.stop();
  await Promise.all([gemini?.close(), groq?.close(), deepseek?.close()]);
});

beforeEach(() => {
  for (const fake of [gemini, groq, deepseek]) fake.reset();
  groq.always(chatAnswer({ kind: 'logic', summary: 'area multiplies the width by itself' }));
});

// A logic bug: no template can fix it, only a model that reads the intent.
const program = 'def area(width, height):\n    return width * width\n\n\nprint(area(3, 4))\n';
const fix = (body: string) => program.replace('width * width', body);
const modelAnswer = {
  reproduction: 'from program import area\n\nassert area(3, 4) == 12, area(3, 4)\nassert area(5, 2) == 10\n',
  candidates: [
    { title: 'use height twice', code: fix('height * height'), rationale: 'wrong on purpose' },
    { title: 'multiply width by height', code: fix('width * height'), rationale: 'area is w×h' },
    { title: 'add them', code: fix('width + height'), rationale: 'wrong on purpose' },
  ],
};

describe('Model providers behind the local stack', () => {
  it('Gemini writes the reproduction and the candidates; the sandbox verifies one; source says gemini', async () => {
    gemini.enqueue(geminiAnswer(modelAnswer));
    const { json } = await postFix(fixture.stack, { code: program });
    const view = await waitForResult(fixture.stack, String(json.sessionId));

    expect(view.status).toBe('verified');
    expect(view.harness).toEqual({ kind: 'test', origin: 'gemini' });
    expect(view.baseline?.status).toBe('failed');
    expect(view.candidates.map((c) => [c.source, c.status])).toEqual([
      ['gemini', 'failed'],
      ['gemini', 'passed'],
      ['gemini', 'failed'],
    ]);
    expect(view.winner?.diff).toContain('+    return width * height');
    expect(view.category).toMatchObject({ kind: 'logic', by: 'groq' });
    expect(view.calls.map((call) => [call.provider, call.purpose, call.ok])).toEqual([
      ['groq', 'categorize', true],
      ['gemini', 'generate', true],
    ]);
    expect(view.calls[1]?.outputTokens).toBeGreaterThan(0);
    expect(deepseek.requests).toHaveLength(0);
    // The real SDK sent the key in its header, and the program in the body.
    expect(gemini.requests[0]?.headers['x-goog-api-key']).toBe('gemini-test-key');
    expect(gemini.requests[0]?.body).toContain('width * width');
  });

  it('Gemini answering 500 → DeepSeek serves the same request, and the session says why', async () => {
    gemini.always(geminiError(500, 'internal'));
    deepseek.enqueue(chatAnswer(modelAnswer));
    const { json } = await postFix(fixture.stack, { code: program });
    const view = await waitForResult(fixture.stack, String(json.sessionId));

    expect(view.status).toBe('verified');
    expect(new Set(view.candidates.map((c) => c.source))).toEqual(new Set(['deepseek']));
    expect(view.notes.join('\n')).toMatch(/gemini failed.*500/i);
    expect(view.notes.join('\n')).toMatch(/served by deepseek/i);
    expect(gemini.requests.length).toBe(2); // one retry, then the chain moves on
    expect(deepseek.requests[0]?.headers.authorization).toBe('Bearer deepseek-test-key');
  });

  it('Gemini returning invalid JSON → DeepSeek', async () => {
    gemini.always(geminiAnswer('this is not JSON'));
    deepseek.enqueue(chatAnswer(modelAnswer));
    const { json } = await postFix(fixture.stack, { code: program });
    const view = await waitForResult(fixture.stack, String(json.sessionId));
    expect(view.status).toBe('verified');
    expect(view.candidates.every((c) => c.source === 'deepseek')).toBe(true);
    expect(view.notes.join('\n')).toMatch(/gemini failed/i);
  });

  it('both failing → the offline provider serves, and the notes say which and why', async () => {
    gemini.always(geminiError(500, 'internal'));
    deepseek.always(chatError(503, 'overloaded'));
    const code = 'values = [3, 4]\nprint(sum(values) / len(vals))\n';
    const error = "NameError: name 'vals' is not defined";
    const { json } = await postFix(fixture.stack, { code, error });
    const view = await waitForResult(fixture.stack, String(json.sessionId));

    expect(view.status).toBe('verified');
    expect(view.candidates.find((c) => c.index === view.winner?.index)?.source).toBe('offline');
    const notes = view.notes.join('\n');
    expect(notes).toMatch(/gemini failed/i);
    expect(notes).toMatch(/deepseek failed/i);
    expect(notes).toMatch(/served by offline/i);
    expect(view.calls.filter((call) => call.purpose === 'generate').every((call) => !call.ok)).toBe(true);
  });
});
