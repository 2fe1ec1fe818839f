"""Regenerates python-names.json, the name data the offline provider matches against.

Run with the interpreter whose names you want (the committed file comes from CPython 3.11):
    /usr/bin/python3 shared/adapters/offline/data/generate-python-names.py
"""

import builtins
import importlib
import json
import pathlib
import sys

# Modules a beginner's program plausibly uses without importing; their members are
# offered as attribute corrections and their names as missing imports.
COMMON_MODULES = [
    "math", "os", "sys", "json", "re", "random", "time", "datetime", "collections",
    "itertools", "functools", "string", "statistics", "pathlib", "typing", "copy",
    "heapq", "bisect", "csv", "decimal", "fractions", "operator", "os.path",
    "dataclasses", "enum", "textwrap", "pprint", "shutil", "subprocess", "uuid",
    "hashlib", "base64", "io", "abc", "contextlib", "glob", "tempfile", "logging",
    "argparse", "unittest", "urllib", "calendar", "secrets", "struct", "array",
    "queue", "threading", "inspect", "types", "numbers", "cmath", "zlib", "gzip",
]

# Members people use bare, expecting them to exist: name -> module to import it from.
WELL_KNOWN_MEMBERS = {
    "sqrt": "math", "pi": "math", "floor": "math", "ceil": "math", "gcd": "math",
    "factorial": "math", "log": "math", "inf": "math", "isclose": "math", "hypot": "math",
    "defaultdict": "collections", "Counter": "collections", "deque": "collections",
    "namedtuple": "collections", "OrderedDict": "collections", "ChainMap": "collections",
    "datetime": "datetime", "date": "datetime", "timedelta": "datetime", "timezone": "datetime",
    "Path": "pathlib", "reduce": "functools", "partial": "functools", "lru_cache": "functools",
    "cache": "functools", "wraps": "functools", "total_ordering": "functools",
    "chain": "itertools", "permutations": "itertools", "combinations": "itertools",
    "product": "itertools", "groupby": "itertools", "accumulate": "itertools",
    "zip_longest": "itertools", "islice": "itertools", "count": "itertools",
    "List": "typing", "Dict": "typing", "Optional": "typing", "Tuple": "typing",
    "Set": "typing", "Union": "typing", "Any": "typing", "Callable": "typing",
    "Iterable": "typing", "Iterator": "typing", "deepcopy": "copy",
    "heappush": "heapq", "heappop": "heapq", "heapify": "heapq", "nlargest": "heapq",
    "nsmallest": "heapq", "bisect_left": "bisect", "bisect_right": "bisect", "insort": "bisect",
    "mean": "statistics", "median": "statistics", "mode": "statistics", "stdev": "statistics",
    "Decimal": "decimal", "Fraction": "fractions", "itemgetter": "operator",
    "attrgetter": "operator", "randint": "random", "choice": "random", "shuffle": "random",
    "sleep": "time", "perf_counter": "time", "dataclass": "dataclasses", "field": "dataclasses",
    "Enum": "enum", "auto": "enum", "pprint": "pprint", "ABC": "abc", "abstractmethod": "abc",
    "dedent": "textwrap", "ascii_lowercase": "string", "ascii_uppercase": "string",
    "ascii_letters": "string", "digits": "string", "punctuation": "string",
    "StringIO": "io", "contextmanager": "contextlib", "uuid4": "uuid",
}


def render(value, indent=0, prefix_width=0):
    """JSON laid out the way the project's formatter lays it out, so regenerating leaves no diff."""
    flat = flat_json(value)
    if 2 * indent + prefix_width + len(flat) + 1 <= 110 or not isinstance(value, (list, dict)) or not value:
        return flat
    pad = "  " * (indent + 1)
    if isinstance(value, list):
        items = [pad + render(v, indent + 1) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + "  " * indent + "]"
    items = []
    for key, v in value.items():
        head = json.dumps(key) + ": "
        items.append(pad + head + render(v, indent + 1, len(head)))
    return "{\n" + ",\n".join(items) + "\n" + "  " * indent + "}"


def flat_json(value):
    if isinstance(value, list):
        return "[" + ", ".join(flat_json(v) for v in value) + "]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        return "{ " + ", ".join(json.dumps(k) + ": " + flat_json(v) for k, v in value.items()) + " }"
    return json.dumps(value)


def public(names):
    return sorted(n for n in names if not n.startswith("_"))


def main():
    modules = {}
    for name in COMMON_MODULES:
        modules[name] = public(dir(importlib.import_module(name)))

    types = {}
    for t in (str, list, dict, set, frozenset, tuple, int, float, bool, bytes, bytearray, complex, range):
        types[t.__name__] = public(dir(t))

    members = {}
    for name, module_name in WELL_KNOWN_MEMBERS.items():
        value = getattr(importlib.import_module(module_name), name)
        entry = {"module": module_name}
        # A class's own attributes decide between `import m` and `from m import C`
        # when the program writes `C.attr` (datetime.now vs datetime.date).
        if isinstance(value, type):
            entry["attributes"] = public(dir(value))
        members[name] = entry

    data = {
        "python": sys.version.split()[0],
        "builtins": sorted(dir(builtins)),
        "keywords": sorted(__import__("keyword").kwlist + __import__("keyword").softkwlist),
        "stdlibModules": sorted(n for n in sys.stdlib_module_names if not n.startswith("_")),
        "commonModules": [m for m in COMMON_MODULES if "." not in m],
        "moduleAttributes": modules,
        "typeAttributes": types,
        "wellKnownMembers": members,
    }
    out = pathlib.Path(__file__).with_name("python-names.json")
    ordered = json.loads(json.dumps(data, sort_keys=True))
    out.write_text(render(ordered) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
