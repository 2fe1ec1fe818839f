"""Pre-flight policy check: parses a file with the interpreter's own parser and refuses it when it
names something the policy blocks. Uses `_ast` directly (the `ast` module drags in enum, re and
contextlib, which would cost more than the check itself).

Run as a script it checks a batch: one policy in argv (see `Policy.from_args`), then
NUL-separated sources on stdin; one result line per source on stdout.
"""

import _ast
import posixpath
import sys


class Policy:
    __slots__ = ("imports", "allowed", "calls", "attrs", "names", "path_calls", "allowed_paths", "exempt")

    def __init__(self, imports, allowed, calls, attrs, names, path_calls, allowed_paths):
        self.imports = imports
        self.allowed = allowed
        self.calls = _Patterns(calls)
        self.attrs = frozenset(attrs)
        self.names = frozenset(names)
        self.path_calls = _Patterns(path_calls)
        self.allowed_paths = frozenset(allowed_paths)
        # What the client's original program already uses (see `original_constructs`): allowed.
        self.exempt = frozenset()

    @classmethod
    def from_args(cls, args):
        """`args` maps keys to comma-separated lists; `allowed` absent or empty means no allowlist."""

        def items(key):
            value = args.get(key, "")
            return [v for v in value.split(",") if v]

        allowed = items("allowed") if args.get("allowed") else None
        return cls(
            items("imports"),
            allowed,
            items("calls"),
            items("attrs"),
            items("names"),
            items("path_calls"),
            items("allowed_paths"),
        )

    def import_refused(self, module):
        """The rule refusing `module`, or None (also when the original imports it, or a parent of it)."""
        if self.exempt and self.import_exempt(module):
            return None
        return self.import_refused_strictly(module)

    def import_exempt(self, module):
        for key in self.exempt:
            if key[0] == "import" and (module == key[1] or module.startswith(key[1] + ".")):
                return True
        return False

    def import_refused_strictly(self, module):
        for blocked in self.imports:
            if module == blocked or module.startswith(blocked + "."):
                return "blocked-import"
        if self.allowed is not None:
            for ok in self.allowed:
                if module == ok or module.startswith(ok + "."):
                    return None
            return "import-not-allowed"
        return None


class _Patterns:
    """`name` exact, `prefix*` by prefix, `*.attr` (or `*.pre*`) on the last segment of any name."""

    __slots__ = ("exact", "prefixes", "attr_exact", "attr_prefixes")

    def __init__(self, patterns):
        self.exact = set()
        self.prefixes = []
        self.attr_exact = set()
        self.attr_prefixes = []
        for p in patterns:
            if p.startswith("*."):
                q = p[2:]
                if q.endswith("*"):
                    self.attr_prefixes.append(q[:-1])
                else:
                    self.attr_exact.add(q)
            elif p.endswith("*"):
                self.prefixes.append(p[:-1])
            else:
                self.exact.add(p)

    def match(self, dotted):
        if dotted in self.exact:
            return True
        for p in self.prefixes:
            if dotted.startswith(p):
                return True
        if "." in dotted:
            last = dotted.rpartition(".")[2]
            if last in self.attr_exact:
                return True
            for p in self.attr_prefixes:
                if last.startswith(p):
                    return True
        return False


def describe(key):
    """How an allowance reads in a run's result: `eval (call)`, `subprocess (import)`."""
    return "%s (%s): present in the original" % (key[1], key[0])


class Refusal(Exception):
    def __init__(self, rule, line, detail):
        super().__init__(rule)
        self.rule = rule
        self.line = line
        self.detail = detail


def check_source(source, filename, policy, allowed=None):
    """Returns None when the source passes, or a Refusal. A source that does not parse passes: it
    cannot run either, and running it reports the SyntaxError the way the author expects.

    What `policy.exempt` holds (constructs the original program uses) is let through; when
    `allowed` is a set, the keys of what was let through are added to it."""
    try:
        tree = compile(source, filename, "exec", _ast.PyCF_ONLY_AST, dont_inherit=True)
    except (SyntaxError, ValueError):
        return None
    try:
        _Checker(policy, allowed=allowed).run(tree)
    except Refusal as refusal:
        return refusal
    except RecursionError:
        return Refusal("too-deep", 0, "the syntax tree is too deep to check")
    return None


def original_constructs(source, policy):
    """Every construct of the client's original program that the policy would refuse, as keys
    (`("call", "eval")`, `("import", "subprocess")`, `("path", "/data/in.csv")`…). The original is
    the client's own code: a candidate may use what it already uses. Empty when it does not parse."""
    try:
        tree = compile(source, "original.py", "exec", _ast.PyCF_ONLY_AST, dont_inherit=True)
    except (SyntaxError, ValueError):
        return frozenset()
    found = set()
    try:
        _Checker(policy, collect=found).run(tree)
    except RecursionError:
        pass
    return frozenset(found)


_NAME = _ast.Name
_ATTRIBUTE = _ast.Attribute
_CALL = _ast.Call
_CONSTANT = _ast.Constant
_IMPORT = _ast.Import
_IMPORT_FROM = _ast.ImportFrom


class _Checker:
    def __init__(self, policy, collect=None, allowed=None):
        self.policy = policy
        # local name -> dotted name it stands for, from every import in the file
        self.aliases = {}
        # Collecting (the original): every would-be refusal is recorded and none raised.
        self.collect = collect
        self.allowed = allowed

    def run(self, tree):
        nodes = list(_walk(tree))
        for node in nodes:
            kind = type(node)
            if kind is _IMPORT:
                self.check_import(node)
            elif kind is _IMPORT_FROM:
                self.check_import_from(node)
        for node in nodes:
            kind = type(node)
            if kind is _NAME:
                self.check_name(node)
            elif kind is _ATTRIBUTE:
                self.check_attribute(node)
            elif kind is _CONSTANT:
                value = node.value
                if type(value) is str and value in self.policy.attrs:
                    self.refuse("blocked-attribute", node, "the string %r" % value, ("attribute", value))
            elif kind is _CALL:
                self.check_path_call(node)

    def refuse(self, rule, node, detail, key):
        """Refuses, unless the original uses the same construct (`key`)."""
        if self.collect is not None:
            self.collect.add(key)
            return
        if key in self.policy.exempt or (key[0] == "import" and self.policy.import_exempt(key[1])):
            if self.allowed is not None:
                self.allowed.add(key)
            return
        raise Refusal(rule, getattr(node, "lineno", 0), detail)

    def check_module(self, module, node):
        rule = self.policy.import_refused_strictly(module)
        if rule:
            self.refuse(rule, node, "import of %s" % module, ("import", module))

    def check_import(self, node):
        for alias in node.names:
            self.check_module(alias.name, node)
            if alias.asname:
                self.aliases[alias.asname] = alias.name
            else:
                top = alias.name.partition(".")[0]
                self.aliases[top] = top

    def check_import_from(self, node):
        if node.level:
            # A relative import stays inside the work dir's own files.
            return
        module = node.module or ""
        self.check_module(module, node)
        for alias in node.names:
            if alias.name == "*":
                # A star import hides which names arrive; refuse it from modules with blocked members.
                if self._has_blocked_members(module):
                    self.refuse("blocked-call", node, "from %s import *" % module, ("star-import", module))
                continue
            full = module + "." + alias.name
            if self._looks_like_module(full):
                self.check_module(full, node)
            if self.policy.calls.match(full):
                self.refuse("blocked-call", node, "import of %s" % full, ("call", full))
            self.aliases[alias.asname or alias.name] = full

    def _looks_like_module(self, full):
        for blocked in self.policy.imports:
            if full == blocked or full.startswith(blocked + "."):
                return True
        return False

    def _has_blocked_members(self, module):
        prefix = module + "."
        calls = self.policy.calls
        for name in list(calls.exact) + calls.prefixes:
            if name.startswith(prefix):
                return True
        return False

    def resolve(self, node):
        """The dotted name an expression stands for, imports followed; None for anything else."""
        parts = []
        while type(node) is _ATTRIBUTE:
            parts.append(node.attr)
            node = node.value
        if type(node) is not _NAME:
            return None
        parts.append(self.aliases.get(node.id, node.id))
        parts.reverse()
        return ".".join(parts)

    def check_name(self, node):
        name = node.id
        if name in self.policy.names:
            self.refuse("blocked-name", node, name, ("name", name))
        dotted = self.aliases.get(name, name)
        if self.policy.calls.match(dotted):
            self.refuse("blocked-call", node, dotted, ("call", dotted))

    def check_attribute(self, node):
        if node.attr in self.policy.attrs:
            self.refuse("blocked-attribute", node, "." + node.attr, ("attribute", node.attr))
        dotted = self.resolve(node)
        if dotted is not None and self.policy.calls.match(dotted):
            self.refuse("blocked-call", node, dotted, ("call", dotted))

    def check_path_call(self, node):
        if not node.args:
            return
        first = node.args[0]
        if type(first) is not _CONSTANT or type(first.value) not in (str, bytes):
            return
        dotted = self.resolve(node.func)
        if dotted is None or not self.policy.path_calls.match(dotted):
            return
        path = first.value.decode("utf-8", "replace") if type(first.value) is bytes else first.value
        if _outside_workdir(path) and path not in self.policy.allowed_paths:
            self.refuse("path-outside-workdir", node, "%s(%r)" % (dotted, path), ("path", path))


def _outside_workdir(path):
    if path.startswith("/") or path.startswith("~"):
        return True
    normal = posixpath.normpath(path)
    return normal == ".." or normal.startswith("../")


def _walk(tree):
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        for field in node._fields:
            value = getattr(node, field, None)
            if type(value) is list:
                for item in value:
                    if isinstance(item, _ast.AST):
                        stack.append(item)
            elif isinstance(value, _ast.AST):
                stack.append(value)


def parse_args(argv):
    out = {}
    for arg in argv:
        key, _, value = arg.partition("=")
        out[key] = value
    return out


def _batch():
    """With `original=1`, the first NUL-separated source is the original program: the rest are
    checked relative to it, and a pass lists what the original let through."""
    args = parse_args(sys.argv[1:])
    policy = Policy.from_args(args)
    data = sys.stdin.buffer.read()
    sources = data.split(b"\0") if data else []
    if args.get("original") == "1" and sources:
        policy.exempt = original_constructs(sources.pop(0), policy)
    out = []
    for i, source in enumerate(sources):
        allowed = set()
        refusal = check_source(source, "snippet%d.py" % i, policy, allowed)
        if refusal is None:
            out.append("\t".join(["ok"] + sorted(describe(k).replace("\t", " ") for k in allowed)))
        else:
            detail = refusal.detail.replace("\t", " ").replace("\n", " ")
            out.append("%s\t%d\t%s" % (refusal.rule, refusal.line, detail))
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    _batch()
