/** Candidate sites as a model would write them, for the task kind's tests (the fake Gemini answers them). */

export const SALES_TITLE = 'Sales Summary 2024';

export const salesTask = (nonce: string, task = 'sales-summary') => ({
  email: 'student@example.com',
  secret: 'task-test-secret',
  task,
  round: 1,
  nonce,
  brief: `Publish a one-page site titled "${SALES_TITLE}" that adds up the sales [10000000, 15000000] and shows the total in #total-sales.`,
  checks: [
    `js: document.title === ${JSON.stringify(SALES_TITLE)}`,
    'js: document.querySelector("#total-sales").textContent.trim() === "25000000"',
    'js: document.querySelector("script").textContent.includes("total-sales")',
    'LICENSE contains the MIT License text',
    'The page has a level-one heading',
  ],
  evaluation_url: 'http://127.0.0.1:9/evaluate',
  attachments: [],
});

const readme = {
  summary: 'A one-page sales summary.',
  setup: 'Open index.html; nothing to install.',
  usage: 'The total is computed on load.',
  code: 'One inline script sums the sales.',
};

const page = (title: string, body: string, script: string) =>
  `<!doctype html>\n<html lang="en">\n<head><meta charset="utf-8"><title>${title}</title></head>\n<body>\n<h1>${title}</h1>\n${body}\n${script}\n</body>\n</html>\n`;

const inline = (format: string) =>
  `<script>\nconst sales = [10000000, 15000000];\nconst total = sales.reduce((a, b) => a + b, 0);\ndocument.querySelector('#total-sales').textContent = ${format};\n</script>`;

/** Honours every check: the exact title, the raw number, the script inline in index.html. */
export const honestSite = {
  title: 'Honest',
  rationale: 'exact title, raw number, inline script',
  files: [
    { path: 'index.html', content: page(SALES_TITLE, '<p id="total-sales"></p>', inline('String(total)')) },
  ],
  readme,
};

/** Two ways graders caught real submissions: a title with a suffix, the number with separators. */
export const suffixedSite = {
  title: 'Suffixed',
  rationale: 'a nicer title and a formatted number',
  files: [
    {
      path: 'index.html',
      content: page(
        `${SALES_TITLE} - Dashboard`,
        '<p id="total-sales"></p>',
        inline("total.toLocaleString('en-US')"),
      ),
    },
  ],
  readme,
};

/** The page's script moved to its own file: a check that reads index.html's first script fails. */
export const movedScriptSite = {
  title: 'Moved script',
  rationale: 'script in app.js',
  files: [
    {
      path: 'index.html',
      content: page(SALES_TITLE, '<p id="total-sales"></p>', '<script src="app.js"></script>'),
    },
    {
      path: 'app.js',
      content:
        "const sales = [10000000, 15000000];\ndocument.querySelector('#total-sales').textContent = String(sales.reduce((a, b) => a + b, 0));\n",
    },
  ],
  readme,
};

/** Never finishes loading: its script spins. */
export const spinningSite = {
  title: 'Spinning',
  rationale: 'loops forever',
  files: [
    {
      path: 'index.html',
      content: page(SALES_TITLE, '<p id="total-sales"></p>', '<script>for (;;) {}</script>'),
    },
  ],
  readme,
};

/** Reaches for the network: the sandbox answers nothing and says so. */
export const networkSite = {
  title: 'Network',
  rationale: 'fetches the total from an API',
  files: [
    {
      path: 'index.html',
      content: page(
        SALES_TITLE,
        '<p id="total-sales"></p>',
        "<script>\nfetch('https://api.example.com/total-sales').then((r) => r.text()).then((t) => { document.querySelector('#total-sales').textContent = t; }).catch(() => {});\n</script>",
      ),
    },
  ],
  readme,
};

/** What the model compiles the one check no rule knows into. */
export const compiledHeading = {
  checks: [{ text: 'The page has a level-one heading', js: 'document.querySelectorAll("h1").length >= 1' }],
};

const words = (count: number) =>
  Array.from({ length: count }, (_, i) => (i % 7 === 0 ? 'Ashravan' : 'word')).join(' ');
const llmPagesIndex = (files: string[]) =>
  `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>LLM Pages</title></head><body>\n<h1>LLM Pages</h1>\n<ul>\n${files.map((file) => `<li><a href="${file}">${file}</a></li>`).join('\n')}\n</ul>\n</body></html>\n`;
const LLM_PAGES_FILES = [
  'ashravan.txt',
  'dilemma.json',
  'about.md',
  'pelican.svg',
  'restaurant.json',
  'prediction.json',
  'uid.txt',
  'LICENSE',
];

/** The worked example's site, complete: every file the brief lists. */
export const llmPagesSite = {
  title: 'Complete',
  rationale: 'every file the brief lists',
  files: [
    { path: 'index.html', content: llmPagesIndex(LLM_PAGES_FILES) },
    { path: 'ashravan.txt', content: words(340) },
    {
      path: 'dilemma.json',
      content: JSON.stringify({
        people: 3,
        case_1: { swerve: true, reason: 'fewer hurt' },
        case_2: { swerve: false, reason: 'a child' },
      }),
    },
    { path: 'about.md', content: 'curious careful builder\n' },
    {
      path: 'pelican.svg',
      content:
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle cx="5" cy="5" r="4"/></svg>\n',
    },
    {
      path: 'restaurant.json',
      content: JSON.stringify({ city: 'Delhi', lat: 28.6, long: 77.2, name: 'Karim', what_to_eat: 'kebabs' }),
    },
    { path: 'prediction.json', content: JSON.stringify({ rate: 0.04, reason: 'gradual cuts' }) },
  ],
  readme,
};

/** Short of two files, and about.md has four words. */
export const llmPagesPartialSite = {
  title: 'Partial',
  rationale: 'left two files out',
  files: [
    { path: 'index.html', content: llmPagesIndex(LLM_PAGES_FILES) },
    { path: 'ashravan.txt', content: words(120) },
    { path: 'about.md', content: 'a curious careful builder\n' },
    {
      path: 'pelican.svg',
      content: '<svg xmlns="http://www.w3.org/2000/svg"><rect width="1" height="1"/></svg>\n',
    },
  ],
  readme,
};

/** What the model compiles the worked example's five checks no rule knows into (the last one no page can decide). */
export const llmPagesCompiled = {
  checks: [
    {
      text: 'ashravan.txt meets content requirements',
      js: "fetch('ashravan.txt').then((r) => r.text()).then((t) => { const n = t.trim().split(/\\s+/).length; return n >= 300 && n <= 400 && t.includes('Ashravan'); })",
    },
    {
      text: 'dilemma.json matches the assigned scenario',
      js: "fetch('dilemma.json').then((r) => r.json()).then((d) => d.people === 3 && typeof d.case_1.swerve === 'boolean' && typeof d.case_2.swerve === 'boolean').catch(() => false)",
    },
    {
      text: 'restaurant.json data is consistent',
      js: "fetch('restaurant.json').then((r) => r.json()).then((d) => d.city === 'Delhi' && typeof d.lat === 'number' && typeof d.long === 'number').catch(() => false)",
    },
    {
      text: 'prediction.json contains a reasonable forecast',
      js: "fetch('prediction.json').then((r) => r.json()).then((d) => d.rate >= 0 && d.rate <= 1).catch(() => false)",
    },
    { text: 'pelican.svg is rated by an LLM', js: null },
  ],
};
