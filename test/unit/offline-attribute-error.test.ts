import { describe, expect, it } from 'vitest';
import { proposeFixes } from '../../shared/kinds/fix/offline/index.js';

// Programs and the tracebacks CPython 3.11 printed for them (run as /srv/job/app.py).
const CASES = {
  str: {
    code: 'word = "quiet"\nprint(word.uppre())\n',
    error:
      "Traceback (most recent call last):\n  File \"/srv/job/app.py\", line 2, in <module>\n    print(word.uppre())\n          ^^^^^^^^^^\nAttributeError: 'str' object has no attribute 'uppre'. Did you mean: 'upper'?\n",
  },
  json: {
    code: 'import json\n\n\ndef load(text):\n    return json.lods(text)\n\n\nprint(load(\'{"a": 1}\'))\n',
    error:
      "Traceback (most recent call last):\n  File \"/srv/job/app.py\", line 8, in <module>\n    print(load('{\"a\": 1}'))\n          ^^^^^^^^^^^^^^^^\n  File \"/srv/job/app.py\", line 5, in load\n    return json.lods(text)\n           ^^^^^^^^^\nAttributeError: module 'json' has no attribute 'lods'. Did you mean: 'loads'?\n",
  },
  point: {
    code: 'class Point:\n    def __init__(self, x, y):\n        self.xx = x\n        self.y = y\n\n\np = Point(1, 2)\nprint(p.x + p.y, p.x)\n',
    error:
      "Traceback (most recent call last):\n  File \"/srv/job/app.py\", line 8, in <module>\n    print(p.x + p.y, p.x)\n          ^^^\nAttributeError: 'Point' object has no attribute 'x'. Did you mean: 'xx'?\n",
  },
  method: {
    code: 'class Cart:\n    def __init__(self):\n        self.items = []\n\n    def add_item(self, item):\n        self.items.append(item)\n\n\ncart = Cart()\ncart.add_itme("pen")\nprint(cart.items)\n',
    error:
      "Traceback (most recent call last):\n  File \"/srv/job/app.py\", line 10, in <module>\n    cart.add_itme(\"pen\")\n    ^^^^^^^^^^^^^\nAttributeError: 'Cart' object has no attribute 'add_itme'. Did you mean: 'add_item'?\n",
  },
  none: {
    code: 'value = None\nprint(value.strip())\n',
    error:
      "Traceback (most recent call last):\n  File \"/srv/job/app.py\", line 2, in <module>\n    print(value.strip())\n          ^^^^^^^^^^^\nAttributeError: 'NoneType' object has no attribute 'strip'\n",
  },
};

const fix = (c: { code: string; error: string }) =>
  proposeFixes({ code: c.code, filename: 'app.py', error: c.error });
const withoutHint = (error: string) => error.replace(/\. Did you mean: '[^']+'\?/, '');

describe('Strategy: AttributeError', () => {
  it('uses the nearest str method from the recorded names, without the interpreter hint', () => {
    // Act
    const { fixes } = fix({ ...CASES.str, error: withoutHint(CASES.str.error) });

    // Assess
    expect(fixes[0]?.code).toBe('word = "quiet"\nprint(word.upper())\n');
  });

  it('uses the nearest member of a standard-library module', () => {
    // Act
    const { fixes } = fix({ ...CASES.json, error: withoutHint(CASES.json.error) });

    // Assess
    expect(fixes[0]?.code).toContain('return json.loads(text)');
    expect(fixes[0]?.title).toBe('Use `.loads` instead of `.lods`');
  });

  it("uses a method of the program's own class", () => {
    expect(fix({ ...CASES.method, error: withoutHint(CASES.method.error) }).fixes[0]?.code).toContain(
      'cart.add_item("pen")',
    );
  });

  it('offers renaming the definition when callers use the other spelling more', () => {
    // Act
    const { fixes } = fix(CASES.point);

    // Assess
    expect(fixes.map((f) => f.title)).toEqual(['Use `.xx` instead of `.x`', 'Rename `.xx` to `.x`']);
    expect(fixes[1]?.code).toContain('self.x = x');
    expect(fixes[1]?.code).toContain('print(p.x + p.y, p.x)');
  });

  it('leaves NoneType alone: the value is missing, not misspelt', () => {
    expect(fix(CASES.none).fixes).toEqual([]);
  });
});
