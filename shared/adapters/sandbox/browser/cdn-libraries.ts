import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, normalize, sep } from 'node:path';

/**
 * Libraries the sandbox ships from npm and serves under their usual CDN URLs, so a candidate that
 * loads them from a CDN can be checked offline. A URL asking another version gets the installed one
 * (recorded); only files the installed package has are served, plus the two fallbacks a CDN itself
 * makes (jsdelivr minifies `x.js` when `x.min.js` is asked) or a renamed build (`aliases`).
 */
interface LibrarySpec {
  /** The package on npm whose files answer. */
  pkg: string;
  /** Names a CDN URL may use for it: npm names on jsdelivr/unpkg, the library name on cdnjs. */
  npmNames: readonly string[];
  cdnjsName?: string;
  /** cdnjs serves a package's build directory as its root. */
  cdnjsRoot?: string;
  /** Served when the URL names no file. */
  defaultFile: string;
  /** Paths of other versions, mapped to the installed file that replaces them. */
  aliases?: Readonly<Record<string, string>>;
}

const LIBRARIES: readonly LibrarySpec[] = [
  {
    pkg: 'bootstrap',
    npmNames: ['bootstrap'],
    cdnjsName: 'bootstrap',
    cdnjsRoot: 'dist',
    defaultFile: 'dist/js/bootstrap.min.js',
  },
  {
    pkg: 'marked',
    npmNames: ['marked'],
    cdnjsName: 'marked',
    defaultFile: 'lib/marked.umd.js',
    // marked ≤ 4 shipped `marked.min.js` at the root; later versions build `lib/marked.umd.js`.
    aliases: {
      'marked.min.js': 'lib/marked.umd.js',
      'marked.js': 'lib/marked.umd.js',
      'lib/marked.js': 'lib/marked.umd.js',
      'lib/marked.min.js': 'lib/marked.umd.js',
      'lib/marked.umd.min.js': 'lib/marked.umd.js',
      'lib/marked.esm.min.js': 'lib/marked.esm.js',
      'marked.esm.js': 'lib/marked.esm.js',
    },
  },
  {
    // The browser build of highlight.js is its cdn-assets package (what cdnjs serves).
    pkg: '@highlightjs/cdn-assets',
    npmNames: ['@highlightjs/cdn-assets'],
    cdnjsName: 'highlight.js',
    defaultFile: 'highlight.min.js',
  },
  {
    pkg: 'highlight.js',
    npmNames: ['highlight.js'],
    defaultFile: 'lib/index.js',
  },
];

export interface CdnRequest {
  host: string;
  /** The package name as the URL spells it (npm name, or the cdnjs library name). */
  name: string;
  /** The version the URL asks, or null when it names none (`latest`). */
  version: string | null;
  /** The file inside the package (cdnjs: inside its build root). */
  file: string;
  via: 'npm' | 'cdnjs' | 'gh';
}

const NPM_PACKAGE = /^((?:@[^/@]+\/)?[^/@]+)(?:@([^/]+))?(?:\/(.*))?$/;

/** What a CDN URL asks for, or null when the URL is not one of the CDNs the sandbox answers. */
export function parseCdnUrl(url: URL): CdnRequest | null {
  const path = url.pathname;
  const host = url.hostname;
  const npmRest =
    host === 'cdn.jsdelivr.net' && path.startsWith('/npm/')
      ? path.slice('/npm/'.length)
      : host === 'unpkg.com'
        ? path.slice(1)
        : null;
  if (npmRest !== null) {
    const m = NPM_PACKAGE.exec(decodeURIComponent(npmRest));
    if (m?.[1] === undefined) return null;
    return { host, name: m[1], version: pinned(m[2]), file: m[3] ?? '', via: 'npm' };
  }
  if (host === 'cdn.jsdelivr.net' && path.startsWith('/gh/highlightjs/cdn-release')) {
    const m = /^\/gh\/highlightjs\/cdn-release(?:@([^/]+))?\/build\/(.*)$/.exec(path);
    if (m === null) return null;
    return { host, name: '@highlightjs/cdn-assets', version: pinned(m[1]), file: m[2] ?? '', via: 'gh' };
  }
  if (host === 'cdnjs.cloudflare.com') {
    const m = /^\/ajax\/libs\/([^/]+)\/([^/]+)\/(.+)$/.exec(path);
    if (m?.[1] === undefined || m[2] === undefined || m[3] === undefined) return null;
    return { host, name: m[1], version: pinned(m[2]), file: m[3], via: 'cdnjs' };
  }
  return null;
}

function pinned(version: string | undefined): string | null {
  return version === undefined || version === 'latest' ? null : version;
}

export interface CdnFile {
  content: Buffer;
  /** The installed file that answered, relative to its package. */
  servedPath: string;
  /** Set when the answer is not exactly what the URL asks (another version or file name). */
  substitution?: string;
}

interface InstalledLibrary {
  spec: LibrarySpec;
  dir: string;
  version: string;
}

/** Answers CDN URLs from the installed packages; files are read once and kept. */
export class CdnLibraries {
  private readonly cache = new Map<string, Buffer | null>();

  private constructor(private readonly installed: readonly InstalledLibrary[]) {}

  /** Finds each library's installed package next to this module; a missing one is simply not served. */
  static load(): CdnLibraries {
    const require = createRequire(import.meta.url);
    const installed: InstalledLibrary[] = [];
    for (const spec of LIBRARIES) {
      const dir = (require.resolve.paths(spec.pkg) ?? [])
        .map((p) => join(p, spec.pkg))
        .find((d) => existsSync(join(d, 'package.json')));
      if (dir === undefined) continue;
      const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string };
      installed.push({ spec, dir, version });
    }
    return new CdnLibraries(installed);
  }

  /** `name@version` of every library served, for capabilities and the README. */
  list(): string[] {
    return this.installed.map((lib) => `${lib.spec.pkg}@${lib.version}`);
  }

  /** The file that answers a CDN request, or null when the sandbox does not ship it. */
  async resolve(request: CdnRequest): Promise<CdnFile | null> {
    const lib = this.installed.find((l) =>
      request.via === 'cdnjs' ? l.spec.cdnjsName === request.name : l.spec.npmNames.includes(request.name),
    );
    if (lib === undefined) return null;
    const asked =
      request.via === 'cdnjs' && lib.spec.cdnjsRoot ? `${lib.spec.cdnjsRoot}/${request.file}` : request.file;
    const candidates: Array<{ path: string; renamed: boolean }> = [];
    if (asked === '' || asked.endsWith('/')) candidates.push({ path: lib.spec.defaultFile, renamed: false });
    else {
      candidates.push({ path: asked, renamed: false });
      const unminified = asked.replace(/\.min\.(js|css)$/, '.$1');
      if (unminified !== asked) candidates.push({ path: unminified, renamed: false });
      const alias = lib.spec.aliases?.[asked];
      if (alias !== undefined) candidates.push({ path: alias, renamed: true });
    }
    for (const candidate of candidates) {
      const content = await this.read(lib.dir, candidate.path);
      if (content === null) continue;
      const versionDiffers = request.version !== null && !sameVersion(request.version, lib.version);
      const file: CdnFile = { content, servedPath: candidate.path };
      if (versionDiffers || candidate.renamed) {
        const askedName = `${request.name}@${request.version ?? 'latest'}/${request.file}`;
        file.substitution = `${request.host}: ${askedName} served from ${lib.spec.pkg}@${lib.version}/${candidate.path}`;
      }
      return file;
    }
    return null;
  }

  private async read(dir: string, relative: string): Promise<Buffer | null> {
    const path = normalize(join(dir, relative));
    if (!path.startsWith(dir + sep)) return null;
    if (this.cache.has(path)) return this.cache.get(path) ?? null;
    const content = await readFile(path).catch(() => null);
    this.cache.set(path, content);
    return content;
  }
}

/** A CDN range like `5`, `5.3` or `^5.3.0` matches an installed `5.3.9` on its given parts. */
function sameVersion(asked: string, installed: string): boolean {
  const want = asked.replace(/^[\^~=v]/, '').split('.');
  const have = installed.split('.');
  return want.every((part, i) => part === 'x' || part === '*' || part === have[i]);
}
