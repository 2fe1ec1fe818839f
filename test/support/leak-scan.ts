/**
 * Finds secrets in text, also when a program encoded them: as is, reversed, and inside every run
 * of base64, base32 or hex characters, decoded at every alignment. Written apart from the
 * sanitizer's own list of encodings, so a gap there shows here.
 */
export function leakedSecrets(text: string, secrets: readonly string[]): string[] {
  const views = decodedViews(text);
  return secrets.filter((secret) => views.some((view) => view.includes(secret)));
}

function decodedViews(text: string): string[] {
  const flat = text.replace(/[\r\n]/g, '');
  const views = [text, flat, [...flat].reverse().join('')];
  for (const run of flat.match(/[A-Za-z0-9+/_-]{12,}={0,2}/g) ?? []) {
    const std = run.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
    for (let offset = 0; offset < 4; offset++)
      views.push(Buffer.from(std.slice(offset), 'base64').toString('latin1'));
  }
  for (const run of flat.match(/[A-Za-z2-7]{16,}={0,6}/g) ?? []) {
    const upper = run.toUpperCase().replace(/=+$/, '');
    for (let offset = 0; offset < 8; offset++) views.push(base32Decode(upper.slice(offset)));
  }
  for (const run of flat.match(/[0-9a-fA-F]{16,}/g) ?? []) {
    for (let offset = 0; offset < 2; offset++)
      views.push(Buffer.from(run.slice(offset), 'hex').toString('latin1'));
  }
  return views;
}

function base32Decode(text: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const c of text) {
    const n = alphabet.indexOf(c);
    if (n < 0) break;
    value = (value << 5) | n;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
    value &= (1 << bits) - 1;
  }
  return Buffer.from(out).toString('latin1');
}
