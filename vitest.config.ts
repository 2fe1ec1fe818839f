import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['infra/local/polyfills.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two files at once: most of the suite waits on real timers, sockets and child processes, not
    // on the CPU (vitest's default here is one, a core less than the machine has). Runners in
    // different files never share a sandbox uid: every runner locks uids in one host-wide dir.
    maxWorkers: 2,
    // Engine logs are JSON lines for operators; in tests only errors are worth reading.
    env: { POWERTOOLS_LOG_LEVEL: 'ERROR', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    reporters: ['default'],
  },
});
