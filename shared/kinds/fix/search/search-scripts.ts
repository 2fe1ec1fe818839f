import { readFile } from 'node:fs/promises';

/**
 * The repair search's two Python scripts, handed to sandbox jobs as files: the localization run's
 * entry and the planner. Beside this module in the repository; beside the bundle in the sandbox
 * image (sandbox-image/Dockerfile copies them into its python/ dir), as the runner's own scripts are.
 */
export interface SearchScripts {
  trace: string;
  plan: string;
}

export const TRACE_SCRIPT = 'te_repair_trace.py';
export const TRACE_CONFIG = 'te_repair_trace.json';
export const PLAN_SCRIPT = 'te_repair_plan.py';
export const PLAN_CONFIG = 'te_repair_plan.json';
/** What te_repair_trace.py prints before its report, on the last line of stdout. */
export const TRACE_MARKER = 'te-repair-trace:';

const DIR = new URL('./python/', import.meta.url);

export async function loadSearchScripts(): Promise<SearchScripts> {
  const [trace, plan] = await Promise.all([
    readFile(new URL(TRACE_SCRIPT, DIR), 'utf8'),
    readFile(new URL(PLAN_SCRIPT, DIR), 'utf8'),
  ]);
  return { trace, plan };
}
