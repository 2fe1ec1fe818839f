/**
 * What a sandboxed program printed, made safe to store and show: terminal control sequences and
 * control bytes removed, the exact values of known secrets removed in every common encoding,
 * credential-looking strings redacted, size capped with the cut flagged. Redaction runs before
 * capping, so a cap never splits a secret into a half that escapes the pattern.
 */

export const REDACTED = '[REDACTED]';

/** CSI, OSC and two-byte escape sequences. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control bytes is the point
const ANSI_SEQUENCE = /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|[@-Z\\-_])/g;
/** C0 controls except tab and newline, DEL, C1 controls, and bidi overrides that reorder what a reader sees. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control bytes is the point
const CONTROL_CHARS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** Removes terminal escape sequences and control characters; `\r\n` becomes `\n`. */
export function stripControl(text: string): string {
  return text.replace(/\r\n/g, '\n').replace(ANSI_SEQUENCE, '').replace(CONTROL_CHARS, '');
}

interface Redaction {
  pattern: RegExp;
  replace: string | ((match: string, ...groups: string[]) => string);
}

const REDACTIONS: readonly Redaction[] = [
  {
    pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g,
    replace: REDACTED,
  },
  // Env-looking names: upper case, and naming a key, secret, token or password.
  {
    pattern:
      /\b([A-Z][A-Z0-9_]*(?:KEY|SECRET|TOKEN|PASSWORD|PASSWD)[A-Z0-9_]*)(\s*[=:]\s*)(["']?)[^\s"']+\3/g,
    replace: (_m, name: string, sep: string) => `${name}${sep}${REDACTED}`,
  },
  { pattern: /\b(?:AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA)[A-Z0-9]{16}\b/g, replace: REDACTED },
  // STS session tokens (what a Lambda's own credentials carry) start with one of these encodings.
  { pattern: /(?:IQoJb3JpZ2lu|FwoGZXIvYXdz)[A-Za-z0-9/+=]{16,}/g, replace: REDACTED },
  { pattern: /\bsk-[A-Za-z0-9_-]{16,}/g, replace: REDACTED },
  { pattern: /\bgsk_[A-Za-z0-9]{16,}/g, replace: REDACTED },
  { pattern: /\bAIza[0-9A-Za-z_-]{30,}/g, replace: REDACTED },
  { pattern: /\bgh[pousr]_[A-Za-z0-9]{30,}/g, replace: REDACTED },
  { pattern: /\bgithub_pat_[A-Za-z0-9_]{20,}/g, replace: REDACTED },
  {
    pattern: /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi,
    replace: (_m, scheme: string) => `${scheme} ${REDACTED}`,
  },
];

/** Replaces credential-looking strings with `[REDACTED]`. */
export function redactSecrets(text: string): string {
  let out = text;
  for (const { pattern, replace } of REDACTIONS) {
    out = out.replace(pattern, replace as (substring: string, ...args: string[]) => string);
  }
  return out;
}

/** Values shorter than this are not treated as secrets: they would match ordinary text. */
const MIN_SECRET_LENGTH = 8;
/** An encoded form shorter than this is too likely to occur by chance to be removed. */
const MIN_FORM_LENGTH = 8;

/**
 * Every form in which a program could print a secret's value so that a pattern would miss it: as
 * is, reversed, hex (lower and upper case), percent-encoded, base64 (standard and URL-safe, at
 * each of the three byte alignments the value can sit at inside a longer encoded stream) and
 * base32 (upper and lower case, at each of its five alignments). For an aligned encoding only
 * the characters that depend on the value alone are kept, so the form matches whatever came
 * before or after it in the stream.
 */
export function secretForms(values: readonly string[]): string[] {
  const forms = new Set<string>();
  for (const value of values) {
    if (value.length < MIN_SECRET_LENGTH) continue;
    const bytes = Buffer.from(value, 'utf8');
    const add = (form: string) => {
      if (form.length >= MIN_FORM_LENGTH) forms.add(form);
    };
    add(value);
    add([...value].reverse().join(''));
    add(bytes.toString('hex'));
    add(bytes.toString('hex').toUpperCase());
    add(encodeURIComponent(value));
    for (let shift = 0; shift < 3; shift++) {
      const b64 = alignedInside(bytes, shift, 6, (b) => b.toString('base64'));
      add(b64);
      add(b64.replace(/\+/g, '-').replace(/\//g, '_'));
    }
    for (let shift = 0; shift < 5; shift++) {
      const b32 = alignedInside(bytes, shift, 5, base32);
      add(b32);
      add(b32.toLowerCase());
    }
  }
  return [...forms].sort((a, b) => b.length - a.length);
}

/**
 * The characters of `encode(prefix + bytes)` that depend on `bytes` alone, for a prefix of
 * `shift` bytes: each output character carries `bitsPerChar` bits.
 */
function alignedInside(
  bytes: Buffer,
  shift: number,
  bitsPerChar: number,
  encode: (b: Buffer) => string,
): string {
  const encoded = encode(Buffer.concat([Buffer.alloc(shift), bytes])).replace(/=+$/, '');
  const first = Math.ceil((shift * 8) / bitsPerChar);
  const last = Math.floor(((shift + bytes.length) * 8) / bitsPerChar);
  return encoded.slice(first, last);
}

const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32, with padding. */
function base32(bytes: Buffer): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32_ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32_ALPHABET[(value << (5 - bits)) & 31];
  while (out.length % 8 !== 0) out += '=';
  return out;
}

/**
 * Removes every occurrence of the given forms (see `secretForms`), also when line breaks were put
 * inside one (`base64` wraps at 76 columns). Cheap when nothing matches: one search per form.
 */
export function redactValues(text: string, forms: readonly string[]): string {
  if (forms.length === 0 || text.length === 0) return text;
  const flat = text.replace(/[\r\n]/g, '');
  const hits: Array<[number, number]> = [];
  for (const form of forms) {
    for (let at = flat.indexOf(form); at !== -1; at = flat.indexOf(form, at + 1)) {
      hits.push([at, at + form.length]);
    }
  }
  if (hits.length === 0) return text;
  // Positions in `flat` back to positions in `text`.
  const position: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 10 && c !== 13) position.push(i);
  }
  const ranges = hits
    .map(([from, to]) => [position[from] ?? 0, (position[to - 1] ?? 0) + 1] as [number, number])
    .sort((a, b) => a[0] - b[0]);
  let out = '';
  let cursor = 0;
  for (const [from, to] of ranges) {
    if (to <= cursor) continue;
    if (from >= cursor) {
      out += text.slice(cursor, from) + REDACTED;
    }
    cursor = to;
  }
  return out + text.slice(cursor);
}

export interface CappedText {
  text: string;
  truncated: boolean;
}

/**
 * Keeps at most `maxBytes` of UTF-8: the head and the tail (where a traceback ends), with a marker
 * saying how much was left out between them.
 */
export function capText(text: string, maxBytes: number): CappedText {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return { text, truncated: false };
  const marker = `\n[… ${bytes.length - maxBytes} bytes omitted …]\n`;
  const keep = Math.max(0, maxBytes - Buffer.byteLength(marker));
  const headBytes = Math.ceil(keep / 2);
  const tailBytes = keep - headBytes;
  const head = utf8Slice(bytes, 0, headBytes);
  const tail = utf8Slice(bytes, bytes.length - tailBytes, bytes.length);
  return { text: `${head}${marker}${tail}`, truncated: true };
}

/** Decodes a byte range, dropping a multi-byte character the range cuts through at either end. */
function utf8Slice(bytes: Buffer, start: number, end: number): string {
  let s = start;
  while (s < end && s > 0 && isContinuation(bytes[s])) s++;
  let e = end;
  if (e < bytes.length) {
    while (e > s && isContinuation(bytes[e])) e--;
  }
  return bytes.subarray(s, e).toString('utf8');
}

function isContinuation(byte: number | undefined): boolean {
  return byte !== undefined && (byte & 0xc0) === 0x80;
}

/**
 * Strip, remove known secrets (`forms`, from `secretForms`), redact patterns, cap: what every byte
 * of sandbox output goes through before it is kept.
 */
export function sanitizeOutput(raw: string, maxBytes: number, forms: readonly string[] = []): CappedText {
  return capText(redactSecrets(redactValues(stripControl(raw), forms)), maxBytes);
}

/** Names of environment variables whose values are credentials (by name). */
const SECRET_NAME = /KEY|SECRET|TOKEN|PASSWORD|PASSWD|CREDENTIAL|SESSION|AUTH|PRIVATE|COOKIE/i;

/** The values of every credential-named variable in an environment (AWS_*, *_KEY, *_SECRET, *_TOKEN…). */
export function credentialValues(env: Record<string, string | undefined>): string[] {
  return Object.entries(env)
    .filter(([name, value]) => value !== undefined && SECRET_NAME.test(name))
    .map(([, value]) => value as string);
}
