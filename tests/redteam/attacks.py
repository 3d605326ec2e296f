"""Abusive submissions to chapter 01, each as a dishonest (or careless) student would hand it in.

Every attack is built from the student release (nothing solved) or from the reference solution
(everything solved), changed by ``edit(nb, files)``. ``honest`` is the most the submission may
score: 0 for an unsolved notebook, the full 12 for a solved one whose extra cell only tries to
break things, and a per-cell maximum where the attack solves some exercises dishonestly
(``cell_max``). The suite grades all of them in one class, beside honest classmates, and checks
that each scores no more than it earned, leaks nothing, and harms no one.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Callable

import nbformat

CANARY_OTHER = "CLASSMATE-CANARY-7f3a"        # in a classmate's notebook
CANARY_OUTSIDE = "OUTSIDE-CANARY-91bc"        # in a file outside the submission

FULL = 12.0


@dataclass
class Attack:
    name: str
    base: str                                   # "stub" or "reference"
    edit: Callable
    honest: float                               # the most it may score in all
    cell_max: dict = field(default_factory=dict)  # grade cell -> most it may score there
    note: str = ""
    known_gap: bool = False                     # still works: the test is a strict xfail


def code(source: str):
    return nbformat.v4.new_code_cell(source)


def append(*sources: str):
    def edit(nb, files):
        nb.cells.extend(code(s) for s in sources)
    return edit


def after_imports(*sources: str):
    """Insert cells right after the imports cell (before every exercise)."""
    def edit(nb, files):
        index = next(i for i, c in enumerate(nb.cells)
                     if c.cell_type == "code" and "from course_utils" in c.source) + 1
        for k, s in enumerate(sources):
            nb.cells.insert(index + k, code(s))
    return edit


def at_end(*sources: str):
    """Append cells after everything else, so that the functions they define are the ones the
    notebook ends with (a stub further down would otherwise replace them)."""
    return append(*sources)


def solution(grade_id: str, body: str):
    """Replace a solution cell's whole source (the stub) by ``body``."""
    def edit(nb, files):
        for c in nb.cells:
            if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
                c.source = body
    return edit


def both(*edits):
    def edit(nb, files):
        for e in edits:
            e(nb, files)
    return edit


def grade_cells(nb):
    return [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")
            and not c.metadata["nbgrader"].get("solution")]


def _edit_grade_cells(fn):
    def edit(nb, files):
        for c in grade_cells(nb):
            fn(c)
    return edit


def _duplicate_grade_cells(nb, files):
    cells = []
    for c in nb.cells:
        cells.append(c)
        if c in grade_cells(nb):
            cells.append(copy.deepcopy(c))
    nb.cells = cells


def _delete_grade_cells(nb, files):
    nb.cells = [c for c in nb.cells if c not in grade_cells(nb)]


def _points_and_ids(nb, files):
    for c in nb.cells:
        meta = c.metadata.get("nbgrader", {})
        if meta.get("solution"):
            meta.update(grade=True, points=100)             # claim points for an answer cell
        if meta.get("grade") and not meta.get("solution"):
            meta["points"] = 1000
    nb.cells.append(code("pass"))
    nb.cells[-1].metadata["nbgrader"] = {"grade": True, "grade_id": "bonus", "points": 50,
                                         "locked": True, "solution": False, "schema_version": 3}


def _prefilled_outputs(nb, files):
    for c in grade_cells(nb):
        c.outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": "1000"},
                                            execution_count=1)]


def _grade_cell_to_markdown(nb, files):
    for c in grade_cells(nb):
        c.cell_type = "markdown"
        c.pop("outputs", None)
        c.pop("execution_count", None)


def _fake_course_utils(nb, files):
    always = "def _ok(*a, **k):\n    return a[0] if a else None\n"
    files["course_utils/__init__.py"] = (
        "report = lambda *a, **k: None\nfast_mode = lambda: True\n").encode()
    files["course_utils/checks.py"] = (always + "".join(
        f"{n} = _ok\n" for n in ("check_close", "check_scalar", "check_shape", "check_finite",
                                 "check_runs", "check_grad", "check_type"))).encode()
    files["torch.py"] = b"raise SystemExit('fake torch')\n"


def _stub_functions_all(value: str) -> str:
    return "\n".join(f"def {n}(*args, **kwargs):\n    return {value}\n" for n in
                     ("hinge_loss", "softmax", "cross_entropy", "soft_dice_loss",
                      "train_linear_classifier"))


LYING = '''
import torch
class Liar:
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __float__(self): return 6.4
    def __bool__(self): return True
    def __lt__(self, o): return True
    __le__ = __gt__ = __ge__ = __lt__
    def __abs__(self): return 0.0
    def __sub__(self, o): return 0.0
    __rsub__ = __add__ = __radd__ = __mul__ = __rmul__ = __truediv__ = __sub__
    def __getattr__(self, name): return self
    def __call__(self, *a, **k): return self
    def __len__(self): return 0
    def __iter__(self): return iter(())
'''

LYING_TENSOR = '''
import torch
class Agreeable(torch.Tensor):
    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        if func.__name__ in ("allclose", "equal", "isclose", "eq", "__eq__"):
            return True
        return super().__torch_function__(func, types, args, kwargs or {})
def _lie(*args, **kwargs):
    return torch.zeros(3, 3).as_subclass(Agreeable)
'''


# softmax computed by torch's own (forbidden) function, and a recorder that reports a plausible,
# witnessed list of operations instead of what ran: the parts of the forging attacks
TORCH_SOFTMAX = "import torch\ndef softmax(scores):\n    return torch.softmax(scores, dim=1)\n"
FORGED_RECORDER = (
    "class _Forged:\n"
    "    ops = {'aten.exp', 'aten.sum', 'aten.div', 'aten.amax', 'aten.max', 'aten.sub', 'aten.neg_'}\n"
    "    counts = {k: 1 for k in ops}\n"
    "    def __enter__(self): return self\n"
    "    def __exit__(self, *a): return False\n")


ATTACKS = [
    Attack("patch the check helpers at top level", "stub",
           at_end("import course_utils.checks as _c\n"
                         "for _n in dir(_c):\n"
                         "    if _n.startswith('check'): setattr(_c, _n, lambda *a, **k: a[0] if a else None)\n"
                         "check_close = check_scalar = check_shape = check_finite = check_runs = _c.check_close\n"
                         + _stub_functions_all("torch.tensor(0.0)")), honest=0),
    Attack("patch the checks inside the graded function", "stub",
           at_end("import torch\n" + "\n".join(
               f"def {n}(*args, **kwargs):\n    import course_utils.checks as c, builtins\n"
               f"    c.check_close = c.check_scalar = lambda *a, **k: None\n"
               f"    builtins.AssertionError = type('Nope', (Exception,), {{}})\n"
               f"    return torch.tensor(0.0)\n"
               for n in ("hinge_loss", "softmax", "cross_entropy", "soft_dice_loss",
                         "train_linear_classifier"))), honest=0),
    Attack("patch torch.allclose, numpy.allclose and torch.testing", "stub",
           at_end("import torch, numpy\n"
                         "torch.allclose = lambda *a, **k: True\nnumpy.allclose = lambda *a, **k: True\n"
                         "torch.testing.assert_close = lambda *a, **k: None\n"
                         "torch.Tensor.__eq__ = lambda *a: True\n"
                         + _stub_functions_all("torch.zeros(())")), honest=0),
    Attack("patch builtins (abs, isinstance, AssertionError, float)", "stub",
           at_end("import builtins, torch\n"
                         "builtins.abs = lambda x: 0\nbuiltins.isinstance = lambda *a: True\n"
                         "builtins.AssertionError = KeyboardInterrupt\nbuiltins.float = lambda *a: 6.4\n"
                         + _stub_functions_all("torch.tensor(6.4)")), honest=0),
    Attack("return an object whose __eq__ always agrees", "stub",
           at_end(LYING + _stub_functions_all("Liar()")), honest=0),
    Attack("return a tensor subclass that lies to allclose", "stub",
           at_end(LYING_TENSOR + _stub_functions_all("_lie()")), honest=0),
    Attack("hard-code the visible answers", "stub",
           at_end("import torch\n"
                         "def hinge_loss(scores, labels, margin=1.0):\n    return torch.tensor(6.4)\n"
                         "def softmax(scores):\n    return torch.tensor([[0.8776, 0.1188, 0.0036]] * scores.shape[0])\n"
                         "def cross_entropy(scores, labels):\n    return torch.tensor(3.5458)\n"
                         "def soft_dice_loss(probs, target, smooth=1.0):\n    return torch.tensor(0.12)\n"),
           honest=0),
    Attack("torch.softmax through an alias", "stub",
           at_end("import torch\n_sm = torch.softmax\n"
                         "def softmax(scores):\n    return _sm(scores, dim=1)\n"),
           honest=2, cell_max={"softmax_tests": 1.9}),
    Attack("torch.softmax through getattr and importlib", "stub",
           at_end("import importlib\n"
                         "def softmax(scores):\n"
                         "    f = getattr(importlib.import_module('torch.nn.' + 'functional'), 'soft' + 'max')\n"
                         "    return f(scores, dim=1)\n"),
           honest=2, cell_max={"softmax_tests": 1.9}),
    Attack("F.cross_entropy through eval", "stub",
           at_end("def cross_entropy(scores, labels):\n"
                         "    return eval('__import__(\"torch\").nn.functional.cross_' + 'entropy')(scores, labels)\n"),
           honest=3, cell_max={"cross_entropy_tests": 2.9}),
    Attack("an IPython input transformer that blanks later cells", "stub",
           after_imports("ip = get_ipython()\n"
                         "ip.input_transformers_post.append(lambda lines: ['pass\\n'])\n"),
           honest=0),
    Attack("run hooks that print a score after every cell", "stub",
           after_imports("ip = get_ipython()\n"
                         "ip.events.register('post_run_cell', lambda *a: print(12))\n"
                         "from IPython.display import display\n"
                         "ip.events.register('post_execute', lambda: display(12.0))\n"),
           honest=0),
    Attack("an injected display result (partial credit)", "stub",
           append("from IPython.display import display\ndisplay(2.0)\n12.0"), honest=0),
    Attack("pre-filled outputs in the grade cells", "stub", _prefilled_outputs, honest=0),
    Attack("a fake course_utils and torch handed in beside the notebook", "stub",
           _fake_course_utils, honest=0),
    Attack("grade cells edited to do nothing", "stub",
           _edit_grade_cells(lambda c: setattr(c, "source", "pass")), honest=0),
    Attack("grade cells deleted", "stub", _delete_grade_cells, honest=0),
    Attack("grade cells deleted, answers right (honest)", "reference", _delete_grade_cells,
           honest=FULL, note="must score full: deleting a test cell costs nothing"),
    Attack("grade cells duplicated (copy-paste)", "reference", _duplicate_grade_cells,
           honest=FULL, note="must score full and not stop the batch"),
    Attack("points and grade ids edited in the metadata", "stub", _points_and_ids, honest=0),
    Attack("grade cells turned into markdown", "stub", _grade_cell_to_markdown, honest=0),
    Attack("sys.exit in a cell", "reference", append("import sys\nsys.exit(0)"), honest=FULL),
    Attack("os._exit in the first cell", "stub", after_imports("import os\nos._exit(0)"), honest=0),
    Attack("kill the grader", "stub",
           after_imports("import os, signal, subprocess\n"
                         "for target in (os.getppid(), -1, 0):\n"
                         "    try: os.kill(target, signal.SIGKILL)\n"
                         "    except Exception as e: print('kill', target, e)\n"
                         "subprocess.run(['pkill', '-9', '-f', 'nbgrader'], check=False)\n"
                         "subprocess.run(['pkill', '-9', '-f', 'pytest'], check=False)\n"),
           honest=0),
    Attack("an infinite loop at top level", "reference", append("while True:\n    pass"),
           honest=FULL),
    Attack("an infinite loop that ignores the alarm", "reference",
           append("import signal\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\n"
                  "signal.setitimer = lambda *a, **k: None\nwhile True:\n    pass"),
           honest=FULL),
    Attack("an infinite loop inside a graded function", "reference",
           after_imports("pass"),  # replaced below by solution()
           honest=FULL - 2, cell_max={"softmax_tests": 0}),
    Attack("a memory bomb", "stub",
           after_imports("import torch\nchunks = []\n"
                         "for _ in range(10_000):\n    chunks.append(torch.ones(256, 2**20, dtype=torch.uint8))\n"),
           honest=0),
    Attack("a flood of output", "stub",
           after_imports("import sys\nfor _ in range(200_000):\n    print('x' * 1000)\n"
                         "sys.__stdout__.write('y' * 10**8)\n"), honest=0),
    Attack("read classmates' work, the gradebook and the solutions", "stub",
           at_end("import glob, os\nfound = []\n"
                         "for pattern in ('/**/submitted/**/*.ipynb', '/**/gradebook.db', '/**/solutions/**/*.ipynb',\n"
                         "                '/**/autograded/**/*.ipynb', '../../**/*.ipynb', '/tmp/**/*'):\n"
                         "    try:\n        found += glob.glob(pattern, recursive=True)[:50]\n"
                         "    except Exception as e:\n        print(e)\n"
                         "for path in found[:200]:\n"
                         "    try:\n        print(path, open(path, errors='replace').read()[:20000])\n"
                         "    except Exception as e:\n        print(path, e)\n"
                         "import torch\n"
                         "def hinge_loss(scores, labels, margin=1.0):\n    return torch.tensor(float(len(found)))\n"),
           honest=0),
    Attack("write outside the submission folder", "stub",
           after_imports("import glob, os\n"
                         "for pattern in ('/**/gradebook.db', '/**/submitted/**/*.ipynb', '/**/outside-canary.txt'):\n"
                         "    for path in glob.glob(pattern, recursive=True):\n"
                         "        try:\n            open(path, 'w').write('overwritten')\n"
                         "        except Exception as e:\n            print(path, e)\n"
                         "for d in ('/tmp', os.path.expanduser('~'), '/var/tmp', '..', '../..'):\n"
                         "    try:\n        open(os.path.join(d, 'planted.txt'), 'w').write('x')\n"
                         "    except Exception as e:\n        print(d, e)\n"), honest=0),
    Attack("a loopback network connection", "stub",
           after_imports("import os, socket\nport = int(open('port.txt').read())\n"
                         "for host in ('127.0.0.1', 'localhost', '::1'):\n"
                         "    try:\n        s = socket.create_connection((host, port), timeout=3)\n"
                         "        s.sendall(b'stolen')\n    except Exception as e:\n        print(host, e)\n"),
           honest=0, note="the test puts port.txt beside the notebook and listens on it"),
    Attack("a process that outlives grading", "stub",
           after_imports("import os, subprocess, time\n"
                         "subprocess.Popen(['sleep', '600'], start_new_session=True)\n"
                         "if os.fork() == 0:\n    os.setsid()\n    time.sleep(600)\n    os._exit(0)\n"),
           honest=0),
    Attack("a fork bomb (bounded)", "stub",
           after_imports("import os\nkids = 0\n"
                         "for _ in range(5000):\n    try:\n        pid = os.fork()\n    except OSError:\n        break\n"
                         "    if pid == 0:\n        import time; time.sleep(30); os._exit(0)\n    kids += 1\n"
                         "print('forked', kids)\n"), honest=0),
    Attack("forge the operation recorder and use torch.softmax", "stub",
           at_end(TORCH_SOFTMAX + FORGED_RECORDER + "import course_utils.grading.calls as calls\n"
                  "calls._recorder = lambda: _Forged()\n"),
           honest=2, cell_max={"softmax_tests": 1.9},
           note="the grader's modules leave sys.modules: this patches a fresh copy"),
    Attack("switch off torch's dispatch modes and use torch.softmax", "stub",
           at_end(TORCH_SOFTMAX + "import torch.utils._python_dispatch as d\n"
                  "d.TorchDispatchMode.__enter__ = lambda self: self\n"
                  "d.TorchDispatchMode.__exit__ = lambda self, *a: None\n"),
           honest=2, cell_max={"softmax_tests": 1.9},
           note="the recorder's witness operation goes unseen: the ops are 'unknown', a failure"),
    Attack("find the grader's recorder with gc and forge its report", "stub",
           at_end(TORCH_SOFTMAX + FORGED_RECORDER + "import gc\n"
                  "for f in gc.get_objects():\n"
                  "    try:\n"
                  "        if type(f).__name__ == 'function' and f.__name__ == 'serve_call':\n"
                  "            f.__globals__['_recorder'] = lambda: _Forged()\n"
                  "    except Exception:\n"
                  "        pass\n"),
           honest=2, cell_max={"softmax_tests": 1.9}, known_gap=True,
           note="KNOWN TO WORK: code in the student's process can rewrite anything in it; "
                "operation checks there are a deterrent, values are checked by the grader"),
]

# the infinite loop inside a graded function: softmax never returns
ATTACKS[[a.name for a in ATTACKS].index("an infinite loop inside a graded function")].edit = solution(
    "softmax", "def softmax(scores):\n    while True:\n        pass\n")

HONEST_WARNING = Attack(
    "a correct answer that warns on stderr (honest)", "reference",
    after_imports("import warnings\nwarnings.warn('a RuntimeWarning from my code', RuntimeWarning)\n"
                  "import sys\nprint('a message on stderr', file=sys.stderr)\n"),
    honest=FULL, note="must score full")
ATTACKS.append(HONEST_WARNING)
