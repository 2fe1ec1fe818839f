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
