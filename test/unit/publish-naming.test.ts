import { describe, expect, it } from 'vitest';
import { publishedFiles } from '../../shared/kinds/task/published-files.js';
import { repoDescription } from '../../shared/kinds/task/repo-description.js';
import { repoNameCandidates } from '../../shared/kinds/task/repo-name.js';

describe('Function: repoNameCandidates', () => {
  it("tries the task's own name first, then suffixes that depend only on task and email", () => {
    const names = repoNameCandidates('LLMPages', 'student@example.com');
    expect(names[0]).toBe('LLMPages');
    expect(names.slice(1)).toHaveLength(3);
    for (const name of names.slice(1)) expect(name).toMatch(/^LLMPages-[0-9a-f]{6}$/);
    expect(new Set(names).size).toBe(names.length);
    expect(repoNameCandidates('LLMPages', 'Student@Example.com')).toEqual(names);
    expect(repoNameCandidates('LLMPages', 'other@example.com').slice(1)).not.toEqual(names.slice(1));
  });

  it('keeps every name a name GitHub takes: 100 characters at most, no leading dot, no .git ending', () => {
    for (const name of repoNameCandidates('a'.repeat(100), 'x@example.com'))
      expect(name.length).toBeLessThanOrEqual(100);
    expect(repoNameCandidates('..', 'x@example.com')[0]).toBe('site');
    expect(repoNameCandidates('.hidden', 'x@example.com')[0]).toBe('hidden');
    expect(repoNameCandidates('tool.git', 'x@example.com')[0]).toBe('tool');
  });
});

describe('Function: repoDescription', () => {
  it('makes one line of any text', () => {
    expect(repoDescription('Sales Summary\n\nA site\r\nwith\ttabs\u0000 and\u2028more')).toBe(
      'Sales Summary A site with tabs and more',
    );
  });

  it('keeps it under 350 characters without cutting a character in half', () => {
    const long = repoDescription(`${'🦩'.repeat(200)} tail`);
    expect(long.length).toBeLessThan(350);
    expect(long.endsWith('…')).toBe(true);
    expect(long).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
    expect(repoDescription('x'.repeat(349))).toHaveLength(349);
    expect(repoDescription('x'.repeat(350))).toHaveLength(349);
  });
});

describe('Function: publishedFiles', () => {
  it('adds one empty .nojekyll and sorts by path', () => {
    const files = publishedFiles([
      { path: 'index.html', content: Buffer.from('<p>') },
      { path: '.nojekyll', content: Buffer.from('x') },
      { path: 'LICENSE', content: Buffer.from('MIT') },
    ]);
    expect(files.map((file) => [file.path, file.content.length])).toEqual([
      ['.nojekyll', 0],
      ['LICENSE', 3],
      ['index.html', 3],
    ]);
  });
});
