"""The student's side of a graded call: run one function of the notebook on plain data.

This module runs inside the student's process (the sandbox child, or an author's own kernel
through ``LocalStudent``). It receives a request made of plain data, calls the student's function
on fresh tensors rebuilt from it, and answers with plain data: the return value, the gradients
asked for, the arguments as they were after the call (so the grader can see in-place changes)
and, when asked, the ATen operations the call dispatched. The grader trusts none of it: it only
compares the numbers with references it computes itself.
"""

from __future__ import annotations

import time
import traceback
from typing import Any

from . import wire


def _short_error(error: BaseException) -> dict:
    frames = traceback.extract_tb(error.__traceback__)
    line = next((f"line {f.lineno}" for f in reversed(frames) if f.filename.startswith("<")), "")
    message = str(error)
    if len(message) > 500:
        message = message[:500] + "…"
    return {"type": type(error).__name__, "message": message, "where": line}


def _type_name(value: Any) -> str:
    """'tuple', 'float', 'torch.Tensor', 'numpy.float64': what the function really returned."""
    cls = type(value)
    module = getattr(cls, "__module__", "") or ""
    name = getattr(cls, "__qualname__", "object")
    return name if module == "builtins" else f"{module.split('.')[0]}.{name}"


def _recorder():
    """A dispatch mode that records the name of every ATen operation it sees."""
    from torch.utils._python_dispatch import TorchDispatchMode

    class Recorder(TorchDispatchMode):
        def __init__(self) -> None:
            super().__init__()
            self.ops: set[str] = set()
            self.counts: dict[str, int] = {}

        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            name = str(func.overloadpacket)
            self.ops.add(name)
            self.counts[name] = self.counts.get(name, 0) + 1
            return func(*args, **(kwargs or {}))

    return Recorder()


def serve_call(namespace: dict, request: dict) -> dict:
    """Answer one request ``{"fn", "args", "kwargs", "grad", "ops", "grad_output"}``.

    The reply always is plain data: ``{"ok": True, "value", "grads", "args_after",
    "kwargs_after", "ops", "seconds"}`` or ``{"ok": False, "error": {...}, "stage": ...}``.
    """
    import torch

    name = request.get("fn")
    fn = namespace.get(name) if isinstance(name, str) else None
    if fn is None:
        return {"ok": False, "stage": "lookup",
                "error": {"type": "NameError", "message": f"{name} is not defined in the notebook",
                          "where": ""}}
    if not callable(fn):
        return {"ok": False, "stage": "lookup",
                "error": {"type": "TypeError", "message": f"{name} is not a function", "where": ""}}
    try:
        args = wire.decode(request.get("args", []))
        kwargs = wire.decode(request.get("kwargs", {}))
        grad_output = wire.decode(request.get("grad_output"))
    except wire.WireError as error:
        return {"ok": False, "stage": "arguments",
                "error": {"type": "WireError", "message": str(error), "where": ""}}
    wanted = [i for i in request.get("grad", []) if isinstance(i, int) and 0 <= i < len(args)]
    for i in wanted:
        if isinstance(args[i], torch.Tensor) and args[i].is_floating_point():
            args[i].requires_grad_(True)
    recorder = _recorder() if request.get("ops") else None
    versions = [a._version if isinstance(a, torch.Tensor) else None for a in args]
    start = time.perf_counter()
    try:
        if recorder is not None:
            witness = torch.zeros(1)
            with recorder:
                value = fn(*args, **kwargs)
                witness.neg_()                 # the recorder must see this one
        else:
            value = fn(*args, **kwargs)
    except Exception as error:  # the student's function failed: report, never crash
        return {"ok": False, "stage": "call", "error": _short_error(error)}
    seconds = time.perf_counter() - start
    ops = counts = None
    if recorder is not None:
        # a recorder that missed the witness was switched off: report "unknown", not "none"
        if "aten.neg_" in recorder.ops:
            ops = sorted(recorder.ops - {"aten.neg_"})
            counts = {k: v for k, v in recorder.counts.items() if k != "aten.neg_"}
    inplace = [i for i, (a, v) in enumerate(zip(args, versions))
               if v is not None and isinstance(a, torch.Tensor) and a._version != v]
    items = value if type(value) in (tuple, list) else [value]
    reply: dict[str, Any] = {"ok": True, "seconds": seconds, "ops": ops, "op_counts": counts,
                             "inplace": inplace,
                             "requires_grad": [bool(v.requires_grad) if isinstance(v, torch.Tensor)
                                               else None for v in items],
                             "type": _type_name(value),
                             "item_types": [_type_name(v) for v in value]
                             if type(value) in (tuple, list) else None}
    grads: list[Any] = []
    if wanted:
        try:
            out = value
            if not isinstance(out, torch.Tensor) or type(out) is not torch.Tensor:
                raise TypeError("gradients need the function to return a plain tensor")
            targets = [args[i] for i in wanted]
            if grad_output is None and out.numel() != 1:
                grad_output = torch.ones_like(out)
            computed = torch.autograd.grad(out, targets, grad_outputs=grad_output, allow_unused=True)
            grads = [None if g is None else g for g in computed]
        except Exception as error:
            return {"ok": False, "stage": "gradient", "error": _short_error(error)}
    try:
        reply["value"] = wire.encode(value)
        reply["grads"] = wire.encode(grads)
        reply["args_after"] = wire.encode([a for a in args])
        reply["kwargs_after"] = wire.encode(kwargs)
    except TypeError as error:
        return {"ok": False, "stage": "result",
                "error": {"type": "TypeError", "message": str(error), "where": ""}}
    return reply


def serve_run(namespace: dict, request: dict) -> dict:
    """Run an author's probe ``code`` in a copy of the student's namespace; answer ``result``.

    Used where an exercise hands back something that cannot travel as plain data (a module, a
    hook handle): the probe reduces it to numbers and names, and the grader checks those.
    """
    code = request.get("code")
    if not isinstance(code, str):
        return {"ok": False, "stage": "probe", "error": {"type": "TypeError", "message": "no code",
                                                         "where": ""}}
    try:
        inputs = wire.decode(request.get("inputs", {}))
    except wire.WireError as error:
        return {"ok": False, "stage": "arguments",
                "error": {"type": "WireError", "message": str(error), "where": ""}}
    scope = dict(namespace)
    scope.update(inputs)
    start = time.perf_counter()
    try:
        exec(compile(code, "<probe>", "exec"), scope)
    except Exception as error:
        return {"ok": False, "stage": "call", "error": _short_error(error)}
    try:
        value = wire.encode(scope.get("result"))
    except TypeError as error:
        return {"ok": False, "stage": "result",
                "error": {"type": "TypeError", "message": str(error), "where": ""}}
    return {"ok": True, "value": value, "seconds": time.perf_counter() - start}
