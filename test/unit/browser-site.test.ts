import { describe, expect, it } from 'vitest';
import { wrapperScript } from '../../shared/adapters/sandbox/browser/browser-containment.js';
import { CdnLibraries, parseCdnUrl } from '../../shared/adapters/sandbox/browser/cdn-libraries.js';
import { checkExpression } from '../../shared/adapters/sandbox/browser/check-expression.js';
import { contentTypeFor } from '../../shared/adapters/sandbox/browser/content-types.js';
import { CappedList } from '../../shared/adapters/sandbox/browser/job-record.js';
import { SiteFiles } from '../../shared/adapters/sandbox/browser/site-files.js';
import { InvalidSandboxJobError } from '../../shared/adapters/sandbox/index.js';

const buf = (s: string) => Buffer.from(s);

describe('Class: SiteFiles', () => {
  const site = new SiteFiles([
    { path: 'index.html', content: buf('root') },
    { path: 'docs/index.html', content: buf('docs') },
    { path: 'data/a b.json', content: buf('{}') },
  ]);

  it('serves a file by its URL path, and a directory by its index.html', () => {
    expect(site.lookup('/')?.path).toBe('index.html');
    expect(site.lookup('/index.html')?.content.toString()).toBe('root');
    expect(site.lookup('/docs/')?.path).toBe('docs/index.html');
    expect(site.lookup('/docs')?.path).toBe('docs/index.html');
    expect(site.lookup('/data/a%20b.json')?.path).toBe('data/a b.json');
  });

  it('answers null for what the site does not have', () => {
    expect(site.lookup('/missing.js')).toBeNull();
    expect(site.lookup('/data/')).toBeNull();
    expect(site.lookup('/%E0%A4%A')).toBeNull();
  });

  it('refuses paths a static host would not serve, and a path given twice', () => {
    for (const path of ['', '/abs.html', '../x', 'a/../b', 'a//b', './a', 'a\\b', 'nul\0']) {
      expect(() => new SiteFiles([{ path, content: buf('') }])).toThrow(InvalidSandboxJobError);
    }
    expect(
      () =>
        new SiteFiles([
          { path: 'a.html', content: buf('') },
          { path: 'a.html', content: buf('') },
        ]),
    ).toThrow(/given twice/);
  });
});

describe('Function: contentTypeFor', () => {
  it('answers what a static host answers', () => {
    expect(contentTypeFor('index.html')).toBe('text/html; charset=utf-8');
    expect(contentTypeFor('app.JS')).toBe('text/javascript; charset=utf-8');
    expect(contentTypeFor('data/x.json')).toBe('application/json; charset=utf-8');
    expect(contentTypeFor('logo.svg')).toBe('image/svg+xml');
    expect(contentTypeFor('blob.bin')).toBe('application/octet-stream');
  });
});

describe('Function: parseCdnUrl', () => {
  it('reads jsdelivr, unpkg and cdnjs URLs', () => {
    expect(
      parseCdnUrl(new URL('https://cdn.jsdelivr.net/npm/bootstrap@5.3.0/dist/css/bootstrap.min.css')),
    ).toEqual({
      host: 'cdn.jsdelivr.net',
      name: 'bootstrap',
      version: '5.3.0',
      file: 'dist/css/bootstrap.min.css',
      via: 'npm',
    });
    expect(
      parseCdnUrl(new URL('https://unpkg.com/@highlightjs/cdn-assets@11.9.0/highlight.min.js')),
    ).toMatchObject({
      name: '@highlightjs/cdn-assets',
      version: '11.9.0',
      file: 'highlight.min.js',
    });
    expect(parseCdnUrl(new URL('https://cdn.jsdelivr.net/npm/marked/marked.min.js'))).toMatchObject({
      name: 'marked',
      version: null,
    });
    expect(parseCdnUrl(new URL('https://cdn.jsdelivr.net/npm/marked@latest'))).toMatchObject({
      version: null,
      file: '',
    });
    expect(
      parseCdnUrl(
        new URL('https://cdnjs.cloudflare.com/ajax/libs/highlight.js/11.9.0/styles/github.min.css'),
      ),
    ).toMatchObject({ name: 'highlight.js', version: '11.9.0', file: 'styles/github.min.css', via: 'cdnjs' });
  });

  it('answers null for hosts and paths it does not know', () => {
    expect(parseCdnUrl(new URL('https://code.jquery.com/jquery-3.7.1.min.js'))).toBeNull();
    expect(parseCdnUrl(new URL('https://cdn.jsdelivr.net/wp/plugins/x'))).toBeNull();
    expect(parseCdnUrl(new URL('https://cdnjs.cloudflare.com/ajax/libs/jquery'))).toBeNull();
  });
});

describe('Class: CdnLibraries', () => {
  const cdn = CdnLibraries.load();
  const resolve = (url: string) => {
    const request = parseCdnUrl(new URL(url));
    if (request === null) throw new Error(`not a CDN URL: ${url}`);
    return cdn.resolve(request);
  };

  it('ships bootstrap, marked and highlight.js', () => {
    expect(cdn.list().map((l) => l.split('@').slice(0, -1).join('@'))).toEqual(
      expect.arrayContaining(['bootstrap', 'marked', 'highlight.js', '@highlightjs/cdn-assets']),
    );
  });

  it('serves the exact file, noting nothing when the version matches', async () => {
    const version = cdn
      .list()
      .find((l) => l.startsWith('bootstrap@'))
      ?.split('@')[1];
    const file = await resolve(
      `https://cdn.jsdelivr.net/npm/bootstrap@${version}/dist/js/bootstrap.bundle.min.js`,
    );
    expect(file?.servedPath).toBe('dist/js/bootstrap.bundle.min.js');
    expect(file?.substitution).toBeUndefined();
    expect(
      (await resolve('https://cdn.jsdelivr.net/npm/bootstrap@5/dist/css/bootstrap.css'))?.substitution,
    ).toBeUndefined();
  });

  it("serves the installed version for another one, and cdnjs paths from the package's build root", async () => {
    const file = await resolve(
      'https://cdnjs.cloudflare.com/ajax/libs/bootstrap/5.1.3/css/bootstrap.min.css',
    );
    expect(file?.servedPath).toBe('dist/css/bootstrap.min.css');
    expect(file?.substitution).toMatch(
      /^cdnjs\.cloudflare\.com: bootstrap@5\.1\.3\/css\/bootstrap\.min\.css served from bootstrap@/,
    );
  });

  it("maps an older marked's root build to today's UMD build, saying so", async () => {
    const file = await resolve('https://cdn.jsdelivr.net/npm/marked/marked.min.js');
    expect(file?.servedPath).toBe('lib/marked.umd.js');
    expect(file?.substitution).toContain('served from marked@');
  });

  it('serves nothing it does not ship, and nothing outside the package', async () => {
    expect(await resolve('https://cdn.jsdelivr.net/npm/left-pad@1.3.0/index.js')).toBeNull();
    expect(await resolve('https://cdn.jsdelivr.net/npm/bootstrap@5.3.0/dist/js/nope.js')).toBeNull();
    expect(
      await cdn.resolve({
        host: 'unpkg.com',
        name: 'bootstrap',
        version: null,
        file: '../../package.json',
        via: 'npm',
      }),
    ).toBeNull();
  });
});

describe('Function: wrapperScript', () => {
  const limits = { dataMb: 1024, processes: 512, fileSizeMb: 64, openFiles: 1024 };
  const tools = {
    unshare: '/usr/bin/unshare',
    setpriv: '/usr/bin/setpriv',
    prlimit: '/usr/bin/prlimit',
    env: '/usr/bin/env',
  };

  it('enters a network and pid namespace, drops to the uid with no_new_privs and rlimits, then execs with the same args', () => {
    const script = wrapperScript({
      level: 'ns',
      program: '/usr/bin/chromium',
      pidFile: '/j/pid',
      home: "/j/it's",
      tools,
      uid: 200123,
      limits,
    });
    expect(script).toMatch(/^#!\/bin\/sh\necho \$\$ > '\/j\/pid'\nexec /);
    for (const part of [
      "'--net'",
      "'--pid'",
      "'--kill-child'",
      "'--reuid=200123'",
      "'--regid=200123'",
      "'--clear-groups'",
      "'--no-new-privs'",
      "'--data=1073741824'",
      "'--nproc=512'",
      "'-i'",
    ])
      expect(script).toContain(part);
    expect(script).toContain(`'HOME=/j/it'\\''s'`);
    expect(script.trimEnd().endsWith(`'/usr/bin/chromium' "$@"`)).toBe(true);
    expect(script.indexOf("'/usr/bin/unshare'")).toBeLessThan(script.indexOf("'/usr/bin/setpriv'"));
  });

  it("keeps Chromium's own sandbox level free of namespaces and uid changes", () => {
    const script = wrapperScript({
      level: 'chromium-sandbox',
      program: '/usr/bin/chromium',
      pidFile: '/j/pid',
      home: '/j/home',
    });
    expect(script).not.toContain('unshare');
    expect(script).not.toContain('setpriv');
    expect(script).toContain("'/usr/bin/env' '-i'");
  });

  it('refuses the ns level without its tools, uid and limits', () => {
    expect(() =>
      wrapperScript({ level: 'ns', program: '/usr/bin/chromium', pidFile: '/p', home: '/h' }),
    ).toThrow(/needs/);
  });
});

describe('Function: checkExpression', () => {
  it('awaits the expression and compares it with === true in the page', async () => {
    // biome-ignore lint/security/noGlobalEval: the expression is the test's own
    const indirectEval = eval;
    const run = (js: string) =>
      indirectEval(checkExpression(js)) as Promise<{ passed: boolean; value: string }>;
    expect(await run('1 + 1 === 2;')).toEqual({ passed: true, value: 'true' });
    expect(await run('Promise.resolve(1)')).toEqual({ passed: false, value: '1' });
    expect(await run('undefined')).toEqual({ passed: false, value: 'undefined' });
    const cyclic = await run('(() => { const a = {}; a.a = a; return a; })()');
    expect(cyclic).toEqual({ passed: false, value: '[object Object]' });
    expect(await run('Object.create(null)')).toEqual({ passed: false, value: '{}' });
    expect(await run('({ toJSON() { throw 1; }, toString: null, valueOf: null })')).toEqual({
      passed: false,
      value: 'object',
    });
    expect((await run('"x".repeat(1e6)')).value).toHaveLength(501);
  });
});

describe('Class: CappedList', () => {
  it('caps the count and each entry, and keeps unique entries once', () => {
    const list = new CappedList(2, 5, true);
    for (const s of ['abcdefgh', 'abcdefgh', 'x', 'y', 'z']) list.push(s);
    expect(list.toArray()).toEqual(['abcd…', 'x', '… 2 more']);
  });
});
