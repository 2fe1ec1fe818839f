/** A site that holds a secret: it is not pushed. The message names files and rules, never a value. */
export class SecretFoundError extends Error {
  readonly findings: readonly { path: string; rule: string; line: number }[];

  constructor(findings: readonly { path: string; rule: string; line: number }[]) {
    const named = findings
      .slice(0, 5)
      .map((finding) => `${finding.path} line ${finding.line} (${finding.rule})`)
      .join('; ');
    const more = findings.length > 5 ? ` and ${findings.length - 5} more` : '';
    super(`not published: the site holds what looks like a secret: ${named}${more}`);
    this.name = 'SecretFoundError';
    this.findings = findings;
  }
}
