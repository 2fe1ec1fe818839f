import { mitLicense } from './license.js';
import { askedTitle } from './offline-site.js';
import { readme } from './readme.js';
import { applyChanges, isSafeSitePath, type SiteFile } from './site.js';
import type { TaskRequest } from './task-request.js';

/** What a model proposes for a site, in the shape of its answer. */
export interface ProposedSite {
  title: string;
  files: ReadonlyArray<{ path: string; content: string; delete?: boolean | undefined }>;
  readme: { summary: string; setup: string; usage: string; code: string };
}

export interface CompiledSite {
  files: SiteFile[];
  /** Paths refused: unsafe, or files the engine writes itself. */
  dropped: string[];
}

/**
 * A candidate site as it will be checked and published. Code writes what must be exact — the MIT
 * LICENSE, the attachments byte for byte, the README's layout — and the model's files fill in the
 * rest; a revision starts from the published files (a file named with `delete` is removed).
 */
export function composeSite(
  request: TaskRequest,
  proposed: ProposedSite,
  current: readonly SiteFile[] = [],
  now = new Date(),
): CompiledSite {
  const reserved = new Set(['LICENSE', 'README.md', ...request.attachments.map((a) => a.name)]);
  const dropped: string[] = [];
  const changes = proposed.files.flatMap((file) => {
    if (!isSafeSitePath(file.path) || reserved.has(file.path)) {
      dropped.push(file.path);
      return [];
    }
    return [
      file.delete ? { path: file.path, delete: true as const } : { path: file.path, content: file.content },
    ];
  });
  const title = askedTitle(request.brief, request.checks) ?? request.task;
  const exact: SiteFile[] = [
    { path: 'LICENSE', content: Buffer.from(mitLicense(now.getUTCFullYear(), request.task)) },
    {
      path: 'README.md',
      content: Buffer.from(
        readme(
          {
            title,
            summary: proposed.readme.summary || `A static site built for the task "${request.task}".`,
            setup:
              proposed.readme.setup || 'Nothing to install: serve the folder with any static file server.',
            usage: proposed.readme.usage || 'Open `index.html` in a browser.',
            code: proposed.readme.code || '`index.html` holds the page and its script.',
          },
          request.task,
        ),
      ),
    },
    ...request.attachments.map((attachment) => ({ path: attachment.name, content: attachment.bytes })),
  ];
  const files = applyChanges(current, changes).filter((file) => !reserved.has(file.path));
  return { files: [...files, ...exact].sort((a, b) => a.path.localeCompare(b.path)), dropped };
}
