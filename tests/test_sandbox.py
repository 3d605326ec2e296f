"""The sandbox and the wire format on their own: what the student's process can and cannot do."""

from __future__ import annotations

import math
import sys
import os
import socket

import numpy as np
import pytest
import torch

from course_utils.grading import wire
from course_utils.grading.hidden import LocalStudent, SandboxGone, StudentError, run_hidden_tests
from course_utils.grading.sandbox import Limits, isolation, zygote
from nbtools import ROOT

FULL = isolation().namespaces


# ----------------------------------------------------------------------------- wire format
@pytest.mark.parametrize("value", [
    None, True, 3, -2.5, math.inf, "text", [1, [2.0, "x"]], {"a": (1, 2)},
    torch.arange(6, dtype=torch.float32).reshape(2, 3), torch.tensor(2.5, dtype=torch.float64),
    torch.tensor([True, False]), torch.ones(2, dtype=torch.bfloat16), np.arange(4, dtype=np.int64),
])
def test_plain_data_round_trips(value):
    back = wire.decode(wire.loads(wire.dumps(wire.encode(value))))
    if isinstance(value, torch.Tensor):
        assert type(back) is torch.Tensor and back.dtype == value.dtype and torch.equal(back, value)
    elif isinstance(value, np.ndarray):
        assert type(back) is np.ndarray and np.array_equal(back, value)
    elif isinstance(value, dict):
        assert back == {"a": [1, 2]}
    else:
        assert back == value


def test_objects_that_are_not_plain_data_are_refused():
    class Liar:
        def __eq__(self, other):
            return True
    with pytest.raises(TypeError, match="cannot be graded"):
        wire.encode(Liar())
    with pytest.raises(TypeError, match="cannot be graded"):
        wire.encode(torch.nn.Linear(2, 2))
    for forged in ({"__array__": ["pickle", "float32", [1], ""]}, {"__class__": "os.system"},
                   {"__array__": ["torch", "float32", [10**9], ""]},
                   {"__array__": ["torch", "float32", [2], "AAAA"]}):
        with pytest.raises(wire.WireError):
            wire.decode(forged)


def test_a_tensor_subclass_is_sent_as_its_plain_values():
    class Agreeable(torch.Tensor):
        @classmethod
        def __torch_function__(cls, func, types, args=(), kwargs=None):
            return super().__torch_function__(func, types, args, kwargs or {})
    back = wire.decode(wire.encode(torch.ones(2).as_subclass(Agreeable)))
    assert type(back) is torch.Tensor and torch.equal(back, torch.ones(2))


# --------------------------------------------------------------------- hidden tests, locally
HIDDEN = '''
### BEGIN HIDDEN TESTS
def hidden_tests(student, case):
    import torch
    from course_utils.checks import check_close
    x = torch.tensor([1.0, -2.0, 3.0])
    with case("doubles", weight=3):
        check_close(student.double(x), 2 * x, name="double(x)")
    with case("leaves x alone"):
        assert not student.call("double", x).mutated, "double changed x in place"
### END HIDDEN TESTS
'''


@pytest.mark.parametrize("body, score", [
    ("return 2 * x", 4.0), ("x.mul_(2)\n    return x", 3.0), ("return x", 1.0),
    ("raise NotImplementedError()", 0.0), ("return object()", 0.0),
])
def test_partial_credit_is_shared_by_case_weight(body, score):
    ns: dict = {}
    exec(f"def double(x):\n    {body}\n", ns)
    verdict = run_hidden_tests("double_tests", HIDDEN, 4, LocalStudent(ns))
    assert verdict.score == score, verdict.report()


def test_feedback_names_cases_but_not_hidden_values():
    ns: dict = {}
    exec("def double(x):\n    return 3 * x\n", ns)
    report = run_hidden_tests("double_tests", HIDDEN, 4, LocalStudent(ns)).report()
    assert "[FAILED] doubles" in report and "[passed] leaves x alone" in report
    assert "-6" not in report and "-4" not in report       # the hidden values stay hidden


# -------------------------------------------------------------------------------- sandbox
@pytest.fixture
def session():
    s = zygote().spawn({"data.txt": b"handed in"}, slot=950, hide=[str(ROOT)],
                       limits=Limits(cell_timeout=3, call_timeout=3, total_timeout=60, memory_mb=512))
    yield s
    s.close()


def run(session, source: str) -> dict:
    return session.run_cell(source)


def test_cells_run_and_report_errors_without_stopping(session):
    assert run(session, "x = 41\nprint('hello')")["output"].startswith("hello")
    report = run(session, "1 / 0")
    assert report["error"]["type"] == "ZeroDivisionError"
    assert run(session, "print(x + 1)")["output"].strip() == "42"
    assert run(session, "print(open('data.txt').read())")["output"].strip() == "handed in"


def test_a_cell_that_runs_too_long_is_stopped_and_the_next_one_runs(session):
    report = run(session, "while True:\n    pass")
    assert report["error"] and "more than 3 s" in report["error"]["message"]
    assert run(session, "print('after')")["output"].strip() == "after"


def test_a_cell_that_ignores_its_alarm_is_killed(session):
    with pytest.raises(SandboxGone, match="stopped answering"):
        run(session, "import signal\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\nwhile True:\n    pass")


def test_exiting_is_reported_not_crashing(session):
    assert run(session, "import sys\nsys.exit(3)")["error"] is not None      # IPython catches it
    with pytest.raises(SandboxGone, match="ended"):
        run(session, "import os\nos._exit(0)")
    with pytest.raises(SandboxGone):
        session.student.call("anything")


def test_memory_is_limited(session):
    report = run(session, "import torch\nx = torch.empty(2**31, dtype=torch.uint8).fill_(1)")
    assert report["error"] is not None
    assert run(session, "print('alive')")["output"].strip() == "alive"


def test_output_is_capped(session):
    report = run(session, "for _ in range(100000):\n    print('x' * 100)")
    assert len(report["output"]) < 10_000 and "not kept" in report["output"]


@pytest.mark.skipif(not FULL, reason="needs root for namespaces")
def test_no_network_not_even_loopback(session):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    port = listener.getsockname()[1]
    report = run(session, f"import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=2)")
    listener.close()
    assert report["error"] and report["error"]["type"] in ("OSError", "ConnectionRefusedError")


@pytest.mark.skipif(not FULL, reason="needs root for namespaces")
def test_the_course_folder_and_tmp_are_hidden_and_read_only(session, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("gradebook")
    assert run(session, f"open({str(secret)!r}).read()")["error"]["type"] == "FileNotFoundError"
    assert run(session, f"open({str(ROOT / 'solutions' / '01_losses' / '01_losses.ipynb')!r})")["error"]
    report = run(session, "import os\nprint(os.getuid(), os.getpid())")
    uid, pid = map(int, report["output"].split())
    assert uid != 0 and pid == 1
    assert run(session, "open('/usr/planted', 'w')")["error"]["type"] == "PermissionError"
    assert run(session, f"open({str(ROOT / 'planted')!r}, 'w')")["error"] is not None
    assert not (ROOT / "planted").exists()
    assert run(session, "import course_utils, torch\nprint('imports work')")["error"] is None


@pytest.mark.skipif(not FULL, reason="needs root for namespaces")
def test_processes_it_starts_die_with_it():
    s = zygote().spawn({}, slot=951, limits=Limits(total_timeout=30))
    run(s, "import subprocess\nsubprocess.Popen(['sleep', '300'], start_new_session=True)")
    s.close()
    import subprocess, time
    for _ in range(50):
        ps = subprocess.run(["ps", "-eo", "uid=,args="], capture_output=True, text=True).stdout
        if not any(line.split()[0] == str(61000 + 951) for line in ps.splitlines() if line.split()):
            break
        time.sleep(0.1)
    else:
        pytest.fail("a process started in the sandbox outlived it")


def test_without_isolation_grading_still_works(monkeypatch):
    """COURSE_SANDBOX=off (what a machine without root gets): still a separate process."""
    import subprocess, sys
    code = ("from course_utils.grading.sandbox import zygote, isolation\n"
            "print(isolation().describe())\n"
            "s = zygote().spawn({})\n"
            "print(s.run_cell('def f(x):\\n    return x + 1')['error'])\n"
            "print(s.student.f(41)); s.close()\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "COURSE_SANDBOX": "off"})
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert "no network, mount or PID namespaces" in lines[0]
    assert lines[1:] == ["None", "42"]


def test_a_function_that_ran_out_of_time_is_not_run_again(session):
    import time

    run(session, "def slow(x):\n    while True:\n        pass")
    start = time.perf_counter()
    with pytest.raises(StudentError, match="raised CellTimeout"):
        session.student.slow(1)
    with pytest.raises(StudentError, match="ran out of time earlier"):
        session.student.slow(2)
    assert time.perf_counter() - start < 8            # the second call cost nothing


@pytest.mark.skipif(sys.platform != "linux", reason="PR_SET_PDEATHSIG is Linux's")
def test_sandboxes_die_with_their_grader():
    """A grader that is killed mid-grading leaves no zygote and no student process behind."""
    import subprocess
    import time

    code = ("from course_utils.grading.sandbox import zygote\n"
            "s = zygote().spawn({}, slot=952)\n"
            "print(s.pid, flush=True)\n"
            "s.run_cell('while True:\\n    pass')\n")
    grader = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    pid = int(grader.stdout.readline())
    time.sleep(1)
    grader.kill()
    grader.wait()
    for _ in range(50):
        try:
            with open(f"/proc/{pid}/status") as f:
                state = f.read().split("State:")[1].split()[0]
        except (FileNotFoundError, ProcessLookupError):
            return
        if state == "Z":                      # dead, waiting to be reaped by init
            return
        time.sleep(0.1)
    pytest.fail("the student's process outlived its grader")


def test_rule_cases_earn_nothing_for_an_answer_that_does_nothing():
    hidden = HIDDEN.replace('with case("leaves x alone"):', 'with case("leaves x alone", rule=True):')
    ns: dict = {}
    exec("def double(x):\n    return None\n", ns)
    verdict = run_hidden_tests("double_tests", hidden, 4, LocalStudent(ns))
    assert verdict.score == 0 and "no credit until the answer works" in verdict.report()
    exec("def double(x):\n    return 2 * x\n", ns)
    assert run_hidden_tests("double_tests", hidden, 4, LocalStudent(ns)).score == 4
