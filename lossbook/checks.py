"""Small checks used by the assignments' test cells, with Korean messages for students."""


def expect_value_error(func, *args, why=""):
    """Fail unless func(*args) raises ValueError. `why` tells the student what the input was."""
    try:
        func(*args)
    except ValueError:
        return
    except Exception as exc:  # a different error is still a wrong answer; say which
        detail = f": {exc}" if str(exc) else ""
        raise AssertionError(
            f"{why} ValueError가 나야 하는데 {type(exc).__name__}이(가) 발생했습니다{detail}"
        ) from exc
    raise AssertionError(f"{why} ValueError가 나야 하는데 아무 오류 없이 값을 돌려주었습니다.")


# ---------------------------------------------------------------- what a student's code may call
# Both work the same in the student's own kernel (JupyterLab, Validate, self-check) and when
# the course grades: there the test runs on a trusted side, which asks the student side to
# apply them around each call of the student's functions.

_FORBIDDEN = []   # stack of (dotted names, message)
_SPIED = []       # stack of (name, list of Call)


class Call:
    """One call seen by `calls_to`: positional and keyword arguments (numbers and strings as
    they were, anything else as its type name)."""

    def __init__(self, args, kwargs):
        self.args, self.kwargs = list(args), dict(kwargs)

    def __repr__(self):
        return f"Call(args={self.args!r}, kwargs={self.kwargs!r})"


def _resolve(path):
    import importlib
    parts = path.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            owner = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:-1]:
            owner = getattr(owner, name)
        return owner, parts[-1]
    raise ValueError(f"cannot resolve {path!r}")


class forbid:
    """`with forbid("torch.nn.functional.cross_entropy", ..., message=...):` makes those
    functions raise AssertionError(message) while the block calls the student's code."""

    def __init__(self, *paths, message):
        self.paths, self.message = list(paths), message

    def __enter__(self):
        def blocked(*args, **kwargs):
            raise AssertionError(self.message)
        self.saved = []
        for path in self.paths:
            owner, name = _resolve(path)
            own = name in vars(owner)   # else inherited: deleting the patch restores it
            self.saved.append((owner, name, vars(owner)[name] if own else None, own))
            setattr(owner, name, blocked)
        _FORBIDDEN.append((self.paths, self.message))
        return self

    def __exit__(self, *exc):
        _FORBIDDEN.pop()
        for owner, name, original, own in reversed(self.saved):
            if own:
                setattr(owner, name, original)
            else:
                delattr(owner, name)
        return False


class calls_to:
    """`with calls_to("focal_loss_torch") as calls:` records every call that the student's
    code makes to its own global function of that name while the block runs."""

    def __init__(self, name, namespace=None):
        self.name, self.calls, self.namespace = name, [], namespace

    def __enter__(self):
        import sys
        if self.namespace is None:
            self.namespace = sys._getframe(1).f_globals   # the notebook's namespace
        original = self.original = self.namespace.get(self.name)
        if callable(original) and type(original).__name__ != "StudentObject":
            def spy(*args, **kwargs):
                self.calls.append(Call([_summary(a) for a in args], {k: _summary(v) for k, v in kwargs.items()}))
                return original(*args, **kwargs)
            self.namespace[self.name] = spy
        _SPIED.append((self.name, self.calls))
        return self.calls

    def __exit__(self, *exc):
        _SPIED.pop()
        if self.original is not None:
            self.namespace[self.name] = self.original
        return False


def _summary(value):
    if value is None or type(value) in (bool, int, float, str):
        return value
    if hasattr(value, "item") and getattr(value, "shape", None) == ():
        return value.item()
    return type(value).__name__


def forbidden_now():
    """(dotted names, message) in force, or None (read by the grader's trusted side)."""
    if not _FORBIDDEN:
        return None
    paths = [p for entry in _FORBIDDEN for p in entry[0]]
    return paths, _FORBIDDEN[-1][1]


def spied_now():
    return list(_SPIED)


# ---------------------------------------------------------------- what a student's source names
# The source of the student's cells: served by the grader's trusted side, read from the
# submitted notebook (never from the student's kernel, which can rewrite `In`, `inspect` or a
# function's `__code__`); in the student's own kernel (JupyterLab, Validate, `python -m
# lossbook check`) it is that kernel's input history: the cells as they ran.

_SERVED = []   # [sources] while a grader serves them


def serve_student_code(sources):
    """The grader's side: the list of the student's code cells, in notebook order (a list the
    caller may keep growing as cells run; None: stop serving)."""
    _SERVED[:] = [] if sources is None else [sources]


def student_code():
    """The sources of the student's cells, or None where none are known (plain Python, a kernel
    that keeps no history)."""
    if _SERVED:
        return list(_SERVED[0])
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    shell = get_ipython()
    if shell is None or getattr(shell, "history_manager", None) is None:
        return None
    history = [source for source in shell.history_manager.input_hist_parsed if source]
    return history or None   # a kernel run without history (nbval): nothing is known


def not_in_source(name, *words, message):
    """Fail (AssertionError: message, then what was found, by line) if the source of the
    student's `name`, or of their code it reaches, names one of `words` or looks names up by
    string, or if their cells keep such a built-in as a value (`lossbook.answer_source`).
    Where no source is known (plain Python, not a kernel), only `forbid` applies."""
    from lossbook.answer_source import findings
    sources = student_code()
    if sources is None:
        return
    found = findings(name, sources, words)
    if found:
        raise AssertionError(message + "\n" + "\n".join(f"  - {line}" for line in found[:8]))
