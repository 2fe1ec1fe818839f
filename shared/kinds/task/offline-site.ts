import { requiredFiles } from './check-rules.js';
import { mitLicense } from './license.js';
import { readme } from './readme.js';
import type { SiteFile } from './site.js';
import type { TaskRequest } from './task-request.js';

/** The exact page title a brief or its checks ask for, when either says it plainly. */
export function askedTitle(brief: string, checks: readonly string[]): string | undefined {
  for (const check of checks) {
    const match = /document\.title\s*===?\s*(["'`])([^"'`]+)\1/.exec(check);
    if (match?.[2]) return match[2];
  }
  const match = /\btitle\b[^"“'\n]{0,40}["“']([^"”'\n]{1,120})["”']/i.exec(brief);
  return match?.[1];
}

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

/**
 * With no model, one honest site: the index page with the exact title the brief gives, links to every
 * file it holds, the MIT LICENSE, a README, and the attachments byte for byte. It writes nothing it
 * would have to make up: what the brief asks beyond this shows up as failed checks, never as filler.
 */
export function buildOfflineSite(request: TaskRequest, now = new Date()): SiteFile[] {
  const title = askedTitle(request.brief, request.checks) ?? request.task;
  const files: SiteFile[] = request.attachments.map((attachment) => ({
    path: attachment.name,
    content: attachment.bytes,
  }));
  files.push({ path: 'LICENSE', content: Buffer.from(mitLicense(now.getUTCFullYear(), request.task)) });
  files.push({
    path: 'README.md',
    content: Buffer.from(
      readme(
        {
          title,
          summary: `A static site for the task "${request.task}", built from its brief:\n\n> ${request.brief.trim().split('\n').join('\n> ')}`,
          setup:
            'Nothing to install: the site is static files. Serve the folder with any static server, e.g. `python3 -m http.server`.',
          usage: 'Open `index.html`; it links to every file of the site.',
          code: '`index.html` is the home page; the other files are the ones the brief asked for, attachments as sent.',
        },
        request.task,
      ),
    ),
  });
  const listed = [...new Set([...files.map((file) => file.path), ...requiredFiles(request.brief)])]
    .filter((path) => path !== 'index.html')
    .filter((path) => files.some((file) => file.path === path));
  const links = listed
    .map((path) => `      <li><a href="${escapeHtml(path)}">${escapeHtml(path)}</a></li>`)
    .join('\n');
  files.push({
    path: 'index.html',
    content: Buffer.from(`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>${escapeHtml(title)}</title>
  </head>
  <body>
    <h1>${escapeHtml(title)}</h1>
    <ul>
${links}
    </ul>
  </body>
</html>
`),
  });
  return files.sort((a, b) => a.path.localeCompare(b.path));
}
