// Copies the bundled buggy example (the one `npm run demo` uses) into public/, for "Load example".
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const web = join(dirname(fileURLToPath(import.meta.url)), '..');
const examples = join(web, '..', 'infra', 'local', 'examples');
const read = (name) => readFileSync(join(examples, name), 'utf8');
mkdirSync(join(web, 'public', 'examples'), { recursive: true });
writeFileSync(
  join(web, 'public', 'examples', 'average.json'),
  `${JSON.stringify({
    filename: 'average.py',
    code: read('average.py'),
    test: read('check_average.py'),
    error: read('average.error.txt'),
  })}\n`,
);
