/**
 * What a sandboxed program printed, made safe to store and show: terminal control sequences and
 * control bytes removed, credential-looking strings redacted, size capped with the cut flagged.
 * Redaction runs before capping, so a cap never splits a secret into a half that escapes the pattern.
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

/** Strip, redact, cap: what every byte of sandbox output goes through before it is kept. */
export function sanitizeOutput(raw: string, maxBytes: number): CappedText {
  return capText(redactSecrets(stripControl(raw)), maxBytes);
}
