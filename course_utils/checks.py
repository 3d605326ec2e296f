"""Student-facing checks for the visible tests in graded cells.

Introduced in chapter 01 (losses) and used in the grade cells of every chapter::

    from course_utils.checks import check_close
    out = softmax(torch.tensor([[3.0, 1.0, -2.5]]))
    check_close(out, [[0.8714, 0.1179, 0.0107]], name="softmax(scores)", atol=1e-3,
                hint="Each row must sum to 1: did you normalise over dim=1?")

A check returns ``None`` and prints nothing when it passes (nbgrader scores a test cell 0 if it
writes to stderr). When it fails it raises an ``AssertionError`` with one short message: which
property failed (type, shape, dtype, NaN/inf, values, gradients, checked in that order), what was
received against what was expected, and a hint of the likely mistake.

The checks cannot be fooled by objects that lie about themselves (an ``__eq__`` that always says
True, a tensor subclass with its own ``__torch_function__``, methods patched onto a tensor): only
plain ``torch.Tensor`` (or ``nn.Parameter``), plain ``np.ndarray``, NumPy and Python numbers and
nested lists of numbers are accepted, read through the base classes' own methods and copied to
float64 NumPy arrays before anything is compared.

An exception raised by the student's function becomes an ``AssertionError`` naming it, except
``NotImplementedError`` (an unfinished exercise stub), which passes through unchanged. Mistakes in
how a check is called (an unknown ``kind``, an expected value that is not numbers) are the
author's, and raise ``ValueError``.
"""

from __future__ import annotations

import contextlib
import importlib
import math
import types
from collections.abc import Callable, Iterator, Sequence
from typing import Any, NoReturn

import numpy as np
import torch

__all__ = [
    "as_numpy",
    "check_type",
    "check_shape",
    "check_dtype",
    "check_finite",
    "check_close",
    "check_scalar",
    "check_grad",
    "check_runs",
    "forbid",
    "CheckFailed",
    "exercise",
    "yours_or",
]

_INT_DTYPES = {
    getattr(torch, n)
    for n in ("uint8", "int8", "int16", "int32", "int64", "uint16", "uint32", "uint64")
    if hasattr(torch, n)
}
_NUMPY_KINDS = {"b": "bool", "i": "int", "u": "int", "f": "float", "c": "complex"}
_KINDS = ("float", "int", "bool")  # what check_dtype can be asked for
_KIND_WORDS = {"float": "floating-point", "int": "integer", "bool": "boolean", "complex": "complex",
               "other": "non-numeric"}
_DTYPE_HINTS = {
    "float": "Did you build it from integers (torch.tensor([1, 2]) is int64) or forget .float()?",
    "int": "Did you forget .long()? Class indices and counts are integers.",
    "bool": "Did you forget to compare (==, <, >) to get a mask?",
}
_MAX_DEPTH = 32  # nested lists deeper than this are refused (and a list containing itself ends)


# ---- messages -----------------------------------------------------------------------------------

class CheckFailed(AssertionError):
    """A check failed. In JupyterLab, Colab and nbgrader's feedback (all IPython) it shows as its
    message alone, without a traceback through this module."""

    def _render_traceback_(self) -> list[str]:
        return [f"\x1b[0;31mCheck failed:\x1b[0m {self}"]


def _fail(message: str, hint: str | None = None) -> NoReturn:
    # `from None`: the student sees our message, not the internal error that led to it
    raise CheckFailed(f"{message} {hint}" if hint else message) from None


def yours_or(yours: Callable[..., Any], fallback: Callable[..., Any], name: str) -> Callable[..., Any]:
    """For demos that use an exercise's function: the student's ``yours`` once it is written,
    ``fallback`` (torch's own, usually) while it still raises NotImplementedError, with one
    line saying so. The demo then runs either way, and shows the student's version when done.

        softmax_for_demo = yours_or(softmax, lambda s: torch.softmax(s, dim=1), "softmax")
    """
    told = []

    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return yours(*args, **kwargs)
        except NotImplementedError:
            if not told:
                told.append(True)
                print(f"(your {name} is not done yet: this demo uses a reference instead)")
            return fallback(*args, **kwargs)

    return call


@contextlib.contextmanager
def exercise(title: str) -> Iterator[None]:
    """Wrap an exercise's visible checks: an unfinished exercise prints one line instead of
    stopping the notebook (so "Run All" reaches the end); a failed check still fails.

        with exercise("Exercise 1: a vectorised hinge loss"):
            check_scalar(hinge_loss(scores, labels), 6.4, name="hinge_loss")
    """
    try:
        yield
    except NotImplementedError:
        print(f"{title}: not done yet (write your answer above, then run this cell again)")


def _typename(cls: type) -> str:
    """A short readable name of a class that cannot raise, whatever its metaclass does."""
    if cls is torch.Tensor:
        return "torch.Tensor"
    if cls is np.ndarray:
        return "numpy.ndarray"
    try:
        name = cls.__name__
    except Exception:
        name = None
    return name[:40] if type(name) is str and name else "object"


def _describe(x: Any) -> str:
    """'None', 'a tuple of 2 items', 'an int': what ``x`` is, without calling any of its methods."""
    if x is None:
        return "None"
    if type(x) is tuple:
        return f"a tuple of {len(x)} item{'' if len(x) == 1 else 's'}"
    name = _typename(type(x))
    return ("an " if name[0].lower() in "aeiou" else "a ") + name


def _text(error: BaseException) -> str:
    """The message of an exception on one line, even if its ``__str__`` misbehaves."""
    try:
        text = str(error)
    except Exception:
        text = ""
    return " ".join(text.split())[:300] if type(text) is str else ""


def _fmt_shape(shape: Sequence[int | None]) -> str:
    dims = ["any" if d is None else str(d) for d in shape]
    return f"({dims[0]},)" if len(dims) == 1 else f"({', '.join(dims)})"


def _fmt_index(index: Sequence[int]) -> str:
    return "[" + ", ".join(str(int(i)) for i in index) + "]"


def _shape_hint(got: tuple[int, ...], want: Sequence[int | None]) -> str | None:
    if None not in want and math.prod(got) == math.prod(want):
        return "Same number of entries in another layout: did you transpose, flatten or squeeze?"
    return None


# ---- reading inputs safely ----------------------------------------------------------------------

def _odd_input(x: Any, name: str) -> str:
    """The message for something that is not a tensor, an array, a number or a list of numbers."""
    t = type(x)
    if x is None:
        return f"{name} is None: did you forget `return`?"
    if t is tuple:
        if len(x) == 1:
            return f"{name} is a tuple of 1 item: return a single tensor (a trailing comma?)."
        return f"{name} is a tuple of {len(x)} items: return a single tensor."
    if t is str:
        return f"{name} is a string ({x[:30]!r}), not numbers."
    if t is types.GeneratorType:
        return f"{name} is a generator: use a list, or torch.stack(...), instead of (... for ...)."
    if issubclass(t, torch.Tensor):
        return f"{name} is a {_typename(t)}, a subclass of torch.Tensor: return a plain tensor."
    if issubclass(t, np.ndarray):
        return f"{name} is a {_typename(t)}, a subclass of numpy.ndarray: use np.asarray(...)."
    if callable(x):
        return f"{name} is {_describe(x)}, not a value: did you forget to call it?"
    return f"{name} is {_describe(x)}; expected a tensor, a NumPy array or a number."


def _is_numpy_number(t: type) -> bool:
    # exact NumPy scalar types only: a subclass of np.float64 could override arithmetic
    return issubclass(t, np.generic) and np.dtype(t).type is t and np.dtype(t).kind in "iufc"


def _check_list(x: list, name: str, index: tuple[int, ...]) -> None:
    if len(index) >= _MAX_DEPTH:
        _fail(f"{name} is a list nested more than {_MAX_DEPTH} levels deep.")
    for i, item in enumerate(x):
        t = type(item)
        if t is list:
            _check_list(item, name, index + (i,))
        elif t is not int and t is not float and not _is_numpy_number(t):
            arrays = issubclass(t, (torch.Tensor, np.ndarray))
            _fail(
                f"{name} is a list containing {_describe(item)} "
                f"at index {_fmt_index(index + (i,))}; expected only numbers.",
                "Use torch.stack(...) or np.stack(...) to make a list of them one array." if arrays
                else None,
            )


def _plain_unchecked(x: Any, name: str) -> torch.Tensor | np.ndarray:
    t = type(x)  # type() cannot be fooled by a __class__ property, isinstance() can
    if t is torch.Tensor or t is torch.nn.Parameter:
        x = torch.Tensor.as_subclass(x, torch.Tensor) if t is not torch.Tensor else x
        if x.layout is not torch.strided or x.is_nested:
            _fail(f"{name} is a sparse or nested tensor: call .to_dense() or torch.stack(...).")
        tuple(x.shape)  # raises here, inside our guard, for tensors that have no plain shape
        return x
    if t is np.ndarray:
        return x
    if t is bool or t is np.bool_:
        _fail(f"{name} is {bool(x)} (a bool), not a number.",
              "Did you return a comparison instead of a value?")
    if t is int or t is float or _is_numpy_number(t):
        array = np.array(x)
    elif t is list:
        _check_list(x, name, ())
        try:
            array = np.array(x)
        except ValueError:
            _fail(f"{name} is a nested list whose rows have different lengths.")
    else:
        _fail(_odd_input(x, name))
    if array.dtype.kind not in "iufc":
        _fail(f"{name} could not be read as numbers: are some of its integers too large?")
    return array


def _plain(x: Any, name: str) -> torch.Tensor | np.ndarray:
    """``x`` as a plain tensor or array whose attributes can be trusted, or a clear failure."""
    try:
        return _plain_unchecked(x, name)
    except AssertionError:
        raise
    except Exception as error:  # an odd input made torch or NumPy fail: still the student's problem
        _fail(f"{name} could not be read as numbers ({type(error).__name__}: {_text(error)}).")


def _kind(x: torch.Tensor | np.ndarray) -> str:
    """'float', 'int', 'bool', 'complex' or 'other', for a plain tensor or array."""
    if type(x) is torch.Tensor:
        if x.dtype is torch.bool:
            return "bool"
        if x.dtype.is_floating_point:
            return "float"
        if x.dtype.is_complex:
            return "complex"
        return "int" if x.dtype in _INT_DTYPES else "other"
    return _NUMPY_KINDS.get(x.dtype.kind, "other")


def as_numpy(x: Any, *, name: str = "result") -> np.ndarray:
    """Copy a student's result into a float64 NumPy array, refusing anything that is not numbers.

    Args:
        x: a plain ``torch.Tensor`` (any device, with or without ``requires_grad``; bool becomes
            0/1), a plain ``np.ndarray``, a NumPy or Python int/float, or a nested list of them.
        name: how the message calls ``x`` (default ``"result"``).

    Returns:
        A new float64 array of the same shape (0-d for a number), sharing no memory with ``x``.

    Raises:
        AssertionError: ``x`` is anything else (None, a tuple, a bool, complex values, a tensor
            subclass...), with a message saying what it is and what to do.
    """
    x = _plain(x, name)
    kind = _kind(x)
    if kind not in ("float", "int", "bool"):
        hint = None
        if kind == "complex":
            hint = "Did you forget .real or .abs()?"
        elif type(x) is np.ndarray and x.dtype.kind == "O":
            hint = "Did you call np.array(...) on a list of tensors? Use torch.stack(...)."
        _fail(f"{name} has dtype {x.dtype}, not real numbers.", hint)
    try:
        if type(x) is torch.Tensor:  # unbound methods ignore any patched onto x
            x = torch.Tensor.to(torch.Tensor.detach(x), torch.float64)
            x = torch.Tensor.numpy(x, force=True)  # force: from any device
        return np.array(x, dtype=np.float64, copy=True)
    except Exception as error:  # e.g. a tensor on the meta device has no data
        _fail(f"{name} could not be copied to numbers ({type(error).__name__}: {_text(error)}).")


def _expected(expected: Any, check: str) -> np.ndarray:
    """The author's expected value as float64; a bad one is the author's error (ValueError)."""
    try:
        want = as_numpy(expected, name="the expected value")
    except AssertionError as error:
        raise ValueError(f"{check}: {error}") from None
    if not np.isfinite(want).all():
        raise ValueError(f"{check}: the expected value must be finite")
    return want


# ---- the checks ---------------------------------------------------------------------------------

def check_type(x: Any, expected_type: type | tuple[type, ...], *, name: str = "result") -> None:
    """Check that ``x`` is an instance of ``expected_type`` (judged by its real class).

    Args:
        x: the student's result.
        expected_type: a class or a tuple of classes, e.g. ``torch.Tensor``.
        name: how the message calls ``x`` (default ``"result"``).
    """
    types_ = expected_type if isinstance(expected_type, tuple) else (expected_type,)
    if not types_ or not all(isinstance(t, type) for t in types_):
        raise ValueError(f"expected_type must be a class or tuple of them, not {expected_type!r}")
    if issubclass(type(x), types_):
        return
    wanted = " or ".join(_typename(t) for t in types_)
    hint = None
    if x is None:
        hint = "Did you forget `return`?"
    elif type(x) is tuple:
        hint = "Return a single value, not a tuple."
    elif callable(x):
        hint = "Did you forget to call it?"
    elif torch.Tensor in types_ and type(x) in (int, float):
        hint = "Did you call .item()? Keep it a tensor so that gradients can flow."
    elif torch.Tensor in types_ and type(x) is np.ndarray:
        hint = "Did you convert to NumPy? Stay in torch, or use torch.from_numpy(...)."
    _fail(f"{name} is {_describe(x)}, expected {wanted}.", hint)


def check_shape(
    x: Any, shape: Sequence[int | None], *, name: str = "result", hint: str | None = None
) -> None:
    """Check the shape of a tensor, array, number (shape ``()``) or nested list.

    Args:
        x: the student's result.
        shape: the expected shape; ``None`` on an axis accepts any size, e.g. ``(None, 10)``.
        name: how the message calls ``x`` (default ``"result"``).
        hint: the likely mistake, added to the message when the check fails.
    """
    if not isinstance(shape, (tuple, list)) or not all(d is None or type(d) is int for d in shape):
        raise ValueError(f"shape must be a tuple of ints and None, not {shape!r}")
    got = tuple(_plain(x, name).shape)
    if len(got) != len(shape) or any(w is not None and g != w for g, w in zip(got, shape)):
        _fail(f"{name} has shape {_fmt_shape(got)}, expected {_fmt_shape(shape)}.",
              hint or _shape_hint(got, shape))


def check_dtype(x: Any, kind: str, *, name: str = "result") -> None:
    """Check the kind of numbers ``x`` holds: "float" (any precision), "int" or "bool".

    Python ints and floats count as int and float, lists as what NumPy makes of them.

    Raises:
        ValueError: ``kind`` is none of "float", "int", "bool".
    """
    if kind not in _KINDS:
        raise ValueError(f"kind must be one of {', '.join(map(repr, _KINDS))}, not {kind!r}")
    x = _plain(x, name)
    got = _kind(x)
    if got != kind:
        hint = _DTYPE_HINTS[kind] if got in _KINDS else None
        _fail(f"{name} holds {_KIND_WORDS[got]} values (dtype {x.dtype}), "
              f"expected {_KIND_WORDS[kind]} values.", hint)


def check_finite(x: Any, *, name: str = "result", hint: str | None = None) -> None:
    """Check that ``x`` has no NaN or infinite entries; the message counts them and locates one.

    Args:
        x: the student's result (anything :func:`as_numpy` accepts).
        name: how the message calls ``x`` (default ``"result"``).
        hint: the likely mistake, e.g. "Did you subtract the maximum score before exponentiating?".
    """
    a = as_numpy(x, name=name)
    bad = ~np.isfinite(a)
    if not bad.any():
        return
    if a.ndim == 0:
        _fail(f"{name} is {float(a)}, not a finite number.", hint)
    n_nan = int(np.isnan(a).sum())
    _fail(f"{name} has {n_nan} NaN and {int(bad.sum()) - n_nan} inf entries out of {a.size}; "
          f"the first at index {_fmt_index(np.argwhere(bad)[0])}.", hint)


def check_close(
    actual: Any,
    expected: Any,
    *,
    name: str = "result",
    atol: float = 1e-6,
    rtol: float = 1e-5,
    hint: str | None = None,
    shape: bool = True,
) -> None:
    """Check that ``actual`` equals ``expected`` entry by entry, within a tolerance.

    Checks, in order: that ``actual`` is numbers, its shape, that it is finite, then that
    ``|actual - expected| <= atol + rtol * |expected|`` everywhere (NaN is never close).

    Args:
        actual: the student's result (anything :func:`as_numpy` accepts).
        expected: the reference, trusted (a tensor, array, number or nested list); must be finite.
        name: how the message calls ``actual`` (default ``"result"``).
        atol: absolute tolerance (default 1e-6).
        rtol: tolerance relative to ``|expected|`` (default 1e-5).
        hint: the likely mistake, added to the message when the check fails.
        shape: require the same shape (default). With ``False`` only the number of entries must
            match, and ``actual`` is read in row-major order into the shape of ``expected``.
    """
    want = _expected(expected, "check_close")
    got = as_numpy(actual, name=name)
    if shape and got.shape != want.shape:
        _fail(f"{name} has shape {_fmt_shape(got.shape)}, expected {_fmt_shape(want.shape)}.",
              hint or _shape_hint(got.shape, want.shape))
    if got.size != want.size:
        _fail(f"{name} has {got.size} entries, expected {want.size}.", hint)
    got = got.reshape(want.shape)
    check_finite(got, name=name, hint=hint)
    with np.errstate(all="ignore"):  # huge values may overflow to inf: still a mismatch, silently
        error = np.abs(got - want)
        bad = ~(error <= atol + rtol * np.abs(want))
    if not bad.any():
        return
    if got.ndim == 0:
        _fail(f"{name} is {float(got):.6g}, expected {float(want):.6g} "
              f"(abs error {float(error):.3g}, atol={atol:g}, rtol={rtol:g}).", hint)
    first = tuple(np.argwhere(bad)[0])
    _fail(f"{name} differs from the expected values in {int(bad.sum())} of {got.size} entries "
          f"(max abs error {error.max():.3g}, atol={atol:g}, rtol={rtol:g}); "
          f"the first at index {_fmt_index(first)}: "
          f"got {got[first]:.6g}, expected {want[first]:.6g}.",
          hint)


def check_scalar(
    actual: Any,
    expected: float,
    *,
    name: str = "result",
    atol: float = 1e-6,
    rtol: float = 1e-5,
    hint: str | None = None,
) -> None:
    """Check that ``actual`` is a single number (0-d tensor or array, or number) near ``expected``.

    Args are those of :func:`check_close`; a tensor of shape ``(1,)`` is refused, since a loss
    or a metric should be a 0-d tensor.
    """
    want = _expected(expected, "check_scalar")
    if want.shape != ():
        raise ValueError(f"check_scalar: expected must be a single number, not shape {want.shape}")
    x = _plain(actual, name)
    got = tuple(x.shape)
    if got != ():
        n = math.prod(got)
        if n == 1:
            _fail(f"{name} has shape {_fmt_shape(got)}, expected a single number (shape ()).",
                  hint or "Use .squeeze(), or reduce with .mean() / .sum() without dim.")
        _fail(f"{name} has shape {_fmt_shape(got)} ({n} numbers), expected a single number.",
              hint or "Did you forget to reduce it with .mean() or .sum()?")
    check_close(x, want, name=name, atol=atol, rtol=rtol, hint=hint)


def _call(fn: Any, args: Sequence[Any], kwargs: dict[str, Any], name: str) -> Any:
    """Call the student's ``fn``; its exceptions become AssertionErrors, but NotImplementedError."""
    if not callable(fn):
        _fail(f"{name} is {_describe(fn)}, not a function.")
    try:
        return fn(*args, **kwargs)
    except NotImplementedError:
        raise  # an unfinished stub: that must stay obvious
    except Exception as error:
        raise CheckFailed(
            f"{name}: calling your function raised {type(error).__name__}: {_text(error)}"
        ) from error


def check_runs(fn: Callable[..., Any], *args: Any, name: str | None = None, **kwargs: Any) -> Any:
    """Call ``fn(*args, **kwargs)`` and return its result; an exception it raises becomes an
    AssertionError that names it (``NotImplementedError`` passes through unchanged).

    Args:
        fn: the student's function.
        name: how the message calls it (default: the function's name).
    """
    if name is None:
        name = fn.__name__ if type(fn) is types.FunctionType else "the function"
    return _call(fn, args, kwargs, name)


def check_grad(
    fn: Callable[..., torch.Tensor],
    inputs: Sequence[torch.Tensor],
    expected_grads: Sequence[Any],
    *,
    name: str = "gradient",
    atol: float = 1e-5,
    rtol: float = 1e-4,
) -> None:
    """Check the gradients of a scalar function, computed by autograd, against reference values.

    ``fn`` is called on copies of ``inputs`` that require grad; it must return a 0-d tensor.

    Args:
        fn: the student's function (or a lambda around it), e.g. ``lambda w: loss(w, x, y)``.
        inputs: floating-point tensors, one per argument of ``fn``.
        expected_grads: the reference gradient for each input, same shapes as ``inputs``.
        name: how the message calls the gradients (default ``"gradient"``).
        atol: absolute tolerance (default 1e-5).
        rtol: relative tolerance (default 1e-4).
    """
    if len(inputs) != len(expected_grads):
        raise ValueError(f"check_grad: {len(inputs)} inputs, {len(expected_grads)} expected_grads")
    leaves = []
    for k, x in enumerate(inputs):
        if type(x) is not torch.Tensor or not x.dtype.is_floating_point:
            raise ValueError(f"check_grad: inputs[{k}] must be a floating-point torch.Tensor")
        leaves.append(x.detach().clone().requires_grad_(True))
    with torch.enable_grad():
        out = _plain(_call(fn, leaves, {}, name), f"{name}: your function's output")
    if out.shape != ():
        _fail(f"{name}: your function must return a single number, but its output has shape "
              f"{_fmt_shape(out.shape)}.", "Did you forget to reduce it with .mean() or .sum()?")
    if type(out) is not torch.Tensor or not out.requires_grad:
        _fail(f"{name}: your function's output is not connected to its inputs by autograd.",
              "Did you detach it, or use .item() / NumPy inside?")
    try:
        grads = torch.autograd.grad(out, leaves, allow_unused=True)
    except NotImplementedError:
        raise
    except Exception as error:
        raise CheckFailed(
            f"{name}: backpropagating through your function raised "
            f"{type(error).__name__}: {_text(error)}"
        ) from error
    for k, (grad, want) in enumerate(zip(grads, expected_grads)):
        if grad is None:
            _fail(f"{name}: no gradient reached input {k}.",
                  "Did you detach it, or use .item() / NumPy inside?")
        check_close(grad, want, name=f"{name} of input {k}", atol=atol, rtol=rtol)


_INHERITED = object()


@contextlib.contextmanager
def forbid(*targets: str, name: str = "your function") -> Iterator[None]:
    """Make library functions raise while the block runs, to test that an exercise avoids them.

    Used by hidden tests ("write softmax without torch.softmax")::

        with forbid("torch.softmax", "torch.Tensor.softmax", name="softmax"):
            probs = softmax(scores)

    Compute reference values outside the block. A function the student bound to another name
    before the block (``from torch import softmax as sm``) is not caught.

    Args:
        targets: dotted paths of module functions or class methods, e.g. ``"torch.logsumexp"``,
            ``"torch.nn.functional.softmax"``, ``"torch.Tensor.softmax"``.
        name: what the exercise is called in the message.

    Raises:
        ValueError: a target does not name an existing attribute (an author mistake).
    """
    patched: list[tuple[Any, str, Any]] = []  # (owner, attribute, own value or _INHERITED)
    for target in targets:
        owner_path, _, attribute = target.rpartition(".")
        owner = _resolve(owner_path, target)
        if not hasattr(owner, attribute):
            raise ValueError(f"forbid: {target!r} does not exist")
        # a method inherited from a base class (torch.Tensor's from C) is shadowed, then removed
        patched.append((owner, attribute, vars(owner).get(attribute, _INHERITED)))

    def refuse(target: str) -> Callable[..., NoReturn]:
        def refused(*args: Any, **kwargs: Any) -> NoReturn:
            raise CheckFailed(f"{name} must not call {target}: this exercise asks you to write "
                                 f"it yourself from more basic operations.")
        return refused

    try:
        for (owner, attribute, _), target in zip(patched, targets):
            setattr(owner, attribute, refuse(target))
        yield
    finally:
        for owner, attribute, original in reversed(patched):
            if original is _INHERITED:
                delattr(owner, attribute)
            else:
                setattr(owner, attribute, original)


def _resolve(path: str, target: str) -> Any:
    """The module or class a dotted path names (``torch.nn.functional``, ``torch.Tensor``)."""
    parts = path.split(".")
    for split in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        try:
            for part in parts[split:]:
                obj = getattr(obj, part)
        except AttributeError:
            break
        return obj
    raise ValueError(f"forbid: cannot find {path!r} (from {target!r})")
