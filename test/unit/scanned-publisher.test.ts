import { describe, expect, it } from 'vitest';
import type { Publisher, PublishRequest } from '../../shared/kinds/task/publisher.js';
import { scanBeforePublish } from '../../shared/kinds/task/scanned-publisher.js';
import { SecretFoundError } from '../../shared/kinds/task/secret-found-error.js';

/** A publisher that only records what reached it. */
function recordingPublisher(): Publisher & { published: PublishRequest[] } {
  const published: PublishRequest[] = [];
  return {
    published,
    async publish(request) {
      published.push(request);
      return { owner: 'o', repo: 'r', repoUrl: 'u', commitSha: 'c', pagesUrl: 'p' };
    },
    async pagesStatus() {
      return { status: 'built', live: true, pagesUrl: 'p' };
    },
  };
}

const request = (text: string, description = 'a site'): PublishRequest => ({
  task: 't',
  round: 1,
  email: 'e@example.com',
  files: [{ path: 'index.html', content: Buffer.from(text) }],
  description,
});
const token = `ghp_${'Z9y8X7w6V5u4T3s2R1q0'}${'P9o8N7m6L5k4J3i2'}`;
const keys = [{ name: 'TASK_SECRET', value: 'task-secret-value-42' }];

describe('Function: scanBeforePublish', () => {
  it('passes a clean site through to the publisher', async () => {
    const inner = recordingPublisher();
    await scanBeforePublish(inner, keys).publish(request('<p>hello</p>'));
    expect(inner.published).toHaveLength(1);
  });

  it('refuses a token-shaped string, and nothing reaches the publisher', async () => {
    const inner = recordingPublisher();
    const refusal = await scanBeforePublish(inner, keys)
      .publish(request(`<script>const t = "${token}"</script>`))
      .catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(SecretFoundError);
    expect((refusal as Error).message).toContain('index.html line 1');
    expect(inner.published).toEqual([]);
  });

  it("refuses a deployment key in the repository's description too", async () => {
    const inner = recordingPublisher();
    await expect(
      scanBeforePublish(inner, keys).publish(request('<p>hi</p>', 'site task-secret-value-42')),
    ).rejects.toThrow(/\(repository description\) line 1 \(deployment key TASK_SECRET\)/);
    expect(inner.published).toEqual([]);
  });
});
