import data from './data/python-names.json' with { type: 'json' };

/** Names from CPython itself (see data/generate-python-names.py). */
interface PythonNames {
  python: string;
  builtins: string[];
  keywords: string[];
  stdlibModules: string[];
  commonModules: string[];
  moduleAttributes: Record<string, string[]>;
  typeAttributes: Record<string, string[]>;
  wellKnownMembers: Record<string, { module: string; attributes?: string[] }>;
}

const names: PythonNames = data;

export const PYTHON_VERSION = names.python;
export const BUILTINS: ReadonlySet<string> = new Set(names.builtins);
export const PYTHON_KEYWORDS: ReadonlySet<string> = new Set(names.keywords);
export const STDLIB_MODULES: ReadonlySet<string> = new Set(names.stdlibModules);
export const COMMON_MODULES: ReadonlySet<string> = new Set(names.commonModules);

/** Public attributes of a common module (`os.path` included), or undefined when not recorded. */
export const moduleAttributes = (module: string): readonly string[] | undefined =>
  Object.hasOwn(names.moduleAttributes, module) ? names.moduleAttributes[module] : undefined;

/** Public attributes of a builtin type such as `str` or `dict`, or undefined. */
export const typeAttributes = (type: string): readonly string[] | undefined =>
  Object.hasOwn(names.typeAttributes, type) ? names.typeAttributes[type] : undefined;

/** Where a well-known stdlib member lives (`sqrt` → `math`), with a class's attributes. */
export const wellKnownMember = (name: string): { module: string; attributes?: string[] } | undefined =>
  Object.hasOwn(names.wellKnownMembers, name) ? names.wellKnownMembers[name] : undefined;
