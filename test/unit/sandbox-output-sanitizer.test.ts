import { describe, expect, it } from 'vitest';
import {
  capText,
  credentialValues,
  REDACTED,
  redactSecrets,
  redactValues,
  sanitizeOutput,
  secretForms,
  stripControl,
} from '../../shared/domain/output-sanitizer.js';

describe('Function: stripControl', () => {
  it('removes colour codes, cursor moves and OSC titles', () => {
    // Prepare
    const text = '\u001b[31mred\u001b[0m \u001b[2Kline\u001b]0;title\u0007 done';
    // Act
    const out = stripControl(text);
    // Assess
    expect(out).toBe('red line done');
  });

  it('removes control bytes and bidi overrides but keeps tabs and newlines', () => {
    expect(stripControl('a\u0000b\u0007c\td\r\ne\u202ef\u0085g\rh')).toBe('abc\td\nefgh');
  });
});

describe('Function: redactSecrets', () => {
  it.each([
    ['an AWS access key id', 'id AKIAIOSFODNN7EXAMPLE here'],
    ['an STS key id', 'ASIAY34FZKBOKMUTVV7A'],
    ['an STS session token', 'IQoJb3JpZ2luX2VjEHsaCXVzLWVhc3QtMSJHMEUCIQD'],
    ['an OpenAI key', 'sk-proj-abcdefghijklmnop1234'],
    ['a Groq key', 'gsk_abcdefghijklmnopqrstuvwxyz012345'],
    ['a Google API key', 'AIzaSyA-abcdefghijklmnopqrstuvwxyz01234'],
    ['a GitHub token', 'ghp_abcdefghijklmnopqrstuvwxyz0123456789'],
    ['a fine-grained GitHub token', 'github_pat_11ABCDEFG0123456789_abcdefghijklmnop'],
  ])('redacts %s', (_what, secret) => {
    const out = redactSecrets(`before ${secret} after`);
    expect(out).toContain(REDACTED);
    expect(out).not.toMatch(/AKIA|ASIAY|IQoJ|sk-proj|gsk_a|AIzaSy|ghp_a|github_pat_1/);
  });

  it('keeps the scheme of a bearer token and hides the token', () => {
    expect(redactSecrets('Authorization: Bearer abc.def.ghi123')).toBe(`Authorization: Bearer ${REDACTED}`);
  });

  it.each([
    ['AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG', `AWS_SECRET_ACCESS_KEY=${REDACTED}`],
    ['GITHUB_TOKEN: "abc123"', `GITHUB_TOKEN: ${REDACTED}`],
    ['DB_PASSWORD = hunter2', `DB_PASSWORD = ${REDACTED}`],
    ['MY_SECRET=x', `MY_SECRET=${REDACTED}`],
  ])('redacts the value of %s', (input, expected) => {
    expect(redactSecrets(input)).toBe(expected);
  });

  it('leaves ordinary output alone', () => {
    const text = 'total=42\nkey points: none\nsk-short\nTraceback (most recent call last):';
    expect(redactSecrets(text)).toBe(text);
  });

  it('redacts a private key block', () => {
    const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----';
    expect(redactSecrets(`x\n${pem}\ny`)).toBe(`x\n${REDACTED}\ny`);
  });
});

describe('Function: capText', () => {
  it('returns short text unchanged and unflagged', () => {
    expect(capText('hello', 10)).toEqual({ text: 'hello', truncated: false });
  });

  it('keeps head and tail within the cap and flags the cut', () => {
    // Prepare
    const text = `HEAD${'x'.repeat(10_000)}TAIL`;
    // Act
    const out = capText(text, 200);
    // Assess
    expect(out.truncated).toBe(true);
    expect(Buffer.byteLength(out.text)).toBeLessThanOrEqual(200);
    expect(out.text.startsWith('HEAD')).toBe(true);
    expect(out.text.endsWith('TAIL')).toBe(true);
    expect(out.text).toContain('bytes omitted');
  });

  it('never splits a multi-byte character', () => {
    const out = capText('é'.repeat(1000), 101);
    expect(out.text).not.toContain('\ufffd');
    expect(Buffer.byteLength(out.text)).toBeLessThanOrEqual(101);
  });
});

describe('Function: sanitizeOutput', () => {
  it('redacts before it caps, so a secret at the cut does not leak in part', () => {
    // Prepare: the kept head ends inside the key, so capping first would keep half of it unredacted
    const text = `AKIAIOSFODNN7EXAMPLE ${'b'.repeat(500)}`;
    // Act
    const out = sanitizeOutput(text, 80);
    // Assess
    expect(out.truncated).toBe(true);
    expect(out.text.startsWith(REDACTED)).toBe(true);
    expect(out.text).not.toMatch(/AKIA/);
  });
});

describe('Function: secretForms / redactValues', () => {
  const secret = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYzEXAMPLEKEY';
  const forms = secretForms([secret, 'short']);
  const b64 = (text: string) => Buffer.from(text).toString('base64');

  it.each([
    ['as is', `key ${secret} end`],
    ['reversed', [...secret].reverse().join('')],
    ['hex, lower case', Buffer.from(secret).toString('hex')],
    ['hex, upper case', Buffer.from(secret).toString('hex').toUpperCase()],
    ['percent-encoded', encodeURIComponent(secret)],
    ['base64, aligned', b64(secret)],
    ['base64 after one byte', b64(`x${secret}`)],
    ['base64 after two bytes', b64(`xy${secret}tail`)],
    ['base64url', Buffer.from(`x${secret}`).toString('base64url')],
    [
      'base64 inside a whole environment, wrapped at 76 columns',
      b64(`PATH=/bin\0AWS_SECRET_ACCESS_KEY=${secret}\0HOME=/`).replace(/(.{76})/g, '$1\n'),
    ],
  ])('removes the value %s', (_how, text) => {
    // Act
    const out = redactValues(text, forms);
    // Assess: nothing of the value is left in any encoding, and the marker says where it was
    expect(out).toContain(REDACTED);
    const flat = out.replace(/\n/g, '');
    for (const form of forms) expect(flat).not.toContain(form);
  });

  it('removes the value in base32 at each of its five alignments', async () => {
    const { execFileSync } = await import('node:child_process');
    for (const prefix of ['', 'a', 'ab', 'abc', 'abcd']) {
      const encoded = execFileSync('base32', ['-w', '0'], { input: `${prefix}${secret}` }).toString();
      expect(redactValues(encoded, forms)).toContain(REDACTED);
    }
  });

  it('leaves ordinary text and values too short to be secrets alone', () => {
    expect(redactValues('short and sweet: 42', forms)).toBe('short and sweet: 42');
    expect(secretForms(['1234567'])).toEqual([]);
  });

  it('runs inside sanitizeOutput, after control bytes are stripped (so NULs cannot split a value)', () => {
    const split = [...secret].join('\u0000');
    expect(sanitizeOutput(split, 1024, forms).text).toBe(REDACTED);
  });

  it('takes the values of credential-named variables only', () => {
    expect(
      credentialValues({
        AWS_SECRET_ACCESS_KEY: 's1',
        AWS_SESSION_TOKEN: 't1',
        GEMINI_API_KEY: 'k1',
        DB_PASSWORD: 'p1',
        AWS_REGION: 'us-east-1',
        PATH: '/bin',
      }),
    ).toEqual(['s1', 't1', 'k1', 'p1']);
  });
});
