import { describe, expect, it } from 'vitest';
import { proposeFixes } from '../../shared/kinds/fix/offline/index.js';

// Programs and the tracebacks CPython 3.11 printed for them (run as /srv/job/app.py).
const CASES = {
  count: {
    code: "counts = {}\nfor w in ['a', 'b', 'a']:\n    counts[w] += 1\nprint(counts)\n",
    error:
      'Traceback (most recent call last):\n  File "/srv/job/app.py", line 3, in <module>\n    counts[w] += 1\n    ~~~~~~^^^\nKeyError: \'a\'\n',
  },
  append: {
    code: "groups = {}\nfor name in ['ann', 'bob', 'amy']:\n    groups[name[0]].append(name)\nprint(groups)\n",
    error:
      'Traceback (most recent call last):\n  File "/srv/job/app.py", line 3, in <module>\n    groups[name[0]].append(name)\n    ~~~~~~^^^^^^^^^\nKeyError: \'a\'\n',
  },
  return: {
    code: "def lookup(table, key):\n    return table[key]\n\n\nprint(lookup({}, 'x'))\n",
    error:
      'Traceback (most recent call last):\n  File "/srv/job/app.py", line 5, in <module>\n    print(lookup({}, \'x\'))\n          ^^^^^^^^^^^^^^^\n  File "/srv/job/app.py", line 2, in lookup\n    return table[key]\n           ~~~~~^^^^^\nKeyError: \'x\'\n',
  },
  del: {
    code: "config = {'a': 1}\ndel config['b']\nprint(config)\n",
    error:
      "Traceback (most recent call last):\n  File \"/srv/job/app.py\", line 2, in <module>\n    del config['b']\n        ~~~~~~^^^^^\nKeyError: 'b'\n",
  },
  literal: {
    code: "user = {'name': 'ann'}\nfield = 'name'\nprint(user[field], user['email'].lower())\n",
    error:
      "Traceback (most recent call last):\n  File \"/srv/job/app.py\", line 3, in <module>\n    print(user[field], user['email'].lower())\n                       ~~~~^^^^^^^^^\nKeyError: 'email'\n",
  },
  string: {
    code: "labels = {1: 'one'}\nprint('Label: ' + labels[2])\n",
    error:
      'Traceback (most recent call last):\n  File "/srv/job/app.py", line 2, in <module>\n    print(\'Label: \' + labels[2])\n                      ~~~~~~^^^\nKeyError: 2\n',
  },
};

const fix = (c: { code: string; error: string }) =>
  proposeFixes({ code: c.code, filename: 'app.py', error: c.error });

describe('Strategy: KeyError', () => {
  it('starts a counter from 0', () => {
    // Act
    const { fixes } = fix(CASES.count);

    // Assess
    expect(fixes[0]?.code).toContain('    counts[w] = counts.get(w, 0) + 1\n');
    expect(fixes[1]?.code).toContain('    counts.setdefault(w, 0)\n    counts[w] += 1\n');
  });

  it('creates a missing list with setdefault before appending, and offers no throw-away default', () => {
    // Act
    const { fixes } = fix(CASES.append);

    // Assess
    expect(fixes[0]?.code).toContain('groups.setdefault(name[0], []).append(name)');
    expect(fixes.some((f) => f.code.includes('groups.get(name[0], [])'))).toBe(false);
    expect(fixes.some((f) => f.code.includes('name.get('))).toBe(false);
  });

  it('returns a fallback when the key is missing', () => {
    // Act
    const { fixes } = fix(CASES.return);

    // Assess
    expect(fixes.map((f) => f.code.split('\n')[1])).toEqual([
      '    return table[key] if key in table else None',
      '    return table.get(key)',
    ]);
  });

  it('deletes a key only if present', () => {
    expect(fix(CASES.del).fixes[0]?.code).toBe("config = {'a': 1}\nconfig.pop('b', None)\nprint(config)\n");
  });

  it('picks the lookup whose key the message names, with a text default before a string method', () => {
    // Act
    const { fixes } = fix(CASES.literal);

    // Assess
    expect(fixes[0]?.code).toContain("print(user[field], user.get('email', '').lower())");
    expect(fixes.every((f) => f.code.includes('user[field]'))).toBe(true);
  });

  it('matches a numeric key and a text default for concatenation', () => {
    expect(fix(CASES.string).fixes[0]?.code).toContain("print('Label: ' + labels.get(2, ''))");
  });
});
