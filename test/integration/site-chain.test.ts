import { readFileSync } from 'node:fs';
import { Logger } from '@aws-lambda-powertools/logger';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSiteSourceChain } from '../../shared/adapters/llm/site-source-chain.js';
import { readLlmConfig } from '../../shared/config/llm-config.js';
import type { SiteGenerateRequest } from '../../shared/kinds/task/site-source.js';
import { parseTaskRequest, type TaskRequest } from '../../shared/kinds/task/task-request.js';
import type { SourceProgress } from '../../shared/ports/candidate-source.js';
import { chatAnswer, chatError, DEEPSEEK_ROUTE } from '../support/llm-fakes/chat-completions-api.js';
import { FakeProviderServer, type RecordedRequest } from '../support/llm-fakes/fake-provider-server.js';
import { GEMINI_ROUTE, geminiAnswer, geminiError } from '../support/llm-fakes/gemini-api.js';
import {
  compiledHeading,
  honestSite,
  llmPagesCompiled,
  llmPagesSite,
  movedScriptSite,
  salesTask,
  suffixedSite,
} from '../support/task-sites.js';

/*
 * The task kind's model chain, against loopback servers speaking the Gemini and DeepSeek APIs, with
 * the real @google/genai and openai SDKs pointed at them.
 */

const KEYS = {
  gemini: 'gemini-key-AAAA1111secret',
  deepseek: 'deepseek-key-CCCC3333secret',
};
/** The evaluator's shared secret: it authenticates the request and must never reach a model. */
const TASK_SECRET = 'task-secret-DDDD4444-never-sent';

let gemini: FakeProviderServer;
let deepseek: FakeProviderServer;
let logger: Logger;

function config(env: Record<string, string | undefined> = {}) {
  return readLlmConfig({
    GEMINI_API_KEY: KEYS.gemini,
    DEEPSEEK_API_KEY: KEYS.deepseek,
    GEMINI_MODEL: 'gemini-test',
    DEEPSEEK_MODEL: 'deepseek-test',
    GEMINI_BASE_URL: gemini.url,
    DEEPSEEK_BASE_URL: deepseek.url,
    TASK_CALL_TIMEOUT_MS: '3000',
    TASK_MODEL_BUDGET_MS: '20000',
    LLM_MAX_RETRIES: '2',
    LLM_RETRY_BASE_DELAY_MS: '5',
    LLM_RETRY_MAX_DELAY_MS: '20',
    LLM_RETRY_AFTER_CAP_MS: '3000',
    ...env,
  });
}

const chain = (env: Record<string, string | undefined> = {}) =>
  createSiteSourceChain(config(env), { logger });

/** A request as the endpoint hands it on: parsed from the evaluator's body, secret set apart. */
function taskRequest(body: object): TaskRequest {
  const parsed = parseTaskRequest({ ...body, secret: TASK_SECRET }, { allowLoopbackCallback: true });
  expect(parsed.secret).toBe(TASK_SECRET);
  return parsed.request;
}

const sales = () => taskRequest(salesTask('nonce-1'));
const llmPagesBody = JSON.parse(
  readFileSync(new URL('../fixtures/task-llmpages.json', import.meta.url), 'utf8'),
) as object;
const llmPages = () => taskRequest(llmPagesBody);

function generateRequest(request: TaskRequest, extra: Partial<SiteGenerateRequest> = {}) {
  const progress: SourceProgress[] = [];
  const generate: SiteGenerateRequest = {
    request,
    progress: async (event) => {
      progress.push(event);
    },
    ...extra,
  };
  return { generate, progress };
}

const promptOf = (sent: RecordedRequest | undefined) =>
  JSON.parse(sent?.body ?? '{}').contents[0].parts[0].text as string;
const chatPromptOf = (sent: RecordedRequest | undefined) =>
  JSON.parse(sent?.body ?? '{}').messages[1].content as string;

const file = (files: ReadonlyArray<{ path: string; content: Buffer }>, path: string) =>
  files.find((f) => f.path === path)?.content.toString('utf8');

/** Nothing secret in what was sent: no key in any body, and never the evaluator's secret. */
function expectNoSecrets(requests: readonly RecordedRequest[]): void {
  for (const sent of requests) {
    for (const key of Object.values(KEYS)) expect(sent.body).not.toContain(key);
    expect(sent.body).not.toContain(TASK_SECRET);
    expect(sent.body).not.toMatch(/"secret"/);
  }
}

const THREE = { candidates: [honestSite, suffixedSite, movedScriptSite] };
const DEEPSEEK_SITES = { candidates: [{ ...honestSite, title: 'From DeepSeek' }] };

beforeAll(async () => {
  [gemini, deepseek] = await Promise.all([
    FakeProviderServer.start(GEMINI_ROUTE),
    FakeProviderServer.start(DEEPSEEK_ROUTE),
  ]);
});

afterAll(async () => {
  await Promise.all([gemini.close(), deepseek.close()]);
});

beforeEach(() => {
  logger = new Logger({ serviceName: 'site-chain-test', logLevel: 'SILENT' });
});

afterEach(() => {
  gemini.reset();
  deepseek.reset();
  vi.restoreAllMocks();
});

describe('Method: generate', () => {
  describe('when gemini answers', () => {
    it('composes its three sites, with LICENSE, README and attachments written by code', async () => {
      // Prepare: the model also writes a LICENSE of its own and the attachment, which code owns.
      const request = llmPages();
      const withOwnFiles = {
        ...llmPagesSite,
        files: [
          ...llmPagesSite.files,
          { path: 'LICENSE', content: 'All rights reserved.' },
          { path: 'uid.txt', content: 'not the attachment' },
        ],
      };
      gemini.enqueue(
        geminiAnswer(
          { candidates: [withOwnFiles, honestSite, movedScriptSite] },
          { input: 400, output: 900 },
        ),
      );
      const { generate, progress } = generateRequest(request);

      // Act
      const result = await chain().generate(generate);

      // Assess: three candidates, each with the engine's exact files.
      expect(result.candidates.map((c) => [c.source, c.title])).toEqual([
        ['gemini', 'Complete'],
        ['gemini', 'Honest'],
        ['gemini', 'Moved script'],
      ]);
      expect(result.candidates[0]?.rationale).toBe(llmPagesSite.rationale);
      const uid = request.attachments.find((a) => a.name === 'uid.txt');
      for (const candidate of result.candidates) {
        const paths = candidate.files.map((f) => f.path);
        expect(paths).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'uid.txt', 'index.html']));
        expect(paths.filter((p) => p === 'LICENSE')).toHaveLength(1);
        const license = file(candidate.files, 'LICENSE');
        expect(license).toMatch(/^MIT License/);
        expect(license).toContain('Permission is hereby granted');
        expect(license).not.toContain('All rights reserved.');
        expect(
          candidate.files.find((f) => f.path === 'uid.txt')?.content.equals(uid?.bytes ?? Buffer.of()),
        ).toBe(true);
        expect(file(candidate.files, 'README.md')).toMatch(/## Setup/i);
      }
      expect(file(result.candidates[0]?.files ?? [], 'README.md')).toContain(llmPagesSite.readme.summary);
      expect(result.notes).toEqual([
        'sites written by gemini',
        'files refused (unsafe paths or files the engine writes itself): LICENSE, uid.txt',
      ]);
      expect(result.calls).toEqual([
        expect.objectContaining({
          provider: 'gemini',
          model: 'gemini-test',
          purpose: 'generate',
          ok: true,
          inputTokens: 400,
          outputTokens: 900,
        }),
      ]);
      expect(progress).toEqual([
        expect.objectContaining({ stage: 'generating', provider: 'gemini', attempt: 1 }),
      ]);

      // What went over the wire: a JSON answer under the response schema, nothing secret.
      expect(gemini.requests).toHaveLength(1);
      const sent = gemini.requests[0];
      expect(sent?.path).toBe('/v1beta/models/gemini-test:generateContent');
      expect(sent?.headers['x-goog-api-key']).toBe(KEYS.gemini);
      const body = JSON.parse(sent?.body ?? '{}');
      expect(body.generationConfig.responseMimeType).toBe('application/json');
      expect(body.generationConfig.responseJsonSchema.required).toEqual(['candidates']);
      expect(body.generationConfig.responseJsonSchema.properties.candidates.minItems).toBe(3);
      expect(body.systemInstruction.parts[0].text).toContain('exactly three candidates');
      const prompt = promptOf(sent);
      expect(prompt).toContain('Task: LLMPages, round 1.');
      expect(prompt).toContain('1. Each required file exists on GitHub');
      // A small text attachment travels inline, so the model can refer to what it holds.
      expect(prompt).toContain(`<attachment name="uid.txt" type="text/plain" bytes="${uid?.bytes.length}">`);
      expect(prompt).toContain(uid?.bytes.toString('utf8'));
      expectNoSecrets(gemini.requests);
      expect(deepseek.requests).toHaveLength(0);
    });

    it('describes a binary attachment by name, type and size, never its bytes', async () => {
      // Prepare
      const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0xff, 0xfe, 0x00, 0x01]);
      const request = taskRequest({
        ...salesTask('nonce-bin'),
        attachments: [{ name: 'logo.png', url: `data:image/png;base64,${png.toString('base64')}` }],
      });
      gemini.enqueue(geminiAnswer(THREE));

      // Act
      const result = await chain().generate(generateRequest(request).generate);

      // Assess
      const prompt = promptOf(gemini.requests[0]);
      expect(prompt).toContain('<attachment name="logo.png" type="image/png" bytes="12">');
      expect(prompt).toContain('(binary, 12 bytes: link to it by name, do not reproduce it)');
      expect(result.candidates[0]?.files.find((f) => f.path === 'logo.png')?.content.equals(png)).toBe(true);
    });
  });

  describe('when gemini fails', () => {
    it('retries a 500 past its retries, then takes deepseek’s sites and says why gemini was passed over', async () => {
      // Prepare
      gemini.always(geminiError(500, 'internal error'));
      deepseek.enqueue(chatAnswer(DEEPSEEK_SITES, { input: 50, output: 60 }));
      const warn = vi.spyOn(logger, 'warn');

      // Act
      const result = await chain().generate(generateRequest(sales()).generate);

      // Assess
      expect(gemini.requests).toHaveLength(3);
      expect(deepseek.requests).toHaveLength(1);
      expect(result.candidates).toEqual([
        expect.objectContaining({ source: 'deepseek', title: 'From DeepSeek' }),
      ]);
      expect(result.notes[0]).toBe('gemini failed: HTTP 500 after 3 attempts; sites written by deepseek');
      expect(result.calls.map((c) => [c.provider, c.purpose, c.ok])).toEqual([
        ['gemini', 'generate', false],
        ['gemini', 'generate', false],
        ['gemini', 'generate', false],
        ['deepseek', 'generate', true],
      ]);
      expect(warn).toHaveBeenCalledWith(
        'candidate provider failed',
        expect.objectContaining({ provider: 'gemini', purpose: 'generate' }),
      );
      const sent = deepseek.requests[0];
      expect(sent?.headers.authorization).toBe(`Bearer ${KEYS.deepseek}`);
      expect(JSON.parse(sent?.body ?? '{}').response_format).toEqual({ type: 'json_object' });
      expect(chatPromptOf(sent)).toContain(salesTask('x').brief);
      expectNoSecrets([...gemini.requests, ...deepseek.requests]);
    });

    it('moves on from a 429 that outlasts the retries', async () => {
      // Prepare
      gemini.always(geminiError(429, 'quota exceeded'));
      deepseek.enqueue(chatAnswer(DEEPSEEK_SITES));

      // Act
      const result = await chain().generate(generateRequest(sales()).generate);

      // Assess
      expect(gemini.requests).toHaveLength(3);
      expect(result.notes[0]).toMatch(
        /^gemini failed: .*HTTP 429.* after 3 attempts; sites written by deepseek$/,
      );
      expect(result.candidates[0]?.source).toBe('deepseek');
    });

    it('passes over an answer that is not JSON, once, without retrying it', async () => {
      // Prepare
      gemini.enqueue(geminiAnswer('{"candidates": [{"title": "cut off'));
      deepseek.enqueue(chatAnswer(DEEPSEEK_SITES));

      // Act
      const result = await chain().generate(generateRequest(sales()).generate);

      // Assess
      expect(gemini.requests).toHaveLength(1);
      expect(result.notes[0]).toBe('gemini failed: returned malformed JSON; sites written by deepseek');
      expect(result.candidates[0]?.source).toBe('deepseek');
    });

    it('passes over JSON in the wrong shape', async () => {
      // Prepare: the fix kind's shape, not the site's.
      gemini.enqueue(geminiAnswer({ reproduction: null, candidates: [{ title: 'x', code: 'print(1)' }] }));
      deepseek.enqueue(chatAnswer(DEEPSEEK_SITES));

      // Act
      const result = await chain().generate(generateRequest(sales()).generate);

      // Assess
      expect(result.notes[0]).toMatch(
        /^gemini failed: returned JSON that does not match the expected shape \(.+\); sites written by deepseek$/,
      );
      expect(result.candidates[0]?.source).toBe('deepseek');
    });

    it('drops a site holding nothing but refused files, keeping each other site’s own title', async () => {
      // Prepare: the first site's only file is refused; code would still add LICENSE and README.
      const refusedOnly = {
        ...honestSite,
        title: 'Refused only',
        files: [{ path: '../escape.html', content: 'x' }],
      };
      gemini.enqueue(geminiAnswer({ candidates: [refusedOnly, suffixedSite, movedScriptSite] }));

      // Act
      const result = await chain().generate(generateRequest(sales()).generate);

      // Assess
      expect(result.candidates.map((c) => c.title)).toEqual(['Suffixed', 'Moved script']);
      expect(result.candidates.map((c) => c.rationale)).toEqual([
        suffixedSite.rationale,
        movedScriptSite.rationale,
      ]);
      expect(file(result.candidates[1]?.files ?? [], 'app.js')).toBe(movedScriptSite.files[1]?.content);
      expect(result.notes[0]).toBe('sites written by gemini');
    });

    it('passes over an answer whose every site holds only files the engine writes itself', async () => {
      // Prepare
      gemini.enqueue(
        geminiAnswer({
          candidates: [
            { ...honestSite, files: [{ path: 'LICENSE', content: 'mine' }] },
            { ...honestSite, files: [{ path: '/etc/passwd', content: 'x' }] },
          ],
        }),
      );
      deepseek.enqueue(chatAnswer(DEEPSEEK_SITES));

      // Act
      const result = await chain().generate(generateRequest(sales()).generate);

      // Assess
      expect(result.notes[0]).toBe('gemini failed: wrote no usable site; sites written by deepseek');
      expect(result.candidates.map((c) => c.source)).toEqual(['deepseek']);
    });
  });

  describe('when both providers fail', () => {
    it('builds the one honest offline site and says why each provider was passed over', async () => {
      // Prepare
      gemini.always(geminiError(503, 'overloaded'));
      deepseek.always(chatError(500, 'down'));
      const request = llmPages();
      const { generate, progress } = generateRequest(request);

      // Act
      const result = await chain().generate(generate);

      // Assess
      expect(result.candidates).toHaveLength(1);
      expect(result.candidates[0]).toMatchObject({ source: 'offline', title: 'Offline site' });
      expect(result.notes).toEqual([
        'gemini failed: HTTP 503 after 3 attempts; deepseek failed: HTTP 500 after 3 attempts; served by offline: one site with what can be written without a model',
      ]);
      const files = result.candidates[0]?.files ?? [];
      expect(files.map((f) => f.path)).toEqual(
        ['index.html', 'LICENSE', 'README.md', 'uid.txt'].sort((a, b) => a.localeCompare(b)),
      );
      expect(file(files, 'index.html')).toContain('<a href="uid.txt">uid.txt</a>');
      expect(result.calls.filter((c) => c.ok)).toEqual([]);
      expect(result.calls).toHaveLength(6);
      expect(progress.at(-1)).toEqual(expect.objectContaining({ stage: 'generating', provider: 'offline' }));
    });
  });

  describe('without keys', () => {
    it('builds the offline site without a single request', async () => {
      // Act
      const result = await chain({ GEMINI_API_KEY: '', DEEPSEEK_API_KEY: undefined }).generate(
        generateRequest(sales()).generate,
      );

      // Assess
      expect(gemini.requests).toHaveLength(0);
      expect(deepseek.requests).toHaveLength(0);
      expect(result.calls).toEqual([]);
      expect(result.candidates.map((c) => c.source)).toEqual(['offline']);
      expect(file(result.candidates[0]?.files ?? [], 'index.html')).toContain(
        '<title>Sales Summary 2024</title>',
      );
      expect(result.notes).toEqual([
        'gemini skipped: no API key; deepseek skipped: no API key; served by offline: one site with what can be written without a model',
      ]);
    });
  });

  describe('a revision', () => {
    it('sends the published text files inline (capped, no binaries) and the failed checks', async () => {
      // Prepare
      const request = taskRequest({ ...salesTask('nonce-rev'), round: 2 });
      const current = [
        {
          path: 'index.html',
          content: Buffer.from('<title>Sales Summary 2024</title><p id="published">v1</p>'),
        },
        { path: 'app.js', content: Buffer.from('const published = "small and textual";\n') },
        { path: 'huge.txt', content: Buffer.from(`HUGE-${'x'.repeat(30_001)}`) },
        { path: 'logo.png', content: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0xff, 0xfe, 0xfd]) },
      ];
      const failedChecks = [
        'js: document.title === "Sales Summary 2024"',
        'The page has a level-one heading',
      ];
      gemini.enqueue(
        geminiAnswer({
          candidates: [
            { ...honestSite, files: [...honestSite.files, { path: 'app.js', content: '', delete: true }] },
          ],
        }),
      );

      // Act
      const result = await chain().generate(generateRequest(request, { current, failedChecks }).generate);

      // Assess: the prompt.
      const prompt = promptOf(gemini.requests[0]);
      expect(prompt).toContain('round 2 (a revision of the published site below');
      expect(prompt).toContain(
        '<current_file path="index.html">\n<title>Sales Summary 2024</title><p id="published">v1</p>\n</current_file>',
      );
      expect(prompt).toContain('<current_file path="app.js">');
      expect(prompt).not.toContain('HUGE-');
      expect(prompt).not.toContain('path="huge.txt"');
      expect(prompt).not.toContain('path="logo.png"');
      expect(prompt).toContain(
        '<failed_checks>\n- js: document.title === "Sales Summary 2024"\n- The page has a level-one heading\n</failed_checks>',
      );
      // …and the site: the revision starts from the published files, deletes what it names.
      const paths = result.candidates[0]?.files.map((f) => f.path);
      expect(paths).toEqual(expect.arrayContaining(['huge.txt', 'logo.png', 'index.html']));
      expect(paths).not.toContain('app.js');
      expect(file(result.candidates[0]?.files ?? [], 'index.html')).toBe(honestSite.files[0]?.content);
    });
  });
});

describe('Method: compile', () => {
  const compileInput = (checks: string[]) => {
    const progress: SourceProgress[] = [];
    return {
      input: {
        brief: salesTask('x').brief,
        checks,
        progress: async (event: SourceProgress) => {
          progress.push(event);
        },
      },
      progress,
    };
  };
  const PENDING = llmPagesCompiled.checks.map((check) => check.text);

  it('returns each check’s expression in order, null where the page cannot decide', async () => {
    // Prepare
    gemini.enqueue(geminiAnswer(llmPagesCompiled, { input: 30, output: 40 }));
    const { input } = compileInput(PENDING);

    // Act
    const result = await chain().compile(input);

    // Assess
    expect(result.js).toEqual(llmPagesCompiled.checks.map((check) => check.js));
    expect(result.js.at(-1)).toBeNull();
    expect(result.notes).toEqual(['checks compiled by gemini']);
    expect(result.calls).toEqual([
      expect.objectContaining({ provider: 'gemini', purpose: 'compile-checks', ok: true, inputTokens: 30 }),
    ]);
    const body = JSON.parse(gemini.requests[0]?.body ?? '{}');
    expect(body.generationConfig.responseMimeType).toBe('application/json');
    expect(body.generationConfig.responseJsonSchema.required).toEqual(['checks']);
    expect(body.systemInstruction.parts[0].text).toContain('"js"');
    const prompt = promptOf(gemini.requests[0]);
    expect(prompt).toContain(`<checks>\n1. ${PENDING[0]}\n2. ${PENDING[1]}`);
    expect(prompt).toContain('<brief>');
    expectNoSecrets(gemini.requests);
  });

  it('keeps an answer with one over-long expression: that check alone is the harness’s to refuse', async () => {
    // Prepare
    const long = `(${'1 + '.repeat(1_500)}1) > 0`;
    const answer = {
      checks: llmPagesCompiled.checks.map((check, i) => (i === 0 ? { ...check, js: long } : check)),
    };
    gemini.enqueue(geminiAnswer(answer));
    const { input } = compileInput(PENDING);

    // Act
    const result = await chain().compile(input);

    // Assess: gemini's answer stands (no fallback), the long expression with it.
    expect(result.notes).toEqual(['checks compiled by gemini']);
    expect(result.js[0]).toBe(long);
    expect(result.js.slice(1)).toEqual(llmPagesCompiled.checks.slice(1).map((check) => check.js));
  });

  it('takes the next provider when the answer’s count does not match the checks asked', async () => {
    // Prepare: two answers for three checks would put each expression against the wrong check.
    const asked = [...PENDING.slice(0, 2), 'The page has a level-one heading'];
    gemini.enqueue(geminiAnswer({ checks: llmPagesCompiled.checks.slice(0, 2) }));
    const deepseekAnswer = {
      checks: [...llmPagesCompiled.checks.slice(0, 2), ...compiledHeading.checks],
    };
    deepseek.enqueue(chatAnswer(deepseekAnswer));

    // Act
    const result = await chain().compile(compileInput(asked).input);

    // Assess
    expect(gemini.requests).toHaveLength(1);
    expect(deepseek.requests).toHaveLength(1);
    expect(result.js).toEqual(deepseekAnswer.checks.map((check) => check.js));
    expect(result.notes).toEqual(['gemini failed: answered 2 checks for 3; checks compiled by deepseek']);
    expect(result.calls.map((c) => [c.provider, c.purpose, c.ok])).toEqual([
      ['gemini', 'compile-checks', false],
      ['deepseek', 'compile-checks', true],
    ]);
    expectNoSecrets([...gemini.requests, ...deepseek.requests]);
  });

  it('leaves every check null, and says they stay unverified, when no model answers', async () => {
    // Prepare
    gemini.always(geminiError(500, 'down'));
    deepseek.always(chatAnswer({ checks: [{ text: 'only one', js: 'true' }] }));

    // Act
    const result = await chain().compile(compileInput(PENDING).input);

    // Assess
    expect(result.js).toEqual(PENDING.map(() => null));
    expect(result.notes).toHaveLength(1);
    expect(result.notes[0]).toMatch(
      /^gemini failed: HTTP 500 after 3 attempts; deepseek failed: .*answered 1 checks for 5.*; no model compiled the remaining checks: they stay unverified$/,
    );
  });

  it('makes no request without keys, and leaves every check unverified', async () => {
    // Act
    const result = await chain({ GEMINI_API_KEY: '', DEEPSEEK_API_KEY: '' }).compile(
      compileInput(PENDING).input,
    );

    // Assess
    expect(gemini.requests).toHaveLength(0);
    expect(deepseek.requests).toHaveLength(0);
    expect(result.js).toEqual([null, null, null, null, null]);
    expect(result.calls).toEqual([]);
    expect(result.notes).toEqual([
      'gemini skipped: no API key; deepseek skipped: no API key; no model compiled the remaining checks: they stay unverified',
    ]);
  });
});
