import type { Logger } from '@aws-lambda-powertools/logger';
import type { LlmConfig } from '../../config/llm-config.js';
import { composeSite } from '../../kinds/task/compose-site.js';
import { buildOfflineSite } from '../../kinds/task/offline-site.js';
import type {
  CheckCompiler,
  GeneratedSites,
  SiteGenerateRequest,
  SiteSource,
} from '../../kinds/task/site-source.js';
import type { SourceProgress } from '../../ports/candidate-source.js';
import { COMPILE_CHECKS_SYSTEM_PROMPT, renderCompileChecksPrompt } from '../../prompts/compile-checks.v1.js';
import {
  GENERATE_SITE_SYSTEM_PROMPT,
  renderGenerateSitePrompt,
  type SiteAttachmentSummary,
} from '../../prompts/generate-site.v1.js';
import { withHeaderAllowlist } from './header-allowlist.js';
import { InvalidOutputError } from './invalid-output-error.js';
import { askInTurn, createGeneratorLinks } from './model-links.js';
import type { RunContext } from './run-context.js';
import { createScrubber } from './scrub.js';
import { SessionBudget } from './session-budget.js';
import { compiledChecksAnswer, generatedSitesAnswer } from './site-output.js';

const MAX_INLINE_ATTACHMENT_CHARS = 8_000;
const MAX_CURRENT_FILE_CHARS = 30_000;

export interface SiteSourceChainDeps {
  logger: Logger;
  fetch?: typeof fetch;
}

/**
 * The task kind's model chain: Gemini, then DeepSeek, under the task's own per-call timeout and
 * budget; what the models cannot serve, the offline builder does (one honest site). Check
 * compilation is one call for every check no rule recognized; without a model they stay unverified.
 */
export function createSiteSourceChain(
  config: LlmConfig,
  deps: SiteSourceChainDeps,
): SiteSource & CheckCompiler {
  const fetchFn = withHeaderAllowlist(deps.fetch ?? globalThis.fetch);
  const scrub = createScrubber([config.gemini.apiKey, config.deepseek.apiKey]);
  const links = createGeneratorLinks(config, fetchFn);
  const policy = { ...config.retry, callTimeoutMs: config.task.callTimeoutMs };
  const context = (spentMs: number, progress: (event: SourceProgress) => Promise<void>): RunContext => ({
    budget: new SessionBudget(Math.max(0, config.task.budgetMs - spentMs)),
    policy,
    calls: [],
    notes: [],
    progress,
    scrub,
    logger: deps.logger,
  });

  return {
    async compile({ brief, checks, progress }) {
      const ctx = context(0, progress);
      const asked = await askInTurn(
        links,
        ctx,
        {
          prompt: {
            system: COMPILE_CHECKS_SYSTEM_PROMPT,
            user: renderCompileChecksPrompt({ brief, checks }),
          },
          answer: compiledChecksAnswer,
          purpose: 'compile-checks',
          asking: `${checks.length} checks made executable`,
          progress,
          accept: (value) => {
            if (value.checks.length !== checks.length) {
              throw new InvalidOutputError(
                'schema',
                `answered ${value.checks.length} checks for ${checks.length}`,
              );
            }
            return value.checks.map((check) => check.js);
          },
        },
        config.task.budgetMs,
      );
      const note = [
        ...asked.passedOver,
        asked.served
          ? `checks compiled by ${asked.provider}`
          : 'no model compiled the remaining checks: they stay unverified',
      ].join('; ');
      return {
        js: asked.served ? asked.value : checks.map(() => null),
        notes: [note],
        calls: ctx.calls,
      };
    },

    async generate(request: SiteGenerateRequest): Promise<GeneratedSites> {
      const ctx = context(request.budgetSpentMs ?? 0, request.progress);
      const task = request.request;
      const asked = await askInTurn(
        links,
        ctx,
        {
          prompt: {
            system: GENERATE_SITE_SYSTEM_PROMPT,
            user: renderGenerateSitePrompt({
              task: task.task,
              round: task.round,
              brief: task.brief,
              checks: task.checks,
              attachments: task.attachments.map(summarizeAttachment),
              ...(request.current ? { current: textFiles(request.current) } : {}),
              ...(request.failedChecks ? { failedChecks: request.failedChecks } : {}),
            }),
          },
          answer: generatedSitesAnswer,
          purpose: 'generate',
          asking: 'three candidate sites',
          progress: request.progress,
          accept: (value, provider) => {
            // Code writes LICENSE, README and the attachments into every site, so a site is usable
            // only if it holds something beyond them: the model's own files (or, for a revision,
            // the published ones). Each site keeps its own title: filtering happens after pairing.
            const engineFiles = new Set(['LICENSE', 'README.md', ...task.attachments.map((a) => a.name)]);
            const usable = value.candidates
              .map((proposed, i) => ({ proposed, i, site: composeSite(task, proposed, request.current) }))
              .filter(({ site }) => site.files.some((file) => !engineFiles.has(file.path)));
            if (usable.length === 0) throw new InvalidOutputError('schema', 'wrote no usable site');
            return usable.map(({ proposed, i, site }) => ({
              source: provider,
              title: proposed.title || `Site ${i + 1}`,
              ...(proposed.rationale ? { rationale: proposed.rationale } : {}),
              files: site.files,
              dropped: site.dropped,
            }));
          },
        },
        config.task.budgetMs,
      );
      if (asked.served) {
        const dropped = asked.value.flatMap((site) => site.dropped);
        return {
          candidates: asked.value.map(({ dropped: _dropped, ...site }) => site),
          notes: [
            [...asked.passedOver, `sites written by ${asked.provider}`].join('; '),
            ...(dropped.length > 0
              ? [
                  `files refused (unsafe paths or files the engine writes itself): ${[...new Set(dropped)].join(', ')}`,
                ]
              : []),
          ],
          calls: ctx.calls,
        };
      }
      await request.progress({
        stage: 'generating',
        provider: 'offline',
        message: 'building the offline site',
      });
      return {
        candidates: [{ source: 'offline', title: 'Offline site', files: buildOfflineSite(task) }],
        notes: [
          [...asked.passedOver, 'served by offline: one site with what can be written without a model'].join(
            '; ',
          ),
        ],
        calls: ctx.calls,
      };
    },
  };
}

function summarizeAttachment(attachment: {
  name: string;
  mediaType: string;
  bytes: Buffer;
}): SiteAttachmentSummary {
  const text = attachment.bytes.toString('utf8');
  const isText = !text.includes('\uFFFD') && !text.includes('\u0000');
  return {
    name: attachment.name,
    mediaType: attachment.mediaType,
    bytes: attachment.bytes.length,
    ...(isText && text.length <= MAX_INLINE_ATTACHMENT_CHARS ? { text } : {}),
  };
}

function textFiles(files: ReadonlyArray<{ path: string; content: Buffer }>) {
  return files
    .map((file) => ({ path: file.path, content: file.content.toString('utf8') }))
    .filter((file) => !file.content.includes('\uFFFD') && file.content.length <= MAX_CURRENT_FILE_CHARS);
}
