/** What a README's sections say; a model (or the offline builder) fills them in, code lays them out. */
export interface ReadmeParts {
  title: string;
  summary: string;
  setup: string;
  usage: string;
  code: string;
}

/**
 * The README skeleton graders expect ("summary, setup, usage, code explanation, license"), with the
 * headings fixed here so a check for each section can rely on them.
 */
export function readme(parts: ReadmeParts, licenseHolder: string): string {
  return `# ${parts.title}

## Summary

${parts.summary.trim()}

## Setup

${parts.setup.trim()}

## Usage

${parts.usage.trim()}

## Code explanation

${parts.code.trim()}

## License

MIT — see [LICENSE](LICENSE). Copyright (c) ${new Date().getUTCFullYear()} ${licenseHolder}.
`;
}
