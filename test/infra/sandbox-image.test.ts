import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PLAN_SCRIPT, TRACE_SCRIPT } from '../../shared/kinds/fix/search/search-scripts.js';

const dir = resolve(import.meta.dirname, '../../sandbox-image');
const dockerfile = readFileSync(resolve(dir, 'Dockerfile'), 'utf8');
const requirements = readFileSync(resolve(dir, 'requirements.txt'), 'utf8');

/** Instructions without comments, continuation lines joined. */
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'));
const stages = dockerfile.split(/^FROM /m).slice(1);
const runtimeStage = stages.at(-1) ?? '';
const runtimeInstructions = instructions.slice(instructions.findLastIndex((l) => l.startsWith('FROM ')));

const pins = new Map(
  requirements
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => {
      const [name = '', version = ''] = l.split('==');
      return [name.toLowerCase(), version] as const;
    }),
);

describe('File: sandbox-image/Dockerfile', () => {
  it('builds on the AWS Lambda Node.js 22 base image in every stage', () => {
    const bases = instructions.filter((l) => l.startsWith('FROM ')).map((l) => l.split(/\s+/)[1]);
    expect(bases.length).toBeGreaterThanOrEqual(1);
    for (const base of bases) expect(base).toBe('public.ecr.aws/lambda/nodejs:22');
  });

  it('installs Python 3.12 and the pinned libraries at build time', () => {
    expect(runtimeStage).toMatch(/dnf install -y python3\.12/);
    expect(runtimeStage).toContain('-r /opt/sandbox/requirements.txt');
    for (const lib of ['pandas', 'numpy', 'scipy', 'scikit-learn', 'openpyxl', 'ast-grep-cli']) {
      expect(pins.get(lib), lib).toMatch(/^\d+(\.\d+)+$/);
    }
    for (const line of requirements.split('\n').filter((l) => /^[a-z]/i.test(l))) expect(line).toMatch(/==/);
  });

  it("gives the supervisor libseccomp and a binding for the image's Python", () => {
    // The supervisor imports `seccomp` (Debian) or `pyseccomp` (the same API, ctypes over libseccomp.so.2).
    expect(runtimeStage).toMatch(/dnf install -y [^\n]*\blibseccomp\b/);
    expect(pins.get('pyseccomp')).toMatch(/^\d+(\.\d+)+$/);
    const supervisor = readFileSync(
      resolve(import.meta.dirname, '../../shared/adapters/sandbox/python/te_sandbox_supervisor.py'),
      'utf8',
    );
    expect(supervisor).toContain('import pyseccomp as seccomp');
  });

  it('preloads the non-dumpable library into the Node runtime, built in the build stage', () => {
    expect(stages[0]).toMatch(/gcc -shared -fPIC [^\n]*-o \/build\/te_nodump\.so nodump\.c/);
    expect(runtimeStage).toContain('COPY --from=build /build/te_nodump.so /opt/sandbox/lib/te_nodump.so');
    expect(runtimeStage).toMatch(/^ENV LD_PRELOAD=\/opt\/sandbox\/lib\/te_nodump\.so$/m);
    expect(runtimeStage).not.toMatch(/dnf install[^\n]*gcc/);
    const source = readFileSync(resolve(dir, 'nodump.c'), 'utf8');
    expect(source).toContain('prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)');
    expect(source).toContain('__attribute__((constructor))');
  });

  it('leaves no way to install anything at run time', () => {
    expect(runtimeStage).toContain('pip uninstall -y pip');
    expect(runtimeStage).toMatch(/PIP_NO_INDEX=1/);
    const cmd = runtimeInstructions
      .filter((l) => l.startsWith('CMD') || l.startsWith('ENTRYPOINT'))
      .join(' ');
    expect(cmd).not.toMatch(/pip|npm|dnf|curl|wget/);
  });

  it('does not run as root', () => {
    const users = runtimeInstructions.filter((l) => l.startsWith('USER '));
    expect(users.length).toBeGreaterThan(0);
    const last = users.at(-1)?.split(/\s+/)[1] ?? '';
    expect(last).not.toMatch(/^(root|0)(:|$)/);
  });

  it('unpacks a pinned Lambda Chromium at build time and points the browser runner at it', () => {
    const chromiumStage = stages.find((stage) => /^\S+ AS chromium$/m.test(stage)) ?? '';
    expect(chromiumStage).toMatch(/npm install [^\n]*@sparticuz\/chromium@\d+\.\d+\.\d+ /);
    // Unpacked into the image now, with the AL2023 libraries; nothing is unpacked into /tmp at run time.
    expect(chromiumStage).toMatch(/TMPDIR=\/opt\/chromium AWS_EXECUTION_ENV=AWS_Lambda_nodejs22\.x/);
    expect(chromiumStage).toContain('test -x /opt/chromium/chromium');
    expect(runtimeStage).toContain('COPY --from=chromium /opt/chromium/ /opt/chromium/');
    expect(runtimeStage).toMatch(/\/opt\/chromium\/al2023\/lib > \/etc\/ld\.so\.conf\.d\/chromium\.conf/);
    expect(runtimeStage).toMatch(/SANDBOX_CHROMIUM=\/opt\/chromium\/chromium/);
    expect(runtimeStage).not.toMatch(/npm install/);
    // playwright-core reads its own files: it goes beside the bundle as a package, with the CDN libraries.
    expect(stages[0]).toMatch(
      /esbuild lambdas\/sandbox\/handler\.ts [^\n]*\n[^\n]*--external:playwright-core/,
    );
    for (const pkg of ['playwright-core', 'bootstrap', 'marked', 'highlight.js', '@highlightjs/cdn-assets']) {
      expect(runtimeStage).toContain(
        `COPY --from=build /build/node_modules/${pkg}/ \${LAMBDA_TASK_ROOT}/node_modules/${pkg}/`,
      );
    }
    // The code drives any Chromium through playwright-core; the package is only the image's build step.
    const pkg = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../package.json'), 'utf8'));
    expect(Object.keys({ ...pkg.dependencies, ...pkg.devDependencies })).not.toContain('@sparticuz/chromium');
  });

  it('bundles the sandbox handler with esbuild and points CMD at it', () => {
    expect(dockerfile).toMatch(/esbuild lambdas\/sandbox\/handler\.ts --bundle/);
    expect(runtimeInstructions.at(-1)).toBe('CMD ["lambdas/sandbox/handler.handler"]');
    expect(runtimeStage).toMatch(
      /COPY shared\/adapters\/sandbox\/python\/ \$\{LAMBDA_TASK_ROOT\}\/lambdas\/sandbox\/python\//,
    );
    expect(runtimeStage).toMatch(/SANDBOX_PYTHON=\/usr\/bin\/python3\.12/);
  });

  it('puts the repair search scripts beside the bundle, where the bundled module looks for them', () => {
    // search-scripts.ts reads ./python/<script> relative to its module, which the bundle inlines.
    expect(runtimeStage).toContain(
      `COPY shared/kinds/fix/search/python/ \${LAMBDA_TASK_ROOT}/lambdas/sandbox/python/`,
    );
    for (const script of [TRACE_SCRIPT, PLAN_SCRIPT]) {
      expect(existsSync(resolve(import.meta.dirname, '../../shared/kinds/fix/search/python', script))).toBe(
        true,
      );
    }
  });
});
