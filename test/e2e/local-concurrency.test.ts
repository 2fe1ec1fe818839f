import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  postFix,
  type StackFixture,
  startStackFixture,
  waitForResult,
} from '../support/local-stack-fixture.js';

let fixture: StackFixture;

beforeAll(async () => {
  fixture = await startStackFixture({ SANDBOX_CONCURRENCY: '1' });
});

afterAll(async () => {
  await fixture?.stop();
});

// Each candidate prints when it started and ended; with one slot no two runs may overlap.
const timed = (tag: string) =>
  `import time\nstart = time.time()\ntime.sleep(0.3)\nprint("${tag}", start, time.time())\n`;

describe('Local stack sandbox concurrency', () => {
  it('runs no more sandboxes at once than SANDBOX_CONCURRENCY allows', async () => {
    const { json } = await postFix(fixture.stack, {
      code: 'raise SystemExit(1)\n',
      candidates: [timed('a'), timed('b'), timed('c')],
    });
    const view = await waitForResult(fixture.stack, String(json.sessionId));
    expect(view.status).toBe('verified');
    const spans = view.candidates
      .map((candidate) => (candidate.stdout ?? '').trim().split(' ').slice(1).map(Number) as [number, number])
      .sort((a, b) => a[0] - b[0]);
    expect(spans).toHaveLength(3);
    for (let i = 1; i < spans.length; i += 1) {
      const previous = spans[i - 1] as [number, number];
      const current = spans[i] as [number, number];
      expect(current[0]).toBeGreaterThanOrEqual(previous[1]);
    }
  });
});
