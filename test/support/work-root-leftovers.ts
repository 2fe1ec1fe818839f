import { readdir, readFile } from 'node:fs/promises';

/**
 * Processes (other than this one) whose command line or environment still mentions `workRoot`,
 * after up to `graceMs` for the last ones to die: what a suite's sandbox runs left behind.
 */
export async function workRootLeftovers(workRoot: string, graceMs = 1500): Promise<string[]> {
  const deadline = Date.now() + graceMs;
  for (;;) {
    const found: string[] = [];
    for (const entry of await readdir('/proc')) {
      if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
      const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
      const environ = await readFile(`/proc/${entry}/environ`, 'utf8').catch(() => '');
      if (cmdline.includes(workRoot) || environ.includes(workRoot))
        found.push(`${entry}: ${cmdline.replace(/\0/g, ' ')}`);
    }
    if (found.length === 0 || Date.now() > deadline) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
