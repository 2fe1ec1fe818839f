"""The repair search's planner: the edits worth trying on a failing program, in the order to try
them. It never runs the program: it reads its text (ast) and the localization run's report
(te_repair_trace.py), and the sandbox function runs each edit as an ordinary sandbox job. It runs
as a sandbox job of its own too, with nothing checked: it parses untrusted text.

Reads te_repair_plan.json from the work dir:
  program, filename, hasTest, traceback (the client's, optional),
  cases (the trace report's cases; first batch) or ranked + typeMismatch (what a first batch
  answered), maxMutants.
Writes one JSON line on stdout: ranked (the program's lines, most suspicious first), typeMismatch,
singles (how many of the mutants are single edits), mutants: [{edits: [[line, [text...]]],
operator, size}] in the order to try them.

Ranking: Ochiai over the harness's cases when some pass and some fail, else the failing
traceback's frames (deepest first), then the lines the failing cases ran. Without a test only
the traceback's lines are kept, and edits that only drop the failing computation (return-value,
delete) are not made: "runs to exit 0" would pass them without proving anything.
Edits: for the ranked lines, most suspicious first, single edits from the operator set
(OPERATORS below); each rewrites only its own line and must parse to exactly the tree it meant.
Then, once every single edit is listed, pairs of edits on different top-ranked lines (their
number grows as the square). The list stops one past maxMutants: that extra one says the budget,
not the operators, ended it.
"""

import ast
import json
import math
import os
import re
import sys

# The operator set, in the order edits of one line are tried (cheap, common bugs first).
OPERATORS = [
    "constant",  # an int constant +1 / -1, True <-> False
    "compare",  # a comparison operator replaced (< <= > >= == !=, in/not in, is/is not)
    "compare-flip",  # a comparison's operands swapped
    "binary",  # an arithmetic or bitwise operator replaced within its family
    "bool",  # and <-> or
    "negation",  # `not` removed, or inserted around a condition
    "name",  # a name replaced by another name in scope
    "argument-swap",  # two positional arguments of a call swapped
    "bound-shift",  # an index or slice bound +1 / -1
    "return-value",  # a returned value replaced by a simple alternative
    "conversion",  # int(...), float(...) or str(...) around an operand, when the error is a type mismatch
    "delete",  # the statement removed (or replaced by pass)
    "duplicate",  # a neighbouring statement copied onto this line
]

ARITH = [ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow]
BITS = [ast.BitAnd, ast.BitOr, ast.BitXor, ast.LShift, ast.RShift]
ORDER = [ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Eq, ast.NotEq]
PAIRS = {ast.Is: ast.IsNot, ast.IsNot: ast.Is, ast.In: ast.NotIn, ast.NotIn: ast.In}
ATOMIC = (ast.Name, ast.Constant, ast.Attribute, ast.Call, ast.Subscript, ast.List, ast.Tuple, ast.Dict)
TYPE_ERROR = re.compile(r"TypeError: .*('str'|'int'|'float'|must be str|concatenate)")
FRAME = re.compile(r'File "([^"]+)", line (\d+)')
TOP_LINES_FOR_PAIRS = 3
MAX_LINE_CHARS = 2000
MAX_RANKED = 200
CONFIG = "te_repair_plan.json"


def main():
    with open(os.path.join(os.getcwd(), CONFIG)) as f:
        request = json.load(f)
    sys.stdout.write(json.dumps(plan(request)) + "\n")


def plan(request):
    program = request["program"]
    filename = request.get("filename") or "main.py"
    has_test = bool(request.get("hasTest"))
    budget = int(request.get("maxMutants") or 400)
    given = request.get("traceback") or ""
    if request.get("ranked") is not None:
        ranked = [int(n) for n in request["ranked"]]
        type_mismatch = bool(request.get("typeMismatch"))
    else:
        cases = request.get("cases") or []
        ranked = rank_lines(cases, given, filename, has_test)[:MAX_RANKED]
        errors = " ".join(c.get("error") or "" for c in cases) + " " + given
        type_mismatch = bool(TYPE_ERROR.search(errors))
    answer = {"ranked": ranked, "typeMismatch": type_mismatch, "singles": 0, "mutants": []}
    try:
        tree = ast.parse(program)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return answer
    lines = split_lines(program)
    # One-token repairs of minified code are not what this is for, and long lines would make
    # every mutant's edit as long as the line.
    ranked_kept = [n for n in ranked if 0 < n <= len(lines) and len(lines[n - 1]) <= MAX_LINE_CHARS]
    mutator = Mutator(program, tree, type_mismatch=type_mismatch,
                      skip=set() if has_test else {"return-value", "delete"})
    seen = {program}
    mutants = []
    singles = []

    def add(edits, operator):
        code = apply_edits(program, edits)
        if code in seen:
            return
        seen.add(code)
        mutants.append({"edits": [[line, text] for line, text in edits], "operator": operator,
                        "size": edit_size(program, edits)})

    for line in ranked_kept:
        for edit, operator in mutator.edits_for(line):
            if len(mutants) > budget:
                break
            singles.append((line, edit, operator))
            add([edit], operator)
    answer["singles"] = len(mutants)
    # Pairs across the top-ranked lines, each line's first edits combined first: ordered by the
    # later of the two edits' places in their own line's list, so no one line pair's edits
    # crowd the others out of the budget.
    top = ranked_kept[:TOP_LINES_FOR_PAIRS]
    by_line = {line: [] for line in top}
    for line, edit, operator in singles:
        if line in by_line:
            by_line[line].append((edit, operator))
    pairs = []
    for a, line_a in enumerate(top):
        for line_b in top[a + 1:]:
            for ka, (edit_a, op_a) in enumerate(by_line[line_a]):
                for kb, (edit_b, op_b) in enumerate(by_line[line_b]):
                    pairs.append(((max(ka, kb), ka + kb, a), [edit_a, edit_b], op_a + "+" + op_b))
    pairs.sort(key=lambda p: p[0])
    for _, edits, operator in pairs:
        # One over the budget says there were more than the budget allows.
        if len(mutants) > budget:
            break
        add(edits, operator)
    answer["mutants"] = mutants
    return answer


def split_lines(program):
    """The program's lines as the tokenizer counts them (LF, CRLF and CR end a line; a form feed
    does not, unlike str.splitlines), each with its ending: the sandbox function and the
    controller split the same way when they apply an edit."""
    return LINE.findall(program)


LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def rank_lines(cases, given_traceback, filename, has_test):
    failed = [c for c in cases if not c["passed"]]
    passed = [c for c in cases if c["passed"]]
    frames = []
    for c in failed:
        frames.extend(reversed(c["frames"]))  # deepest frame first
    for path, line in reversed(FRAME.findall(given_traceback)):
        if os.path.basename(path) == filename:
            frames.append(int(line))
    ranked = []
    for line in frames:
        if line not in ranked:
            ranked.append(line)
    if not has_test:
        # Exit-0 harness: one case, no spectrum worth the name; only what the traceback names.
        return ranked
    scores = {}
    for c in failed:
        for line in c["lines"]:
            ef = sum(1 for f in failed if line in f["lines"])
            ep = sum(1 for p in passed if line in p["lines"])
            scores[line] = ef / math.sqrt(len(failed) * (ef + ep))
    # Ties (every line of a single failing case scores 1) go to the later line: the statement that
    # computes the result usually follows the guards before it.
    by_score = sorted(scores, key=lambda line: (-scores[line], -line))
    if passed:
        ranked = [line for line in by_score if scores[line] >= 1.0 and line not in ranked] + ranked
    for line in by_score:
        if line not in ranked:
            ranked.append(line)
    return ranked


def apply_edits(program, edits):
    lines = split_lines(program)
    for line, replacement in sorted(edits, key=lambda e: -e[0]):
        lines[line - 1:line] = replacement
    return "".join(lines)


def edit_size(program, edits):
    """Characters changed: per edited line, the longer of what went and what came once the common
    start and end are set aside (`radius` -> `r` is 6, a deleted line is its whole length)."""
    lines = split_lines(program)
    size = 0
    for line, replacement in edits:
        old, new = lines[line - 1].strip(), "".join(replacement).strip()
        if len(replacement) > 1:
            size += len(new) - len(old)
            continue
        head = 0
        while head < min(len(old), len(new)) and old[head] == new[head]:
            head += 1
        tail = 0
        while tail < min(len(old), len(new)) - head and old[-1 - tail] == new[-1 - tail]:
            tail += 1
        size += max(len(old) - head - tail, len(new) - head - tail)
    return size


class Mutator:
    """Edits of one line, as (line, replacement lines), each checked to parse to the tree the edit
    meant: the rest of the program's text stays exactly as it was."""

    def __init__(self, program, tree, type_mismatch, skip=frozenset()):
        self.skip = skip
        self.program = program
        self.lines = split_lines(program)
        self.tree = tree
        self.type_mismatch = type_mismatch
        self.parents = {}
        for parent in ast.walk(tree):
            for field, value in ast.iter_fields(parent):
                if isinstance(value, list):
                    for i, child in enumerate(value):
                        if isinstance(child, ast.AST):
                            self.parents[id(child)] = (parent, field, i)
                elif isinstance(value, ast.AST):
                    self.parents[id(value)] = (parent, field, None)
        self.module_names = sorted({n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
                                   | {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))})

    def edits_for(self, line):
        if line < 1 or line > len(self.lines):
            return
        stmts = [s for s in ast.walk(self.tree) if isinstance(s, ast.stmt) and s.lineno == line]
        if not stmts:
            return
        stmt = stmts[0]
        if self.skip and self.parents.get(id(stmt), (None,))[0] is self.tree:
            # Without a test the module's own top-level code is what drives the program (the
            # call the traceback starts at): changing it would change the check, not the bug.
            return
        by_operator = {op: [] for op in OPERATORS}
        for node in self._expressions_on_line(stmt, line):
            for operator, replacement in self._expression_edits(node, stmt):
                by_operator[operator].append((node, replacement))
        for operator in OPERATORS:
            if operator in self.skip:
                continue
            for node, replacement in by_operator[operator]:
                edit = self._replace(node, replacement, line)
                if edit is not None:
                    yield edit, operator
            if operator == "delete":
                for edit in self._delete(stmt, line):
                    yield edit, operator
            if operator == "duplicate":
                for edit in self._duplicate(stmt, line):
                    yield edit, operator

    def _expressions_on_line(self, stmt, line):
        # A compound statement's own line is its header: only the header's expressions count.
        roots = []
        if isinstance(stmt, (ast.If, ast.While)):
            roots = [stmt.test]
        elif isinstance(stmt, ast.For):
            roots = [stmt.target, stmt.iter]
        elif isinstance(stmt, (ast.FunctionDef, ast.ClassDef, ast.With, ast.Try)):
            roots = []
        else:
            roots = [stmt]
        for root in roots:
            for node in ast.walk(root):
                if isinstance(node, ast.expr) and node.lineno == line and node.end_lineno == line:
                    yield node

    def _scope_names(self, stmt):
        func = stmt
        while id(func) in self.parents and not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
            func = self.parents[id(func)][0]
        names = set(self.module_names)
        if isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names |= {a.arg for a in func.args.args + func.args.kwonlyargs}
            names |= {n.id for n in ast.walk(func) if isinstance(n, ast.Name)}
        return sorted(names)

    def _expression_edits(self, node, stmt):
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool):
                yield "constant", ast.Constant(not node.value)
            elif isinstance(node.value, int):
                yield "constant", ast.Constant(node.value + 1)
                yield "constant", ast.Constant(node.value - 1)
        elif isinstance(node, ast.Compare):
            for i, op in enumerate(node.ops):
                family = ORDER if type(op) in ORDER else [type(op), PAIRS.get(type(op), type(op))]
                for other in family:
                    if other is not type(op):
                        ops = list(node.ops)
                        ops[i] = other()
                        yield "compare", ast.Compare(node.left, ops, node.comparators)
            if len(node.ops) == 1 and type(node.ops[0]) in ORDER:
                yield "compare-flip", ast.Compare(node.comparators[0], node.ops, [node.left])
            yield "negation", ast.UnaryOp(ast.Not(), node)
        elif isinstance(node, ast.BinOp):
            family = ARITH if type(node.op) in ARITH else BITS if type(node.op) in BITS else []
            for other in family:
                if other is not type(node.op):
                    yield "binary", ast.BinOp(node.left, other(), node.right)
            if self.type_mismatch:
                for side in ("left", "right"):
                    operand = getattr(node, side)
                    if not isinstance(operand, ast.Constant):
                        for conv in ("int", "float", "str"):
                            wrapped = ast.Call(ast.Name(conv, ast.Load()), [operand], [])
                            yield "conversion", ast.BinOp(wrapped if side == "left" else node.left, node.op,
                                                          wrapped if side == "right" else node.right)
        elif isinstance(node, ast.BoolOp):
            yield "bool", ast.BoolOp(ast.Or() if isinstance(node.op, ast.And) else ast.And(), node.values)
            yield "negation", ast.UnaryOp(ast.Not(), node)
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            yield "negation", node.operand
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            yield "binary", node.operand
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            for name in self._scope_names(stmt):
                if name != node.id:
                    yield "name", ast.Name(name, ast.Load())
            parent = self.parents.get(id(node))
            if parent and isinstance(parent[0], (ast.If, ast.While)) and parent[1] == "test":
                yield "negation", ast.UnaryOp(ast.Not(), node)
        elif isinstance(node, ast.Call):
            args = node.args
            if isinstance(node.func, ast.Name) and node.func.id == "range":
                # range()'s bounds are index bounds too: the classic off-by-one is `range(1, n)`.
                for i, arg in enumerate(args):
                    if not isinstance(arg, ast.Constant):
                        for op in (ast.Add, ast.Sub):
                            shifted = list(args)
                            shifted[i] = ast.BinOp(arg, op(), ast.Constant(1))
                            yield "bound-shift", ast.Call(node.func, shifted, node.keywords)
            for i in range(len(args)):
                for j in range(i + 1, len(args)):
                    swapped = list(args)
                    swapped[i], swapped[j] = args[j], args[i]
                    yield "argument-swap", ast.Call(node.func, swapped, node.keywords)
        elif isinstance(node, ast.Subscript):
            s = node.slice
            if isinstance(s, ast.Slice):
                for field in ("lower", "upper"):
                    bound = getattr(s, field)
                    if bound is not None and not isinstance(bound, ast.Constant):
                        for op in (ast.Add, ast.Sub):
                            new = ast.Slice(s.lower, s.upper, s.step)
                            setattr(new, field, ast.BinOp(bound, op(), ast.Constant(1)))
                            yield "bound-shift", ast.Subscript(node.value, new, node.ctx)
            elif not isinstance(s, (ast.Constant, ast.Tuple)):
                for op in (ast.Add, ast.Sub):
                    yield "bound-shift", ast.Subscript(node.value, ast.BinOp(s, op(), ast.Constant(1)), node.ctx)
        if isinstance(node, ast.expr):
            parent = self.parents.get(id(node))
            if parent and isinstance(parent[0], ast.Return) and parent[1] == "value":
                for value in (None, True, False, 0, 1):
                    if not (isinstance(node, ast.Constant) and node.value is value):
                        yield "return-value", ast.Constant(value)
                if isinstance(node, ast.Name) or isinstance(node, ast.Compare):
                    yield "return-value", ast.UnaryOp(ast.Not(), node)
                yield "return-value", ast.UnaryOp(ast.USub(), node)
        if isinstance(node, (ast.Name, ast.Subscript, ast.Attribute, ast.Call)) and self.type_mismatch:
            parent = self.parents.get(id(node))
            if parent and isinstance(parent[0], ast.AugAssign) and parent[1] == "value":
                for conv in ("int", "float", "str"):
                    yield "conversion", ast.Call(ast.Name(conv, ast.Load()), [node], [])

    def _replace(self, node, replacement, line):
        parent, field, index = self.parents[id(node)]
        text = self.lines[line - 1]
        # The tree the edit means, to check the text against.
        self._swap(parent, field, index, replacement)
        try:
            expected = ast.dump(self.tree)
        finally:
            self._swap(parent, field, index, node)
        start = len(text.encode()[:node.col_offset].decode(errors="ignore"))
        end = len(text.encode()[:node.end_col_offset].decode(errors="ignore"))
        # The client's own spelling of the parts kept (quotes, spacing) first, then ast's.
        options = [self._render(replacement), ast.unparse(replacement)]
        options = [o for o in options if o is not None]
        for candidate in [c for o in options for c in (o, "(" + o + ")")]:
            changed = text[:start] + candidate + text[end:]
            code = apply_edits(self.program, [(line, [changed])])
            try:
                if ast.dump(ast.parse(code)) == expected:
                    return (line, [changed])
            except SyntaxError:
                pass
        return None

    def _render(self, replacement):
        """The replacement's text with every node it kept from the program spelled as in the
        program; None when a kept node spans lines."""
        segments = {}

        def copy_new(value):
            if isinstance(value, list):
                return [copy_new(v) for v in value]
            if not isinstance(value, ast.AST):
                return value
            if id(value) in self.parents and isinstance(value, ast.expr):
                if value.lineno != value.end_lineno:
                    raise ValueError
                key = "__te_kept_%d__" % len(segments)
                segments[key] = ast.get_source_segment(self.program, value)
                return ast.Name(key, ast.Load())
            fresh = type(value)()
            for field, child in ast.iter_fields(value):
                setattr(fresh, field, copy_new(child))
            return fresh

        try:
            text = ast.unparse(copy_new(replacement))
        except ValueError:
            return None
        for key, segment in segments.items():
            if segment is None:
                return None
            text = text.replace(key, segment)
        return text

    @staticmethod
    def _swap(parent, field, index, value):
        if index is None:
            setattr(parent, field, value)
        else:
            getattr(parent, field)[index] = value

    def _single_line(self, stmt):
        return stmt.lineno == stmt.end_lineno

    def _delete(self, stmt, line):
        if not self._single_line(stmt) or id(stmt) not in self.parents:
            return
        parent, field, index = self.parents[id(stmt)]
        siblings = getattr(parent, field)
        if len(siblings) > 1:
            edit = (line, [])
        else:
            text = self.lines[line - 1]
            indent = text[:len(text) - len(text.lstrip())]
            edit = (line, [indent + "pass\n"])
        if self._parses(edit):
            yield edit

    def _duplicate(self, stmt, line):
        if id(stmt) not in self.parents:
            return
        parent, field, index = self.parents[id(stmt)]
        siblings = getattr(parent, field)
        for other_index in (index - 1, index + 1):
            if other_index < 0 or other_index >= len(siblings):
                continue
            other = siblings[other_index]
            if not self._single_line(other):
                continue
            text = self.lines[line - 1]
            copy = self.lines[other.lineno - 1]
            if not copy.endswith("\n"):
                copy += "\n"
            if not text.endswith("\n"):
                text += "\n"
            # Copied before this statement: a missing guard or step usually belongs before it.
            edit = (line, [copy, text])
            if self._parses(edit):
                yield edit

    def _parses(self, edit):
        try:
            ast.parse(apply_edits(self.program, [edit]))
            return True
        except SyntaxError:
            return False


if __name__ == "__main__":
    main()
