import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../shared/domain/errors.js';
import { parseDataUri } from '../../shared/kinds/task/data-uri.js';
import { parseTaskRequest } from '../../shared/kinds/task/task-request.js';

const example = JSON.parse(
  readFileSync(new URL('../fixtures/task-llmpages.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;
const valid = { ...example, evaluation_url: 'https://evaluator.example/notify' };

function refusal(body: unknown, allowLoopbackCallback = false): InvalidRequestError {
  try {
    parseTaskRequest(body, { allowLoopbackCallback });
  } catch (error) {
    if (error instanceof InvalidRequestError) return error;
    throw error;
  }
  throw new Error('the request was accepted');
}

describe('Function: parseDataUri', () => {
  it('decodes base64 of any claimed media type, and percent-encoded text', () => {
    expect(parseDataUri('data:@file/zip;base64,UEsDBA==')).toEqual({
      mediaType: '@file/zip',
      bytes: Buffer.from('PK\u0003\u0004', 'latin1'),
    });
    expect(parseDataUri('data:,a%20b').bytes.toString()).toBe('a b');
    expect(parseDataUri('data:text/plain;charset=utf-8;base64,aMOp').bytes.toString()).toBe('hé');
  });

  it('refuses what is not a well-formed data URI', () => {
    for (const uri of [
      'https://x/y.png',
      'data:text/plain;base64',
      'data:;base64,abc',
      'data:;base64,@@@@',
    ]) {
      expect(() => parseDataUri(uri), uri).toThrow();
    }
  });
});

describe('Function: parseTaskRequest', () => {
  it('accepts the worked example and keeps uid.txt byte for byte (no trailing newline)', () => {
    const { request, secret } = parseTaskRequest(valid, { allowLoopbackCallback: false });
    expect(secret).toBe('change-me');
    expect(request).toMatchObject({ task: 'LLMPages', round: 1, email: 'student@example.com' });
    expect(request.checks).toHaveLength(11);
    const [uid] = request.attachments;
    expect(uid?.name).toBe('uid.txt');
    expect(uid?.bytes.toString()).toMatch(/^\d+$/);
    expect(uid?.bytes.at(-1)).not.toBe(0x0a);
  });

  it.each([
    ['round', { round: 0 }],
    ['round', { round: 1.5 }],
    ['task', { task: '../etc' }],
    ['task', { task: 'a'.repeat(101) }],
    ['email', { email: 'nobody' }],
    ['nonce', { nonce: '' }],
    ['brief', { brief: '' }],
    ['checks', { checks: [] }],
    ['checks.1', { checks: ['ok', '   '] }],
    ['evaluation_url', { evaluation_url: 'http://evaluator.example/notify' }],
    ['evaluation_url', { evaluation_url: 'not a url' }],
    ['evaluation_url', { evaluation_url: 'http://127.0.0.1:8787/evaluate' }],
    ['attachments.0.name', { attachments: [{ name: '../x', url: 'data:,x' }] }],
    ['attachments.0.name', { attachments: [{ name: 'a/b.txt', url: 'data:,x' }] }],
    ['attachments.0.name', { attachments: [{ name: 'a\u0000.txt', url: 'data:,x' }] }],
    [
      'attachments.1.name',
      {
        attachments: [
          { name: 'a.txt', url: 'data:,x' },
          { name: 'a.txt', url: 'data:,y' },
        ],
      },
    ],
    ['attachments.0.url', { attachments: [{ name: 'a.bin', url: 'data:;base64,###' }] }],
    ['attachments.0.url', { attachments: [{ name: 'a.bin', url: `data:;base64,${'A'.repeat(2_200_000)}` }] }],
    ['secret', { secret: undefined }],
  ])('names %s when it is wrong', (field, change) => {
    expect(refusal({ ...valid, ...change }).field).toBe(field);
  });

  it('takes a loopback callback only where the deployment allows it', () => {
    const local = { ...valid, evaluation_url: 'http://127.0.0.1:8787/evaluate' };
    expect(parseTaskRequest(local, { allowLoopbackCallback: true }).request.evaluationUrl).toBe(
      'http://127.0.0.1:8787/evaluate',
    );
    expect(refusal({ ...valid, evaluation_url: 'http://10.0.0.1/x' }, true).field).toBe('evaluation_url');
  });

  it('refuses a body that is not an object', () => {
    expect(refusal([]).field).toBe('body');
    expect(refusal(null).field).toBe('body');
  });
});
