"""What a student's function uses, read from the source of the student's cells.

`findings(name, sources, words)` parses the cells (in the order they ran), finds every
definition of `name` and follows, transitively, each global name it reads to the student's
own definitions of that name (a `def`, a class, an assignment, an import, a `global` in a
function). In all of that code it reports:

- a use of a name that contains one of `words` (compared in lower case without underscores,
  so "log_softmax" also matches `LogSoftmax`, `_log_softmax`, `torch.special.log_softmax`):
  an attribute, an import, a string, or a global name the student did not define;
- looking names up by string or reaching into namespaces (`getattr`, `eval`, `exec`,
  `__import__`, `importlib`, `inspect`, `globals`, `vars`, `__dict__` and other double
  underscore attributes), because they can spell any name.

Everywhere in the student's cells, also outside that function, it reports what would let
the function reach a built-in the source does not name: keeping one of those names as a
value (`ce = F.cross_entropy`, `from torch.nn.functional import cross_entropy`; calling it
in a cell, to compare with it, is fine), the look-ups above, and storing into a module's
attributes (`F.mine = ...`).

The sources are text: nothing of the student's running code is asked (under grading they
come from the submitted notebook, see `lossbook.checks.student_code`).
"""

import ast

DYNAMIC = {"getattr", "setattr", "delattr", "eval", "exec", "compile", "__import__", "globals", "locals",
           "vars", "importlib", "inspect", "builtins", "__builtins__", "operator", "runpy", "ctypes", "gc"}
SAFE_DUNDERS = {"__init__", "__name__", "__qualname__", "__doc__"}
FRAME_ATTRIBUTES = {"f_globals", "f_locals", "f_builtins", "f_back", "tb_frame", "gi_frame", "cr_frame"}
SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


def _norm(text):
    return text.lower().replace("_", "")


def _parse(sources):
    from IPython.core.inputtransformer2 import TransformerManager
    transform = TransformerManager().transform_cell
    trees = []
    for number, source in enumerate(sources, 1):
        for text in (source, transform(source)):   # as written (its line numbers), else without magics
            try:
                trees.append((number, ast.parse(text)))
                break
            except SyntaxError:
                continue   # a cell that does not parse at all did not define anything either
    return trees


def _module_level(tree):
    """The statements that run at module level (inside if/for/with/try, not in a def or class)."""
    todo = list(tree.body)
    while todo:
        node = todo.pop(0)
        yield node
        if not isinstance(node, SCOPES):
            for field in ("body", "orelse", "finalbody", "handlers"):
                todo.extend(n for n in getattr(node, field, []) if isinstance(n, ast.stmt | ast.excepthandler))


def _shallow(node):
    """The nodes of a statement, without the bodies of the functions, classes and lambdas in it
    (their decorators, default values and base classes run now, so they are included)."""
    todo = [node]
    while todo:
        current = todo.pop()
        yield current
        if isinstance(current, SCOPES):
            todo.extend(getattr(current, "decorator_list", []) + getattr(current, "bases", []))
            args = getattr(current, "args", None)
            if isinstance(args, ast.arguments):
                todo.extend(d for d in args.defaults + args.kw_defaults if d is not None)
        else:
            todo.extend(ast.iter_child_nodes(current))


def _root(node):
    while isinstance(node, ast.Attribute | ast.Subscript | ast.Call):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def _stored_names(node):
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}


class _Index:
    """Where each global name is given a value in the student's cells."""

    def __init__(self, trees):
        self.bindings = {}   # name -> [(cell number, node)]: the statements that give it a value
        self.changes = {}    # name -> [(cell number, node)]: d["x"] = f, d.update(x=f), items.append(f)
        self.imported = set()
        self.statements = []
        for number, tree in trees:
            for stmt in _module_level(tree):
                self.statements.append((number, stmt))
                values, changes = self._binds(stmt)
                for name in values:
                    self.bindings.setdefault(name, []).append((number, stmt))
                for name in changes - values:
                    self.changes.setdefault(name, []).append((number, stmt))
            for node in ast.walk(tree):   # `global x` in a function: the function gives x its value
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    for inner in ast.walk(node):
                        if isinstance(inner, ast.Global):
                            for name in inner.names:
                                self.bindings.setdefault(name, []).append((number, node))

    def _binds(self, stmt):
        """(names given a value, names whose object is changed) by one module-level statement."""
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            return {stmt.name}, set()
        if isinstance(stmt, ast.Import | ast.ImportFrom):
            names = {(a.asname or a.name).split(".")[0] for a in stmt.names}
            self.imported |= names
            return names, set()
        values, changes = set(), set()
        for node in _shallow(stmt):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                values.add(node.id)
            elif isinstance(node, ast.Attribute | ast.Subscript) and isinstance(node.ctx, ast.Store | ast.Del):
                changes.add(_root(node))
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                changes.add(_root(node.func))
        changes.discard(None)
        return values, changes

    def sources_of(self, name):
        """The statements that make what `name` holds: its values, and the changes to a value
        of the student's own (a module's attributes are checked where they are stored)."""
        found = list(self.bindings.get(name, []))
        if found and name not in self.imported:
            found += self.changes.get(name, [])
        return found


class _Findings:
    def __init__(self, sources, words):
        self.lines = [source.splitlines() for source in sources]
        self.words = [_norm(w) for w in words]
        self.found = {}

    def banned(self, text):
        return isinstance(text, str) and any(w in _norm(text) for w in self.words)

    def add(self, number, node, what):
        line = getattr(node, "lineno", None)
        text = ""
        if line is not None and 0 < number <= len(self.lines) and line <= len(self.lines[number - 1]):
            text = self.lines[number - 1][line - 1].strip()
        self.found.setdefault((number, line), f"{what}: `{text}`" if text else what)   # one per line

    def dynamic(self, number, node):
        """Name look-ups by string and reaching into namespaces (everywhere)."""
        if isinstance(node, ast.Name) and node.id in DYNAMIC:
            self.add(number, node, f"이름을 문자열로 찾거나 바꾸는 `{node.id}`")
        elif isinstance(node, ast.Attribute) and (node.attr in FRAME_ATTRIBUTES or (
                node.attr.startswith("__") and node.attr.endswith("__") and node.attr not in SAFE_DUNDERS)):
            self.add(number, node, f"이름공간을 직접 여는 `.{node.attr}`")
        elif isinstance(node, ast.Import | ast.ImportFrom):
            modules = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
            for module in modules:
                if module.split(".")[0] in DYNAMIC:
                    self.add(number, node, f"이름을 문자열로 찾는 모듈 `{module}`")


def findings(name, sources, words):
    """What the code of `name` (and the student's code it reaches) uses of `words` or of name
    look-ups by string, and what the cells keep that could hide one. A list of Korean lines."""
    trees = _parse(sources)
    index = _Index(trees)
    report = _Findings(sources, words)
    for number, stmt in index.statements:   # outside the function: capture and look-ups
        nodes = list(_shallow(stmt))
        callees = {id(n.func) for n in nodes if isinstance(n, ast.Call)}
        for node in nodes:
            report.dynamic(number, node)
            if isinstance(node, ast.Attribute | ast.Name) and isinstance(node.ctx, ast.Load) and id(node) not in callees:
                label = node.attr if isinstance(node, ast.Attribute) else node.id
                if report.banned(label) and not (isinstance(node, ast.Name) and node.id in index.bindings
                                                 and node.id not in index.imported):
                    report.add(number, node, f"내장 함수 `{label}`을(를) 부르지 않고 값으로 담아 두기")
            elif isinstance(node, ast.alias) and report.banned(node.name):
                report.add(number, stmt, f"내장 함수 `{node.name}` 가져오기")
            elif isinstance(node, ast.Attribute | ast.Subscript) and isinstance(node.ctx, ast.Store):
                root = _root(node)
                if root is not None and (root in index.imported or root not in index.bindings) \
                        and not isinstance(getattr(stmt, "value", None), ast.Constant):
                    report.add(number, stmt, f"모듈 `{root}`의 속성 바꾸기")
    if name not in index.bindings:
        report.add(0, None, f"여러분의 셀에서 `{name}`의 정의를 찾지 못했습니다")
    seen, todo = set(), [name]
    while todo:   # the function and the student's code it reaches
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        for number, node in index.sources_of(current):
            local = _stored_names(node) - {current} if isinstance(node, SCOPES) else set()
            for scope in (n for n in ast.walk(node) if isinstance(n, SCOPES)):
                args = scope.args if not isinstance(scope, ast.ClassDef) else None
                if args is not None:
                    local |= {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs}
                    local |= {a.arg for a in (args.vararg, args.kwarg) if a is not None}
            local -= {n for g in ast.walk(node) if isinstance(g, ast.Global) for n in g.names}
            for inner in ast.walk(node):
                report.dynamic(number, inner)
                if isinstance(inner, ast.Attribute) and report.banned(inner.attr):
                    report.add(number, inner, f"내장 함수 `{inner.attr}`")
                elif isinstance(inner, ast.alias) and report.banned(inner.name):
                    report.add(number, inner if hasattr(inner, "lineno") else node, f"내장 함수 `{inner.name}` 가져오기")
                elif isinstance(inner, ast.Constant) and report.banned(inner.value):
                    report.add(number, inner, f"내장 함수의 이름 {inner.value!r}")
                elif isinstance(inner, ast.Name) and isinstance(inner.ctx, ast.Load) and inner.id not in local:
                    if index.sources_of(inner.id):   # the student's value, or an import: check it too
                        todo.append(inner.id)
                    elif report.banned(inner.id):
                        report.add(number, inner, f"내장 함수 `{inner.id}`")
    return [report.found[key] for key in sorted(report.found, key=lambda k: (k[0], k[1] or 0))]
