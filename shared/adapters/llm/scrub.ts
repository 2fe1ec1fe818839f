/** Removes credentials from text that may echo a request (SDK errors, provider error bodies). */
export type Scrubber = (text: string) => string;

const REDACTED = '[redacted]';
const MAX_LENGTH = 300;

const PATTERNS: readonly [RegExp, string][] = [
  [
    /\b(authorization|x-goog-api-key|api[-_]?key|x-api-key)(["']?\s*[:=]\s*["']?)(bearer\s+)?[^\s"',;}]+/gi,
    `$1$2${REDACTED}`,
  ],
  [/\bbearer\s+[A-Za-z0-9._~+/=-]{6,}/gi, `Bearer ${REDACTED}`],
  [/([?&](?:key|api_key|access_token)=)[^&\s"']+/gi, `$1${REDACTED}`],
  // Key shapes of the providers we call, in case one appears without a label.
  [/\b(?:AIza[0-9A-Za-z_-]{20,}|gsk_[0-9A-Za-z]{20,}|sk-[0-9A-Za-z_-]{20,})/g, REDACTED],
];

/** Builds a scrubber that also removes these exact values (the configured keys). */
export function createScrubber(secrets: readonly (string | undefined)[]): Scrubber {
  const exact = secrets.filter((s): s is string => typeof s === 'string' && s.length >= 4);
  return (text) => {
    let out = text;
    for (const secret of exact) out = out.split(secret).join(REDACTED);
    for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
    out = out.replace(/\s+/g, ' ').trim();
    return out.length > MAX_LENGTH ? `${out.slice(0, MAX_LENGTH - 1)}…` : out;
  };
}
