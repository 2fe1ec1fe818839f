import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type CheckContext, compileByRule, requiredFiles } from '../../shared/kinds/task/check-rules.js';
import { parseTaskRequest } from '../../shared/kinds/task/task-request.js';

/*
 * Which of the graders' phrasings each rule recognizes. What a rule's expression does on a page is
 * proved in a real browser (test/integration/check-rules-browser.test.ts); here, only that the
 * phrasing it claims reaches that rule, and a near-miss does not (it goes to the model instead).
 */

const example = JSON.parse(readFileSync(new URL('../fixtures/task-llmpages.json', import.meta.url), 'utf8'));
const { request } = parseTaskRequest(example, { allowLoopbackCallback: true });
const context: CheckContext = { brief: request.brief, attachments: request.attachments };
const uid = request.attachments[0];
const uidDigest = createHash('sha256')
  .update(uid?.bytes ?? Buffer.of())
  .digest('hex');

/** The rule's expression for one check, or undefined when it is left to the model. */
function ruleFor(check: string, ctx: CheckContext = context): string | undefined {
  const { compiled, pending } = compileByRule([check], ctx);
  if (pending.includes(0)) return undefined;
  const one = compiled.get(0);
  expect(one?.how).toBe('rule');
  expect(one?.text).toBe(check);
  return one?.js;
}

describe('Function: requiredFiles', () => {
  it('reads the files the brief lists, in its `- name: …` lines', () => {
    expect(requiredFiles(request.brief)).toEqual([
      'ashravan.txt',
      'dilemma.json',
      'about.md',
      'pelican.svg',
      'restaurant.json',
      'prediction.json',
      'index.html',
      'LICENSE',
      'uid.txt',
    ]);
    expect(requiredFiles('* `data.csv`: the table\n- not a file: prose\nSee notes.md: later')).toEqual([
      'data.csv',
    ]);
  });
});

describe('Function: compileByRule', () => {
  describe('the MIT license', () => {
    it.each([
      'LICENSE contains the MIT License text',
      'Repo has MIT license',
      'The repository is MIT licensed',
      'LICENSE file is an MIT licence',
    ])('recognizes "%s"', (check) => {
      const js = ruleFor(check);
      expect(js).toContain('"LICENSE"');
      expect(js).toContain('Permission is hereby granted');
    });

    it.each([
      'LICENSE contains the Apache License text',
      'Credits MIT in the footer',
      'Permit reuse under a license',
    ])('leaves "%s" to the model', (check) => {
      expect(ruleFor(check)).toBeUndefined();
    });
  });

  describe('a professional README', () => {
    it.each([
      'README.md is professional',
      'README is complete',
      'README.md has all the sections',
      'Readme quality is good',
    ])('recognizes "%s" by its sections', (check) => {
      const js = ruleFor(check);
      expect(js).toContain('"README.md"');
      expect(js).toContain('getting started');
    });

    it.each(['README.md mentions the author', 'README.md is in English'])(
      'leaves "%s" to the model',
      (check) => {
        expect(ruleFor(check)).toBeUndefined();
      },
    );
  });

  describe('an attachment byte for byte', () => {
    it.each([
      'uid.txt matches the attached uid.txt',
      'uid.txt is identical to the attachment',
      'uid.txt is byte for byte the attachment',
      'uid.txt is the same as the attachment',
      // The brief's own line, as a check: the attachment named by its name without the extension.
      'Upload the uid attachment as-is',
    ])('recognizes "%s" by its SHA-256', (check) => {
      const js = ruleFor(check);
      expect(js).toContain(uidDigest);
      expect(js).toContain('"uid.txt"');
    });

    it.each([
      'uid.txt matches the brief', // no attachment in it
      'dilemma.json matches the assigned scenario', // "assigned" is not "attached"
      'logo.png matches the attached logo', // no such attachment
      'The attachment is linked from index.html', // no equality asked
      'Upload the uidx attachment as-is', // not a whole-word name
    ])('leaves "%s" to the model', (check) => {
      expect(ruleFor(check)).toBeUndefined();
    });

    it('does not guess between two attachments with the same stem', () => {
      const two: CheckContext = {
        brief: request.brief,
        attachments: [
          { name: 'data.csv', mediaType: 'text/csv', bytes: Buffer.from('a,b\n') },
          { name: 'data.json', mediaType: 'application/json', bytes: Buffer.from('{}') },
        ],
      };
      expect(ruleFor('Upload the data attachment as-is', two)).toBeUndefined();
      expect(ruleFor('data.json matches the attachment', two)).toContain(
        createHash('sha256').update('{}').digest('hex'),
      );
    });
  });

  describe('every required file exists', () => {
    it.each(['Each required file exists on GitHub', 'All files are present', 'Every asset exists'])(
      'recognizes "%s" with the brief’s files',
      (check) => {
        const js = ruleFor(check);
        for (const file of requiredFiles(request.brief)) expect(js).toContain(`"${file}"`);
        expect(js).toContain("method: 'HEAD'");
      },
    );

    it('leaves it to the model when the brief lists no file', () => {
      expect(
        ruleFor('Each required file exists', { brief: 'Make a page.', attachments: [] }),
      ).toBeUndefined();
    });

    it.each(['Each file is valid', 'All files are small'])('leaves "%s" to the model', (check) => {
      expect(ruleFor(check)).toBeUndefined();
    });
  });

  describe('index.html links to every file', () => {
    it.each(['index.html links to all required assets', 'index.html links to every file'])(
      'recognizes "%s"',
      (check) => {
        const js = ruleFor(check);
        expect(js).toContain('"index.html"');
        expect(js).toContain('"pelican.svg"');
        // index.html does not have to link to itself.
        expect(js).not.toContain('["index.html"');
        expect(js).not.toMatch(/,"index\.html"/);
      },
    );

    it.each(['index.html links to the README', 'index.html has links'])(
      'leaves "%s" to the model',
      (check) => {
        expect(ruleFor(check)).toBeUndefined();
      },
    );
  });

  describe('valid JSON, SVG, HTML', () => {
    it.each([
      ['dilemma.json is valid JSON', 'JSON.parse', '"dilemma.json"'],
      ['data.json is a valid json', 'JSON.parse', '"data.json"'],
      ['pelican.svg is valid SVG', 'image/svg+xml', '"pelican.svg"'],
      ['index.html is valid HTML', '<html', '"index.html"'],
    ])('recognizes "%s"', (check, marker, file) => {
      const js = ruleFor(check);
      expect(js).toContain(marker);
      expect(js).toContain(file);
    });

    it.each([
      'dilemma.json is valid',
      'pelican.svg is rated by an LLM',
      'The page is valid HTML',
      'dilemma.json contains JSON',
    ])('leaves "%s" to the model', (check) => {
      expect(ruleFor(check)).toBeUndefined();
    });
  });

  describe('an exact word count', () => {
    it.each([
      ['about.md contains exactly three words', 3],
      ['about.md has exactly 3 words', 3],
      ['notes.txt contains exactly ten words', 10],
      ['motto.md has exactly one word', 1],
    ])('recognizes "%s" as %i words', (check, count) => {
      const js = ruleFor(check);
      expect(js).toContain(`=== ${count})`);
    });

    it.each([
      'about.md contains three words', // not "exactly"
      'about.md contains at most three words',
      'about.md contains exactly eleven words', // a number it does not read: the model does
      'about.md contains exactly 0 words',
    ])('leaves "%s" to the model', (check) => {
      expect(ruleFor(check)).toBeUndefined();
    });
  });

  describe('a file exists', () => {
    it.each([
      ['style.css exists', 'style.css'],
      ['LICENSE exists', 'LICENSE'],
      ['  data/x.json exists', undefined],
    ])('"%s"', (check, file) => {
      const js = ruleFor(check);
      if (file === undefined) expect(js).toBeUndefined();
      else expect(js).toBe(`fetch("${file}", { method: 'HEAD', cache: 'no-store' }).then((r) => r.ok)`);
    });

    it('leaves a file named in passing to the model', () => {
      expect(ruleFor('The page says style.css exists')).toBeUndefined();
    });
  });

  describe('`js:` checks and the order of the rest', () => {
    it('keeps a `js:` check as given, and lists what no rule knows in order', () => {
      // Prepare
      const checks = [
        'js: document.title === "LLM Pages"',
        'ashravan.txt meets content requirements',
        '  JS:  document.querySelectorAll("a").length > 3  ',
        'LICENSE contains the MIT License text',
        'pelican.svg is rated by an LLM',
      ];

      // Act
      const { compiled, pending } = compileByRule(checks, context);

      // Assess
      expect(compiled.get(0)).toEqual({
        text: checks[0],
        how: 'given',
        js: 'document.title === "LLM Pages"',
      });
      expect(compiled.get(2)).toEqual({
        text: checks[2],
        how: 'given',
        js: 'document.querySelectorAll("a").length > 3',
      });
      expect(compiled.get(3)?.how).toBe('rule');
      expect(pending).toEqual([1, 4]);
      expect([...compiled.keys()].sort()).toEqual([0, 2, 3]);
    });

    it('runs a `js:` check as given even when a rule would recognize its words', () => {
      const check = 'js: "LICENSE contains the MIT License text" && true';
      expect(compileByRule([check], context).compiled.get(0)).toMatchObject({ how: 'given' });
    });

    it('sorts the worked example: six by rule, five to the model', () => {
      const { compiled, pending } = compileByRule(request.checks, context);
      expect(pending.map((index) => request.checks[index])).toEqual([
        'ashravan.txt meets content requirements',
        'dilemma.json matches the assigned scenario',
        'restaurant.json data is consistent',
        'prediction.json contains a reasonable forecast',
        'pelican.svg is rated by an LLM',
      ]);
      expect([...compiled.values()].every((check) => check.how === 'rule')).toBe(true);
      expect(compiled.size).toBe(6);
    });
  });
});
