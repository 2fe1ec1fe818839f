import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { composeSite } from '../../shared/kinds/task/compose-site.js';
import { buildOfflineSite } from '../../shared/kinds/task/offline-site.js';
import { parseTaskRequest } from '../../shared/kinds/task/task-request.js';

const example = JSON.parse(readFileSync(new URL('../fixtures/task-llmpages.json', import.meta.url), 'utf8'));
const { request } = parseTaskRequest(
  { ...example, evaluation_url: 'https://evaluator.example/notify' },
  { allowLoopbackCallback: false },
);
const byPath = (files: Array<{ path: string; content: Buffer }>) =>
  new Map(files.map((file) => [file.path, file.content.toString('utf8')]));

describe('Function: composeSite', () => {
  it('writes LICENSE, README and the attachments itself, whatever the model sent for them', () => {
    const { files, dropped } = composeSite(request, {
      title: 'x',
      files: [
        { path: 'index.html', content: '<html></html>' },
        { path: 'LICENSE', content: 'All rights reserved' },
        { path: 'uid.txt', content: 'made up\n' },
        { path: '../escape.txt', content: 'no' },
        { path: '.github/workflows/x.yml', content: 'no' },
      ],
      readme: { summary: 'S', setup: 'T', usage: 'U', code: 'C' },
    });
    const site = byPath(files);
    expect(site.get('LICENSE')).toContain('Permission is hereby granted');
    expect(
      files.find((file) => file.path === 'uid.txt')?.content.equals(request.attachments[0]?.bytes as Buffer),
    ).toBe(true);
    expect(site.get('README.md')).toMatch(
      /## Summary\n\nS\n[\s\S]*## Setup[\s\S]*## Usage[\s\S]*## Code explanation[\s\S]*## License/,
    );
    expect(dropped.sort()).toEqual(['../escape.txt', '.github/workflows/x.yml', 'LICENSE', 'uid.txt'].sort());
    expect([...site.keys()].sort()).toEqual(['LICENSE', 'README.md', 'index.html', 'uid.txt']);
  });

  it('revises the published files: written files replace, deleted ones go, the rest stay', () => {
    const current = [
      { path: 'index.html', content: Buffer.from('old') },
      { path: 'app.js', content: Buffer.from('keep') },
      { path: 'old.css', content: Buffer.from('gone') },
    ];
    const { files } = composeSite(
      request,
      {
        title: 'x',
        files: [
          { path: 'index.html', content: 'new' },
          { path: 'old.css', content: '', delete: true },
        ],
        readme: { summary: '', setup: '', usage: '', code: '' },
      },
      current,
    );
    const site = byPath(files);
    expect(site.get('index.html')).toBe('new');
    expect(site.get('app.js')).toBe('keep');
    expect(site.has('old.css')).toBe(false);
  });
});

describe('Function: buildOfflineSite', () => {
  it('makes one honest site: index linking its files, LICENSE, README, attachments as sent', () => {
    const site = byPath(buildOfflineSite(request));
    expect([...site.keys()].sort()).toEqual(['LICENSE', 'README.md', 'index.html', 'uid.txt']);
    expect(site.get('index.html')).toContain('<a href="uid.txt">uid.txt</a>');
    expect(site.get('index.html')).toContain('<title>LLMPages</title>');
    // Nothing it would have to make up: no story, no JSON answers.
    expect(site.has('ashravan.txt')).toBe(false);
  });
});
