"""Hidden tests, written once per exercise and run by the grader in a process of its own.

An exercise's grade cell ends with one block between nbgrader's hidden-test markers that defines
``hidden_tests(student, case)``::

    ### BEGIN HIDDEN TESTS
    def hidden_tests(student, case):
        import torch
        from course_utils.checks import check_scalar
        S, Y = torch.randn(40, 7, dtype=torch.float64), torch.randint(0, 7, (40,))
        with case("random batch, 7 classes"):
            check_scalar(student.hinge_loss(S, Y), reference(S, Y), name="hinge_loss", atol=1e-6)
        with case("leaves its inputs unchanged"):
            call = student.call("hinge_loss", S, Y)
            assert not call.mutated, "hinge_loss changed its inputs in place"
    ### END HIDDEN TESTS

The block is trusted code: the grader runs it in its own process, never in the student's. Each
``student.<name>(...)`` (or ``student.call(name, ...)``) sends the arguments as plain data to the
process where the student's notebook ran, calls the student's function there, and brings back
plain data only (tensors rebuilt by the grader, never the student's objects). Everything else,
the references and every comparison, happens here, out of the student's reach.

Points: the cell's points are shared among its cases by weight (``case(name, weight=2)``), so a
solution that handles the main case but not an edge case gets part of the points. A case about
*how* the answer works rather than *what* it computes (inputs left unchanged, no forbidden
function, the return type) is marked ``case(name, rule=True)``: it earns its share only when
some other case passed, so an answer that does nothing earns nothing. A case fails
when anything inside it raises; the feedback names the failed cases and the hint of the check
that failed, never the hidden inputs. The block must be self-contained (its own imports and
references); exceptions outside every case are the author's mistake and fail the cell.
"""

from __future__ import annotations

import contextlib
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from . import wire
from .calls import serve_call, serve_run

HIDDEN = re.compile(r"(?ms)^[ \t]*### BEGIN HIDDEN TESTS[ \t]*\n(?P<body>.*?)^[ \t]*### END HIDDEN TESTS[ \t]*$")


class StudentError(AssertionError):
    """The student's code did not produce a value to grade (it raised, is missing, timed out,
    returned something that is not plain data, or its process ended)."""


class SandboxGone(StudentError):
    """The student's process is no longer there (it exited, was killed, or ran out of time)."""


@dataclass
class Call:
    """What one call of a student's function produced, as plain data rebuilt by the grader."""

    value: Any
    grads: list[Any]
    args: list[Any]                 # the arguments as sent
    args_after: list[Any]           # the arguments as they were after the call
    kwargs: dict[str, Any]
    kwargs_after: dict[str, Any]
    ops: frozenset[str] | None      # ATen operations dispatched, when asked for (ops=True)
    seconds: float
    type: str = ""                  # the type the function returned: "tuple", "float", "torch.Tensor"
    item_types: list[str] | None = None   # for a tuple or list: the type of each item
    op_counts: dict[str, int] | None = None  # how often each ATen operation ran (ops=True)
    inplace: list[int] = field(default_factory=list)   # positional tensor arguments modified
                                                       # in place (even to the same values)
    requires_grad: list[bool | None] = field(default_factory=list)  # per returned tensor (or
                                                       # per item of a returned tuple)

    @property
    def mutated(self) -> list[str]:
        """Names of the arguments the call changed in place ("arg 0", "margin", ...)."""
        changed = [f"argument {i}" for i, (a, b) in enumerate(zip(self.args, self.args_after))
                   if not _same(a, b)]
        changed += [k for k in self.kwargs if not _same(self.kwargs[k], self.kwargs_after.get(k))]
        return changed


def _same(a: Any, b: Any) -> bool:
    return wire.dumps(wire.encode(a)) == wire.dumps(wire.encode(b))


def _error_text(name: str, reply: dict) -> str:
    error = reply.get("error") or {}
    kind, message = str(error.get("type", "Error")), str(error.get("message", ""))
    if kind == "NotImplementedError":
        return f"{name} is not done yet (it raises NotImplementedError)"
    stage = reply.get("stage")
    where = f" ({error['where']})" if error.get("where") else ""
    if stage == "lookup":
        return message
    if stage == "result":
        return f"{name} returned something that cannot be graded: {message}"
    if stage == "gradient":
        return f"the gradient of {name}'s result could not be computed: {kind}: {message}"
    return f"{name} raised {kind}{where}: {message}"


class Student:
    """The grader's handle on the student's notebook; subclasses say how a request travels."""

    def _request(self, kind: str, request: dict, timeout: float | None) -> dict:  # pragma: no cover
        raise NotImplementedError

    def call(self, fn: str, *args: Any, grad: tuple[int, ...] | list[int] = (), ops: bool = False,
             grad_output: Any = None, timeout: float | None = None, **kwargs: Any) -> Call:
        """Call the student's ``fn(*args, **kwargs)``; raise ``StudentError`` if it fails.

        ``grad``: positions of tensor arguments to differentiate the result with respect to
        (``call.grads``, in that order; the result is summed first unless ``grad_output`` is
        given). ``ops=True`` records the ATen operations the call dispatched (``call.ops``).
        """
        request = {"fn": fn, "args": wire.encode(list(args)), "kwargs": wire.encode(kwargs),
                   "grad": list(grad), "ops": bool(ops), "grad_output": wire.encode(grad_output)}
        reply = self._request("call", request, timeout)
        if not reply.get("ok"):
            raise StudentError(_error_text(fn, reply))
        if ops and not isinstance(reply.get("ops"), list):
            raise StudentError(f"the operations {fn} used could not be recorded (was the "
                               "grader's recorder tampered with?)")
        try:
            return Call(value=wire.decode(reply.get("value")),
                        grads=wire.decode(reply.get("grads") or []),
                        args=[wire.decode(a) for a in request["args"]],
                        args_after=wire.decode(reply.get("args_after") or []),
                        kwargs=wire.decode(request["kwargs"]),
                        kwargs_after=wire.decode(reply.get("kwargs_after") or {}),
                        ops=frozenset(reply["ops"]) if isinstance(reply.get("ops"), list) else None,
                        seconds=float(reply.get("seconds") or 0.0),
                        type=str(reply.get("type") or ""),
                        item_types=[str(t) for t in reply["item_types"]]
                        if isinstance(reply.get("item_types"), list) else None,
                        op_counts={str(k): int(v) for k, v in reply["op_counts"].items()}
                        if isinstance(reply.get("op_counts"), dict) else None,
                        inplace=[int(i) for i in reply.get("inplace") or []],
                        requires_grad=[None if r is None else bool(r)
                                       for r in reply.get("requires_grad") or []])
        except (wire.WireError, TypeError, ValueError) as error:
            raise StudentError(f"{fn}'s process sent back something that is not plain data: {error}")

    def run(self, code: str, *, timeout: float | None = None, name: str = "the notebook's code",
            **inputs: Any) -> Any:
        """Run an author's probe in a copy of the student's namespace and return its ``result``.

        For exercises whose results cannot travel as plain data (modules, hooks): the probe turns
        them into numbers and names. The probe runs where the student's code runs, so treat what
        it returns as the student's answer, never as a verdict.
        """
        reply = self._request("run", {"code": code, "inputs": wire.encode(inputs)}, timeout)
        if not reply.get("ok"):
            raise StudentError(_error_text(name, reply))
        try:
            return wire.decode(reply.get("value"))
        except wire.WireError as error:
            raise StudentError(f"the notebook's process sent back something that is not plain data: {error}")

    def __getattr__(self, fn: str) -> Any:
        if fn.startswith("_"):
            raise AttributeError(fn)
        return lambda *args, **kwargs: self.call(fn, *args, **kwargs).value


class LocalStudent(Student):
    """Calls functions of a namespace in this very process, through the same plain-data path.

    For authors checking hidden tests in their own kernel (``check_hidden_tests``) and for fast
    tests of the grading code; it isolates nothing.
    """

    def __init__(self, namespace: dict) -> None:
        self._namespace = namespace

    def _request(self, kind: str, request: dict, timeout: float | None) -> dict:
        request = wire.loads(wire.dumps(request))
        reply = serve_call(self._namespace, request) if kind == "call" else serve_run(self._namespace, request)
        return wire.loads(wire.dumps(reply))


# ------------------------------------------------------------------------------------ cases
@dataclass
class CaseResult:
    name: str
    weight: float
    passed: bool
    message: str = ""
    rule: bool = False              # a requirement on how (inputs unchanged, no torch.softmax):
                                    # earns its share only if the answer works somewhere


@dataclass
class Verdict:
    """The grade of one cell: its cases, and the points they earn."""

    cell: str
    points: float
    cases: list[CaseResult] = field(default_factory=list)
    error: str = ""                 # a failure outside every case (the whole cell scores 0)

    @property
    def score(self) -> float:
        total = sum(c.weight for c in self.cases)
        if self.error or total <= 0:
            return 0.0
        works = any(c.passed and not c.rule for c in self.cases)
        earned = sum(c.weight for c in self.cases if c.passed and (works or not c.rule))
        return round(self.points * earned / total, 4)

    def report(self) -> str:
        """What the student reads in the feedback: one line per case, no hidden inputs."""
        lines = [f"{self.cell}: {_fmt(self.score)} of {_fmt(self.points)} points"]
        works = any(c.passed and not c.rule for c in self.cases)
        for c in self.cases:
            mark = "passed" if c.passed else "FAILED"
            if c.passed and c.rule and not works:
                mark = "no credit until the answer works"
            lines.append(f"  [{mark}] {c.name}" + (f": {c.message}" if c.message else ""))
        if self.error:
            lines.append(f"  grading stopped: {self.error}")
        return "\n".join(lines)


def _fmt(x: float) -> str:
    return f"{x:g}"


_VALUE = re.compile(r"\b(got|expected|is|was|received)\s+-?(?:\d[\d.e+\-]*|inf|nan)\b", re.I)


def _first_line(error: BaseException) -> str:
    """The failed check's message (what was wrong, and its hint), with the values it saw on the
    hidden inputs left out, so that the feedback does not reveal them."""
    try:
        text = " ".join(str(error).split()) or type(error).__name__
    except Exception:
        text = type(error).__name__
    if isinstance(error, StudentError):
        return text[:400]
    text = _VALUE.sub(lambda m: f"{m.group(1)} …", text)
    text = re.sub(r"; the first at index \([^)]*\): got …, expected …\.?", ".", text)
    return text[:400]


class _Cases:
    """The ``case`` handed to ``hidden_tests``: ``with case(name, weight=1): ...``."""

    def __init__(self) -> None:
        self.results: list[CaseResult] = []

    @contextlib.contextmanager
    def __call__(self, name: str, weight: float = 1.0, *, rule: bool = False) -> Iterator[None]:
        if not isinstance(name, str) or not name or any(r.name == name for r in self.results):
            raise ValueError(f"case names must be distinct, non-empty strings (got {name!r})")
        if not (isinstance(weight, (int, float)) and math.isfinite(weight) and weight > 0):
            raise ValueError(f"a case weight must be a positive number (got {weight!r})")
        result = CaseResult(name, float(weight), False, rule=bool(rule))
        self.results.append(result)
        try:
            yield
        except Exception as error:  # a failed check, or the student's code failed
            result.message = _first_line(error)
        else:
            result.passed = True


def hidden_source(cell_source: str) -> str | None:
    """The code between the hidden-test markers of a grade cell, or None if there is none."""
    match = HIDDEN.search(cell_source)
    return match.group("body") if match else None


def visible_source(cell_source: str) -> str:
    """A grade cell's source without its hidden tests (what students see and run)."""
    return HIDDEN.sub("", cell_source)


def run_hidden_tests(cell: str, source: str, points: float, student: Student) -> Verdict:
    """Run a grade cell's ``hidden_tests`` against ``student``; return its verdict.

    ``source`` is the grade cell's source as the instructor wrote it (from the gradebook, never
    from the submission).
    """
    verdict = Verdict(cell=cell, points=float(points))
    body = hidden_source(source)
    if body is None:
        verdict.error = "this cell has no hidden tests (an authoring error: tell your instructor)"
        return verdict
    scope: dict[str, Any] = {"__name__": "hidden_tests"}
    try:
        exec(compile(body, f"<hidden tests of {cell}>", "exec"), scope)
    except Exception as error:
        verdict.error = f"the hidden tests did not load ({type(error).__name__}: {error})"
        return verdict
    tests = scope.get("hidden_tests")
    if not callable(tests):
        verdict.error = "the hidden tests define no hidden_tests(student, case)"
        return verdict
    cases = _Cases()
    try:
        tests(student, cases)
    except SandboxGone as error:
        verdict.error = str(error)
    except StudentError as error:
        verdict.error = f"{error} (outside any test case)"
    except Exception as error:
        verdict.error = f"the hidden tests failed outside any case ({type(error).__name__}: {error})"
    verdict.cases = cases.results
    if not verdict.cases and not verdict.error:
        verdict.error = "the hidden tests declared no case"
    return verdict


def check_hidden_tests(cell_source: str, namespace: dict, points: float = 1.0) -> Verdict:
    """For authors: run a grade cell's hidden tests against this kernel's functions."""
    return run_hidden_tests("cell", cell_source, points, LocalStudent(namespace))
