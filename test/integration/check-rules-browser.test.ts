import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBrowserRunner } from '../../shared/adapters/sandbox/browser/index.js';
import { compileByRule } from '../../shared/kinds/task/check-rules.js';
import { composeSite } from '../../shared/kinds/task/compose-site.js';
import { parseTaskRequest } from '../../shared/kinds/task/task-request.js';
import type { BrowserCheck, BrowserRunner, SiteFile } from '../../shared/ports/browser-runner.js';
import { llmPagesSite } from '../support/task-sites.js';

/*
 * The rules' expressions run for real: the worked example's brief, checks and uid.txt attachment,
 * compiled by rule, evaluated in Chromium (/usr/bin/chromium) by the browser runner against a site
 * that honours them and against sites that each break one of them the way a grader would catch.
 */

const workRoot = join(tmpdir(), `te-rules-browser-test-${process.pid}`);
let runner: BrowserRunner;

const example = JSON.parse(readFileSync(new URL('../fixtures/task-llmpages.json', import.meta.url), 'utf8'));
const { request } = parseTaskRequest(example, { allowLoopbackCallback: true });

/** The example's own checks a rule knows, and the other phrasings the rules claim, on the same site. */
const CHECKS = {
  exist: 'Each required file exists on GitHub',
  uid: 'uid.txt matches the attached uid.txt',
  mit: 'LICENSE contains the MIT License text',
  links: 'index.html links to all required assets',
  words: 'about.md contains exactly three words',
  svg: 'pelican.svg is valid SVG',
  uidAsIs: 'Upload the uid attachment as-is',
  readme: 'README.md is professional',
  json: 'dilemma.json is valid JSON',
  html: 'index.html is valid HTML',
  aboutExists: 'about.md exists',
} as const;
type CheckName = keyof typeof CHECKS;
const NAMES = Object.keys(CHECKS) as CheckName[];

const compiled = compileByRule(Object.values(CHECKS), {
  brief: request.brief,
  attachments: request.attachments,
});
const BROWSER_CHECKS: BrowserCheck[] = NAMES.map((name, index) => {
  const check = compiled.compiled.get(index);
  if (check?.how !== 'rule') throw new Error(`no rule recognized "${CHECKS[name]}"`);
  return { id: name, js: check.js };
});

/** The honest site as the engine composes it: the model's files, and code's LICENSE, README, uid.txt. */
const honest: SiteFile[] = composeSite(request, llmPagesSite).files;

const replace = (files: readonly SiteFile[], path: string, content: string | Buffer): SiteFile[] =>
  files.map((file) =>
    file.path === path
      ? { path, content: typeof content === 'string' ? Buffer.from(content) : content }
      : file,
  );
const text = (path: string) => honest.find((file) => file.path === path)?.content.toString('utf8') ?? '';

const uidBytes = request.attachments[0]?.bytes ?? Buffer.of();
const oneByteOff = Buffer.from(uidBytes);
oneByteOff[5] = (oneByteOff[5] ?? 0) ^ 0x01;

/** Each site breaks one check (two for uid.txt, named both ways), as graders caught real submissions. */
const BROKEN: Array<{ what: string; files: SiteFile[]; fails: CheckName[] }> = [
  {
    what: 'uid.txt with one byte changed',
    files: replace(honest, 'uid.txt', oneByteOff),
    fails: ['uid', 'uidAsIs'],
  },
  {
    what: 'an Apache LICENSE',
    files: replace(
      honest,
      'LICENSE',
      'Apache License\nVersion 2.0, January 2004\nhttp://www.apache.org/licenses/\n',
    ),
    fails: ['mit'],
  },
  {
    what: 'index.html missing the link to pelican.svg',
    files: replace(
      honest,
      'index.html',
      text('index.html').replace('<li><a href="pelican.svg">pelican.svg</a></li>', ''),
    ),
    fails: ['links'],
  },
  {
    what: 'about.md with four words',
    files: replace(honest, 'about.md', 'a curious careful builder\n'),
    fails: ['words'],
  },
  {
    what: 'an SVG that does not parse',
    files: replace(honest, 'pelican.svg', '<svg xmlns="http://www.w3.org/2000/svg"><circle cx="5"></svg>\n'),
    fails: ['svg'],
  },
  {
    what: 'prediction.json missing',
    files: honest.filter((file) => file.path !== 'prediction.json'),
    fails: ['exist'],
  },
  {
    what: 'a README without a Usage section',
    files: replace(honest, 'README.md', text('README.md').replace('## Usage', '## Notes')),
    fails: ['readme'],
  },
  {
    what: 'dilemma.json with a trailing comma',
    files: replace(honest, 'dilemma.json', '{"people": 3,}'),
    fails: ['json'],
  },
  {
    what: 'index.html without its closing </html>',
    files: replace(honest, 'index.html', text('index.html').replace('</html>', '')),
    fails: ['html'],
  },
];

beforeAll(async () => {
  runner = await createBrowserRunner({ workRoot });
});

afterAll(async () => {
  await runner?.close();
  await rm(workRoot, { recursive: true, force: true });
});

const statuses = (result: Awaited<ReturnType<BrowserRunner['run']>>) =>
  Object.fromEntries(result.checks.map((check) => [check.id, check.status]));

describe('Rule expressions in Chromium, on the worked example', () => {
  it('recognizes every one of these checks by rule', () => {
    expect(compiled.pending).toEqual([]);
    expect(BROWSER_CHECKS).toHaveLength(NAMES.length);
  });

  it('passes every check on the site that honours them', async () => {
    // Act
    const result = await runner.run({ files: honest, checks: BROWSER_CHECKS, timeoutMs: 20_000 });

    // Assess
    expect(result.status).toBe('ran');
    expect(statuses(result)).toEqual(Object.fromEntries(NAMES.map((name) => [name, 'passed'])));
    expect(result.pageErrors).toEqual([]);
  });

  it('fails exactly the check each broken site breaks, and passes the rest', async () => {
    // Act: one site at a time. Other files run Chromium beside this one (the task e2e gives a site
    // 8 s), so this file adds one browser to the machine's load, never four.
    const results: Array<Awaited<ReturnType<BrowserRunner['run']>>> = [];
    for (const site of BROKEN) {
      results.push(await runner.run({ files: site.files, checks: BROWSER_CHECKS, timeoutMs: 20_000 }));
    }

    // Assess
    BROKEN.forEach((site, i) => {
      const result = results[i];
      expect(result?.status, site.what).toBe('ran');
      const expected = Object.fromEntries(
        NAMES.map((name) => [name, site.fails.includes(name) ? 'failed' : 'passed']),
      );
      expect(result ? statuses(result) : {}, site.what).toEqual(expected);
    });
  });
});
