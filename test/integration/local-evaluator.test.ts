import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalEvaluator, type SentRound } from '../../infra/local/local-evaluator.js';

const sent: SentRound = { email: 'demo@example.com', task: 'sales-total', round: 1, nonce: 'n-1' };
const notification = {
  ...sent,
  repo_url: 'file:///tmp/pages/local/sales-total',
  commit_sha: '6aaa6040d0ca464bd50ef98d6ae07f3293adde9d',
  pages_url: 'http://127.0.0.1:3000/pages/local/sales-total/',
};

let evaluator: LocalEvaluator;

beforeEach(async () => {
  evaluator = await LocalEvaluator.start(sent);
});

afterEach(async () => {
  await evaluator.close();
});

async function post(body: unknown, contentType = 'application/json') {
  const response = await fetch(evaluator.url, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe('Class: LocalEvaluator', () => {
  it('listens on loopback at /evaluate', () => {
    expect(evaluator.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/evaluate$/);
  });

  it('answers 200 to the notification of the round it sent, and records it as accepted', async () => {
    // Act
    const answer = await post(notification);

    // Assess
    expect(answer).toEqual({ status: 200, json: { status: 'ok' } });
    expect(evaluator.received).toHaveLength(1);
    expect(evaluator.received[0]).toMatchObject({
      status: 200,
      contentType: 'application/json',
      body: notification,
    });
    expect(evaluator.received[0]?.reason).toBeUndefined();
    expect(evaluator.accepted()).toHaveLength(1);
  });

  it('answers 400 to a mismatching nonce, naming it, and records it as refused', async () => {
    // Act
    const answer = await post({ ...notification, nonce: 'n-other' });

    // Assess
    expect(answer.status).toBe(400);
    expect(answer.json.error).toContain('nonce');
    expect(evaluator.received).toHaveLength(1);
    expect(evaluator.received[0]).toMatchObject({ status: 400, body: { nonce: 'n-other' } });
    expect(evaluator.received[0]?.reason).toBe('not the round sent: nonce differ');
    expect(evaluator.accepted()).toEqual([]);
  });

  it.each([
    ['a round sent as text', { ...notification, round: '1' }, 'round'],
    ['another email', { ...notification, email: 'someone@example.com' }, 'email'],
    ['no commit_sha', { ...notification, commit_sha: undefined }, 'commit_sha'],
    ['an empty pages_url', { ...notification, pages_url: ' ' }, 'pages_url'],
  ])('answers 400 to %s', async (_name, body, field) => {
    const answer = await post(body);
    expect(answer.status).toBe(400);
    expect(answer.json.error).toContain(field);
    expect(evaluator.accepted()).toEqual([]);
  });

  it('answers 400 to a body that is not JSON, or not sent as JSON', async () => {
    expect((await post('{"email":')).status).toBe(400);
    expect((await post(notification, 'text/plain')).status).toBe(400);
    expect(evaluator.received.map((receipt) => receipt.reason)).toEqual([
      'the body is not JSON',
      'the content type must be application/json',
    ]);
  });

  it('records nothing but POSTs to its path', async () => {
    expect((await fetch(evaluator.url)).status).toBe(405);
    expect((await fetch(evaluator.url.replace('/evaluate', '/other'), { method: 'POST' })).status).toBe(404);
    expect(evaluator.received).toEqual([]);
  });
});
