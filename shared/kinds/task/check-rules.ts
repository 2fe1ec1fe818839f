import { createHash } from 'node:crypto';
import type { Attachment } from './task-request.js';

/**
 * A check made executable: a JS expression the browser sandbox evaluates on the candidate's page
 * (it passes only if it yields exactly `true`), kept with the evaluator's own words.
 */
export interface CompiledCheck {
  text: string;
  /** `given`: a `js:` check as sent; `rule`: recognized here; `model`: compiled by a model. */
  how: 'given' | 'rule' | 'model';
  js: string;
}

/** A check nothing could make executable: it is reported, and never counted as passed. */
export interface UnverifiedCheck {
  text: string;
  why: string;
}

export interface CheckContext {
  brief: string;
  attachments: readonly Attachment[];
}

const FILE = String.raw`([A-Za-z0-9_][A-Za-z0-9._-]*\.[A-Za-z0-9]{1,8}|LICENSE|README)`;
const WORD_NUMBERS: Record<string, number> = {
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
};

const lit = (value: unknown) => JSON.stringify(value);

/** The files a brief asks for, from its `- name.ext: …` lines (and LICENSE, which every task needs). */
export function requiredFiles(brief: string): string[] {
  const found = new Set<string>();
  for (const match of brief.matchAll(new RegExp(String.raw`^\s*[-*]\s+\`?${FILE}\`?\s*:`, 'gm'))) {
    if (match[1]) found.add(match[1]);
  }
  return [...found];
}

/**
 * The attachment a check names: by its file name, or else by its name without the extension as a
 * whole word ("Upload the uid attachment as-is" names uid.txt) when exactly one attachment has it.
 */
function attachmentNamed(check: string, attachments: readonly Attachment[]): Attachment | undefined {
  const named = attachments.find((attachment) => check.includes(attachment.name));
  if (named) return named;
  const byStem = attachments.filter((attachment) => {
    const stem = attachment.name.replace(/\.[^.]*$/, '');
    if (stem === '') return false;
    const escaped = stem.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return new RegExp(`(^|[^A-Za-z0-9_.-])${escaped}($|[^A-Za-z0-9_-])`, 'i').test(check);
  });
  return byStem.length === 1 ? byStem[0] : undefined;
}

/** `fetch` a site file; every rule reads files the way a visitor's browser would. */
const text = (file: string) =>
  `(async () => { const r = await fetch(${lit(file)}, { cache: 'no-store' }); return r.ok ? await r.text() : null; })()`;

const rules: Array<(check: string, context: CheckContext) => string | undefined> = [
  // "LICENSE contains the MIT License text", "Repo has MIT license"
  (check) =>
    /\bMIT\b/i.test(check) && /licen[cs]e/i.test(check)
      ? `${text('LICENSE')}.then((t) => t !== null && t.includes('Permission is hereby granted') && /MIT License/i.test(t))`
      : undefined,
  // "README.md is professional": the sections a complete README has.
  (check) =>
    /readme/i.test(check) && /(professional|complete|quality|sections)/i.test(check)
      ? `${text('README.md')}.then((t) => t !== null && ${lit([
          'summary|overview|about',
          'setup|install|getting started',
          'usage|use|how to',
          'code|explanation|how it works|structure',
          'licen[cs]e',
        ])}.every((section) => new RegExp('^#{1,6}\\\\s*.*(' + section + ')', 'im').test(t)))`
      : undefined,
  // "uid.txt matches the attached uid.txt", "Upload the uid attachment as-is"
  (check, { attachments }) => {
    if (!/(match|as-is|as is|byte|identical|same as)/i.test(check) || !/attach/i.test(check))
      return undefined;
    const attachment = attachmentNamed(check, attachments);
    if (!attachment) return undefined;
    const digest = createHash('sha256').update(attachment.bytes).digest('hex');
    return `(async () => { const r = await fetch(${lit(attachment.name)}, { cache: 'no-store' }); if (!r.ok) return false; const d = await crypto.subtle.digest('SHA-256', await r.arrayBuffer()); return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, '0')).join('') === ${lit(digest)}; })()`;
  },
  // "Each required file exists on GitHub", "All files are present"
  (check, { brief }) => {
    if (!/(each|every|all)\b.*\b(file|asset)s?\b.*\b(exist|present)/i.test(check)) return undefined;
    const files = requiredFiles(brief);
    if (files.length === 0) return undefined;
    return `Promise.all(${lit(files)}.map((f) => fetch(f, { method: 'HEAD', cache: 'no-store' }).then((r) => r.ok))).then((all) => all.every(Boolean))`;
  },
  // "index.html links to all required assets"
  (check, { brief }) => {
    if (!/index\.html\b.*\blinks?\b.*\b(all|every)/i.test(check)) return undefined;
    const files = requiredFiles(brief).filter((file) => file !== 'index.html');
    if (files.length === 0) return undefined;
    return `${text('index.html')}.then((t) => { if (t === null) return false; const d = new DOMParser().parseFromString(t, 'text/html'); const hrefs = [...d.querySelectorAll('a[href]')].map((a) => a.getAttribute('href').replace(/^\\.\\//, '')); return ${lit(files)}.every((f) => hrefs.includes(f)); })`;
  },
  // "X is valid JSON"
  (check) => {
    const match = new RegExp(String.raw`${FILE}\s+is\s+(a\s+)?valid\s+JSON`, 'i').exec(check);
    return match?.[1]
      ? `${text(match[1])}.then((t) => { if (t === null) return false; try { JSON.parse(t); return true; } catch { return false; } })`
      : undefined;
  },
  // "X is valid SVG"
  (check) => {
    const match = new RegExp(String.raw`${FILE}\s+is\s+(a\s+)?valid\s+SVG`, 'i').exec(check);
    return match?.[1]
      ? `${text(match[1])}.then((t) => { if (t === null) return false; const d = new DOMParser().parseFromString(t, 'image/svg+xml'); return d.documentElement.localName === 'svg' && d.getElementsByTagName('parsererror').length === 0; })`
      : undefined;
  },
  // "X is valid HTML"
  (check) => {
    const match = new RegExp(String.raw`${FILE}\s+is\s+(a\s+)?valid\s+HTML`, 'i').exec(check);
    return match?.[1]
      ? `${text(match[1])}.then((t) => t !== null && /<html[\\s>]/i.test(t) && /<\\/html>/i.test(t))`
      : undefined;
  },
  // "about.md contains exactly three words"
  (check) => {
    const match = new RegExp(
      String.raw`${FILE}\s+(contains|has)\s+exactly\s+(\d+|[a-z]+)\s+words?`,
      'i',
    ).exec(check);
    const count = match?.[3] ? Number(match[3]) || WORD_NUMBERS[match[3].toLowerCase()] : undefined;
    return match?.[1] && count
      ? `${text(match[1])}.then((t) => t !== null && t.trim().split(/\\s+/).filter(Boolean).length === ${count})`
      : undefined;
  },
  // "X exists"
  (check) => {
    const match = new RegExp(String.raw`^\s*${FILE}\s+exists\b`, 'i').exec(check);
    return match?.[1]
      ? `fetch(${lit(match[1])}, { method: 'HEAD', cache: 'no-store' }).then((r) => r.ok)`
      : undefined;
  },
];

/**
 * Turns what it can into executable checks without a model: `js:` checks as given, and the file and
 * repository checks graders make by rule. What is left needs a model (or stays unverified).
 */
export function compileByRule(
  checks: readonly string[],
  context: CheckContext,
): { compiled: Map<number, CompiledCheck>; pending: number[] } {
  const compiled = new Map<number, CompiledCheck>();
  const pending: number[] = [];
  checks.forEach((check, index) => {
    const given = /^\s*js\s*:\s*([\s\S]+)$/i.exec(check);
    if (given?.[1]) {
      compiled.set(index, { text: check, how: 'given', js: given[1].trim() });
      return;
    }
    for (const rule of rules) {
      const js = rule(check, context);
      if (js !== undefined) {
        compiled.set(index, { text: check, how: 'rule', js });
        return;
      }
    }
    pending.push(index);
  });
  return { compiled, pending };
}
