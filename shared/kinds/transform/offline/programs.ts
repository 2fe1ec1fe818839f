import type { FilterTest, Literal, Step, TransformPlan } from './plan.js';

/**
 * Three programs for one plan: the same semantics written with different pandas idioms (masks and
 * methods, `.loc` and assignment, drops and stable re-sorts), so that a mistake in one idiom does
 * not sink every candidate, and the judge has three independent runs to compare. Each imports only
 * pandas, defines `transform(df)` and returns a fresh 0..n-1 index. Semantics (README): missing
 * values never match a filter; sorts are stable with missing values last; groups leave out missing
 * keys and come out sorted by their keys.
 */
export function programsForPlan(plan: TransformPlan): string[] {
  return [0, 1, 2].map((variant) => program(plan, variant));
}

const HEADERS = [
  '"""Offline program 1 of 3: chained methods and boolean masks."""',
  '"""Offline program 2 of 3: .loc selections and assignments."""',
  '"""Offline program 3 of 3: drops, stable re-sorts and explicit copies."""',
];

function program(plan: TransformPlan, variant: number): string {
  const body = plan.steps.flatMap((step) => [
    `    # ${describe(step)}`,
    ...stepLines(step, variant).map((line) => `    ${line}`),
  ]);
  return [
    HEADERS[variant],
    '',
    'import pandas as pd',
    '',
    '',
    'def transform(df: pd.DataFrame) -> pd.DataFrame:',
    '    df = df.copy()',
    ...body,
    '    return df.reset_index(drop=True)',
    '',
  ].join('\n');
}

function describe(step: Step): string {
  return step.kind === 'filter' ? `${step.remove ? 'remove' : 'keep'} rows by ${step.column}` : step.kind;
}

const py = (text: string) => JSON.stringify(text);
const col = (name: string) => `df[${py(name)}]`;
const list = (names: readonly string[]) => `[${names.map(py).join(', ')}]`;

function literal(value: Literal): string {
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return `${value}`;
  if (/^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2})?)?$/.test(value)) return `pd.Timestamp(${py(value)})`;
  return py(value);
}

/** The rows a test holds for: a boolean Series with False where the value is missing. */
function mask(column: string, test: FilterTest): string {
  const c = col(column);
  switch (test.op) {
    case '==':
      return `(${c} == ${literal(test.value)})`;
    case '!=':
      return `(${c}.notna() & (${c} != ${literal(test.value)}))`;
    case '>':
    case '>=':
    case '<':
    case '<=':
      return `(${c} ${test.op} ${literal(test.value)})`;
    case 'between':
      return `${c}.between(${literal(test.low)}, ${literal(test.high)})`;
    case 'in':
      return `${c}.isin([${test.values.map(literal).join(', ')}])`;
    case 'contains':
      return `${c}.str.contains(${py(test.text)}, case=False, regex=False, na=False).astype(bool)`;
    case 'starts with':
      return `${c}.str.lower().str.startswith(${py(test.text.toLowerCase())}, na=False).astype(bool)`;
    case 'ends with':
      return `${c}.str.lower().str.endswith(${py(test.text.toLowerCase())}, na=False).astype(bool)`;
    case 'is missing':
      return `${c}.isna()`;
    case 'is not missing':
      return `${c}.notna()`;
    case 'falls in':
      return `((${c} >= pd.Timestamp(${py(test.start)})) & (${c} < pd.Timestamp(${py(test.end)})))`;
  }
}

const AGG = { sum: 'sum', mean: 'mean', min: 'min', max: 'max', count: 'size' } as const;

function stepLines(step: Step, variant: number): string[] {
  switch (step.kind) {
    case 'filter': {
      const keep = step.remove ? `~${mask(step.column, step.test)}` : mask(step.column, step.test);
      return [
        [`df = df[${keep}]`],
        [`rows = ${keep}`, 'df = df.loc[rows]'],
        [`rows = ${keep}`, 'df = df.drop(index=df.index[~rows.to_numpy()])'],
      ][variant] as string[];
    }
    case 'select':
      return [
        [`df = df[${list(step.columns)}]`],
        [`df = df.loc[:, ${list(step.columns)}]`],
        [`df = df.filter(items=${list(step.columns)})`],
      ][variant] as string[];
    case 'drop':
      return [
        [`df = df.drop(columns=${list(step.columns)})`],
        [`df = df[[name for name in df.columns if name not in ${list(step.columns)}]]`],
        [`df = df.loc[:, ~df.columns.isin(${list(step.columns)})]`],
      ][variant] as string[];
    case 'rename':
      return [
        [`df = df.rename(columns={${py(step.from)}: ${py(step.to)}})`],
        [`df.columns = [${py(step.to)} if name == ${py(step.from)} else name for name in df.columns]`],
        [`df = df.rename(mapper={${py(step.from)}: ${py(step.to)}}, axis=1)`],
      ][variant] as string[];
    case 'sort': {
      const by = list(step.keys.map((key) => key.column));
      const ascending = `[${step.keys.map((key) => (key.descending ? 'False' : 'True')).join(', ')}]`;
      if (variant === 2) {
        // Stable sorts from the last key to the first give the same order as one sort on all keys.
        return [...step.keys]
          .reverse()
          .map(
            (key) =>
              `df = df.sort_values(${py(key.column)}, ascending=${key.descending ? 'False' : 'True'}, kind="mergesort", na_position="last")`,
          );
      }
      return [
        `df = df.sort_values(${by}, ascending=${ascending}, kind="${variant === 0 ? 'mergesort' : 'stable'}", na_position="last")`,
      ];
    }
    case 'group': {
      const by = list(step.by);
      const fn = AGG[step.aggregate];
      if (step.aggregate === 'count') {
        return [
          [`df = df.groupby(${by}, sort=True, dropna=True).size().reset_index(name=${py(step.as)})`],
          [
            `groups = df.groupby(${by}, sort=True, dropna=True)`,
            `df = groups.size().to_frame(${py(step.as)}).reset_index()`,
          ],
          [
            `df = df.dropna(subset=${by})`,
            `df = df.groupby(${by}, sort=True).agg(**{${py(step.as)}: (${py(step.by[0] ?? '')}, "size")}).reset_index()`,
          ],
        ][variant] as string[];
      }
      const of = py(step.column ?? '');
      return [
        [
          `df = df.groupby(${by}, sort=True, dropna=True, as_index=False).agg(**{${py(step.as)}: (${of}, "${fn}")})`,
        ],
        [`df = df.groupby(${by}, sort=True, dropna=True)[${of}].${fn}().reset_index(name=${py(step.as)})`],
        [
          `df = df.dropna(subset=${by})`,
          `df = df.groupby(${by}, sort=True)[[${of}]].agg("${fn}").reset_index().rename(columns={${of}: ${py(step.as)}})`,
        ],
      ][variant] as string[];
    }
    case 'dedupe': {
      const subset = step.by ? list(step.by) : 'None';
      return [
        [`df = df.drop_duplicates(subset=${subset}, keep="first")`],
        [`df = df[~df.duplicated(subset=${subset}, keep="first")]`],
        [`df = df.loc[~df.duplicated(subset=${subset})]`],
      ][variant] as string[];
    }
    case 'fill':
      return step.columns.flatMap((name) => {
        const value = literal(step.value);
        return [
          [`${col(name)} = ${col(name)}.fillna(${value})`],
          [`df = df.fillna({${py(name)}: ${value}})`],
          [`${col(name)} = ${col(name)}.where(${col(name)}.notna(), ${value})`],
        ][variant] as string[];
      });
    case 'add': {
      const expression = step.tokens
        .map((token) =>
          'column' in token
            ? `${col(token.column)}.astype("float64")`
            : 'number' in token
              ? token.number
              : token.op,
        )
        .join(' ');
      return [
        [`${col(step.column)} = ${expression}`],
        [`df = df.assign(**{${py(step.column)}: ${expression}})`],
        [`values = ${expression}`, `df.loc[:, ${py(step.column)}] = values`],
      ][variant] as string[];
    }
    case 'top': {
      if (!step.by)
        return [
          [`df = df.head(${step.n})`],
          [`df = df.iloc[:${step.n}]`],
          [`df = df.iloc[0:${step.n}].copy()`],
        ][variant] as string[];
      const by = py(step.by);
      return [
        [`df = df.sort_values(${by}, ascending=False, kind="mergesort", na_position="last").head(${step.n})`],
        [
          `df = df.sort_values([${by}], ascending=[False], kind="stable", na_position="last").iloc[:${step.n}]`,
        ],
        [
          `order = df[${by}].sort_values(ascending=False, kind="mergesort", na_position="last").index`,
          `df = df.loc[order[:${step.n}]]`,
        ],
      ][variant] as string[];
    }
  }
}
