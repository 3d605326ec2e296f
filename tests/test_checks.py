"""Tests of course_utils.checks: the feedback students get from visible tests in grade cells."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

from course_utils.checks import (
    as_numpy,
    check_close,
    check_dtype,
    check_finite,
    check_grad,
    check_runs,
    check_scalar,
    check_shape,
    check_type,
)

EXPECTED = [[0.8714, 0.1179, 0.0107]]


# ---- objects that lie about themselves ----------------------------------------------------------

class AlwaysEqual:
    def __eq__(self, other):
        return True

    __hash__ = object.__hash__


class LyingNumber:
    """Pretends to be any number NumPy or Python asks it to be."""

    def __float__(self):
        return 0.8714

    def __array__(self, dtype=None, copy=None):
        return np.array(EXPECTED)

    def __sub__(self, other):
        return 0.0

    __rsub__ = __sub__

    def __abs__(self):
        return 0.0

    def __lt__(self, other):
        return True

    __le__ = __lt__


class ClaimsToBeTensor:
    """isinstance(x, torch.Tensor) is True for this one, through a __class__ property."""

    @property
    def __class__(self):
        return torch.Tensor


class FakeTensor(torch.Tensor):
    """A tensor subclass whose every torch operation returns the expected answer."""

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        return torch.tensor(EXPECTED, dtype=torch.float64)


class LyingArray(np.ndarray):
    def __eq__(self, other):
        return True

    def __array__(self, dtype=None, copy=None):
        return np.array(EXPECTED)


class LyingFloat(float):
    def __sub__(self, other):
        return 0.0

    def __abs__(self):
        return 0.0


class BrokenName(type):
    @property
    def __name__(cls):
        raise RuntimeError("no name")


class Nameless(metaclass=BrokenName):
    pass


class BadStr(Exception):
    def __str__(self):
        raise RuntimeError("cannot print me")


def fake_subclass():
    return torch.zeros(1, 3).as_subclass(FakeTensor)


def self_containing_list():
    x = [1.0]
    x.append(x)
    return x


# ---- passing checks ------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "actual",
    [
        torch.tensor(EXPECTED),
        torch.tensor(EXPECTED, dtype=torch.float64),
        torch.tensor(EXPECTED, requires_grad=True),
        torch.tensor(EXPECTED, requires_grad=True) * 1.0,
        torch.nn.Parameter(torch.tensor(EXPECTED)),
        torch.tensor(EXPECTED).half(),
        np.array(EXPECTED),
        np.array(EXPECTED, dtype=np.float32),
        EXPECTED,
        [[np.float32(0.8714), 0.1179, 0.0107]],
    ],
    ids=["tensor", "float64", "leaf-grad", "nonleaf-grad", "parameter", "half", "numpy",
         "numpy32", "list", "list-numpy-scalar"],
)
def test_check_close_accepts_every_supported_form(actual):
    """Do tensors (any dtype, with grad), arrays and nested lists equal to the answer pass?"""
    assert check_close(actual, EXPECTED, atol=1e-3) is None
    assert check_shape(actual, (1, 3)) is None
    assert check_shape(actual, (None, 3)) is None
    assert check_finite(actual) is None


@pytest.mark.parametrize("actual", [torch.tensor(2.5), np.float32(2.5), np.array(2.5), 2.5])
def test_check_scalar_accepts_single_numbers(actual):
    """Do a 0-d tensor, a NumPy scalar, a 0-d array and a Python float all pass check_scalar?"""
    assert check_scalar(actual, 2.5) is None
    assert check_close(actual, 2.5) is None


def test_integers_and_booleans_compare_as_numbers():
    """Are an int tensor, a Python int and a bool mask compared by value?"""
    check_close(torch.tensor([1, 2, 3]), [1.0, 2.0, 3.0])
    check_scalar(3, 3.0)
    check_close(torch.tensor([True, False]), [1, 0])


def test_passing_checks_are_silent(capsys):
    """Do passing checks print nothing and emit no warnings (nbgrader gives 0 for any stderr)?"""
    w = torch.tensor([1.0, -2.0], requires_grad=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        check_close(w * 2, [2.0, -4.0])
        check_scalar((w**2).sum(), 5.0)
        check_dtype(w, "float")
        check_type(w, torch.Tensor)
        check_finite(w)
        check_grad(lambda v: (v**2).sum(), [w], [[2.0, -4.0]])
        assert check_runs(lambda a: a + 1, 1) == 2
        as_numpy(w)
    out, err = capsys.readouterr()
    assert (out, err, caught) == ("", "", [])


def test_as_numpy_returns_an_independent_float64_copy():
    """Does as_numpy return float64 data that does not share memory with the student's tensor?"""
    t = torch.zeros(2, 3, dtype=torch.float64, requires_grad=True)
    a = as_numpy(t)
    assert a.dtype == np.float64 and a.shape == (2, 3)
    a[0, 0] = 1.0
    assert t[0, 0].item() == 0.0
    assert as_numpy(3).shape == () and as_numpy([]).shape == (0,)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a GPU")
def test_cuda_tensors_are_read():
    """Is a tensor on the GPU read like one on the CPU?"""
    check_close(torch.tensor(EXPECTED, device="cuda", requires_grad=True), EXPECTED)


# ---- failure messages ---------------------------------------------------------------------------

def test_shape_failure_names_both_shapes_and_the_hint():
    """Does a wrong shape name the received and expected shapes, then the hint?"""
    msg = r"softmax\(scores\) has shape \(3,\), expected \(1, 3\)\. Did you keep the batch axis\?"
    with pytest.raises(AssertionError, match=msg):
        check_close(torch.ones(3), EXPECTED, name="softmax(scores)",
                    hint="Did you keep the batch axis?")
    with pytest.raises(AssertionError, match=r"has shape \(3,\), expected \(any, 3, 1\)"):
        check_shape(torch.ones(3), (None, 3, 1))


def test_transposed_result_gets_a_layout_hint():
    """Is a result with the right entries in the wrong layout asked whether it was transposed?"""
    with pytest.raises(AssertionError, match=r"\(3, 1\), expected \(1, 3\).*transpose"):
        check_close(torch.ones(3, 1), EXPECTED)


def test_value_failure_reports_count_first_index_values_and_error():
    """Does a wrong value give the count, the first index, both values and the max abs error?"""
    wrong = [[0.8714, 0.4, 0.0107]]
    with pytest.raises(AssertionError) as info:
        check_close(wrong, EXPECTED, name="softmax(scores)", atol=1e-3, hint="Is dim=1 right?")
    msg = str(info.value)
    for part in ["softmax(scores) differs", "1 of 3 entries", "max abs error 0.282",
                 "index [0, 1]", "got 0.4,", "expected 0.1179", "Is dim=1 right?"]:
        assert part in msg, (part, msg)
    assert "\n" not in msg and len(msg) < 300


def test_scalar_value_failure_is_one_sentence():
    """Does a wrong single number say what it got and what was expected, without an index?"""
    with pytest.raises(AssertionError, match=r"^loss is 2, expected 2\.5 \(abs error 0\.5"):
        check_scalar(torch.tensor(2.0), 2.5, name="loss")


def test_tolerance_is_relative_and_absolute():
    """Are atol and rtol applied as |a - e| <= atol + rtol * |e|?"""
    check_close([1000.5], [1000.0], atol=0.0, rtol=1e-3)
    with pytest.raises(AssertionError):
        check_close([1000.5], [1000.0], atol=0.0, rtol=1e-4)


def test_nan_and_inf_are_counted_and_located():
    """Does check_finite count NaN and inf separately and give the first bad index?"""
    x = torch.tensor([[1.0, float("nan")], [float("inf"), float("nan")]])
    with pytest.raises(AssertionError, match=r"2 NaN and 1 inf entries out of 4; the first at "
                                             r"index \[0, 1\]\. Did you subtract the max"):
        check_finite(x, hint="Did you subtract the maximum?")
    with pytest.raises(AssertionError, match="loss is nan, not a finite number"):
        check_scalar(torch.tensor(float("nan")), 1.0, name="loss")


def test_nan_fails_check_close_before_values():
    """Is a NaN reported as a NaN by check_close, rather than as a wrong value?"""
    with pytest.raises(AssertionError, match="1 NaN"):
        check_close([[0.8714, float("nan"), 0.0107]], EXPECTED)


def test_dtype_failures_name_the_dtype_and_suggest_a_fix():
    """Does an integer tensor fail a float check, naming its dtype and suggesting .float()?"""
    with pytest.raises(AssertionError, match=r"integer values \(dtype torch\.int64\), expected "
                                             r"floating-point values\. .*\.float\(\)"):
        check_dtype(torch.tensor([1, 2]), "float")
    with pytest.raises(AssertionError, match="Did you forget .long"):
        check_dtype(np.array([0.0]), "int")
    check_dtype(torch.tensor([1.0]).half(), "float")
    check_dtype(torch.tensor([True]), "bool")
    check_dtype(3, "int")


def test_invalid_kind_is_an_authors_error():
    """Is an unknown dtype kind a ValueError listing the valid ones?"""
    with pytest.raises(ValueError, match="'float', 'int', 'bool'"):
        check_dtype(torch.ones(1), "double")


def test_invalid_expected_is_an_authors_error():
    """Is an expected value that is not finite numbers a ValueError, not a student's failure?"""
    with pytest.raises(ValueError, match="expected value"):
        check_close(torch.ones(1), None)
    with pytest.raises(ValueError, match="finite"):
        check_close(torch.ones(1), [float("nan")])


def test_check_scalar_asks_for_a_reduction():
    """Is a vector where a single number is expected told to use .mean() / .sum()?"""
    with pytest.raises(AssertionError, match=r"shape \(4,\) \(4 numbers\), expected a single "
                                             r"number\. Did you forget to reduce .*\.mean\(\)"):
        check_scalar(torch.ones(4), 1.0, name="loss")
    with pytest.raises(AssertionError, match=r"shape \(1,\).*squeeze"):
        check_scalar(torch.ones(1), 1.0)


def test_check_type_names_the_received_type():
    """Does check_type name what it got and what it wanted, with a hint for common cases?"""
    check_type(torch.nn.Parameter(torch.ones(1)), torch.Tensor)
    with pytest.raises(AssertionError, match=r"is a numpy\.ndarray, expected torch\.Tensor\. "
                                             r".*from_numpy"):
        check_type(np.ones(2), torch.Tensor)
    with pytest.raises(AssertionError, match=r"is a float, expected torch\.Tensor\. .*\.item\(\)"):
        check_type(1.0, torch.Tensor)
    with pytest.raises(AssertionError, match="is None, expected torch.Tensor. Did you forget"):
        check_type(None, torch.Tensor)
    with pytest.raises(AssertionError, match="ClaimsToBeTensor, expected torch.Tensor"):
        check_type(ClaimsToBeTensor(), torch.Tensor)


def test_check_shape_rejects_a_bad_shape_argument():
    """Is a shape that is not a tuple of ints an author's ValueError?"""
    with pytest.raises(ValueError, match="tuple of ints"):
        check_shape(torch.ones(3), 3)


# ---- odd inputs ---------------------------------------------------------------------------------

ODD_INPUTS = {
    "None": (None, r"is None: did you forget `return`\?"),
    "tuple": ((torch.ones(3), torch.ones(3)), "is a tuple of 2 items: return a single tensor"),
    "1-tuple": ((torch.ones(3),), "tuple of 1 item: .* trailing comma"),
    "str": ("0.87", r"is a string \('0\.87'\)"),
    "dict": ({"p": 1.0}, "is a dict; expected a tensor"),
    "function": (lambda x: x, "is a function, not a value: did you forget to call it"),
    "module": (torch.nn.Linear(2, 2), "is a Linear, not a value: did you forget to call it"),
    "generator": ((x for x in [1.0]), "is a generator"),
    "bool": (True, r"is True \(a bool\), not a number\. Did you return a comparison"),
    "numpy bool": (np.bool_(False), r"a bool"),
    "complex": (1 + 2j, "is a complex"),
    "complex tensor": (torch.ones(3, dtype=torch.complex64), "dtype torch.complex64, not real"),
    "object array": (np.array([torch.ones(1), None], dtype=object), r"np\.array\(\.\.\.\) on"),
    "always equal": (AlwaysEqual(), "is an AlwaysEqual; expected a tensor"),
    "lying number": (LyingNumber(), "is a LyingNumber"),
    "claims tensor": (ClaimsToBeTensor(), "is a ClaimsToBeTensor"),
    "tensor subclass": (fake_subclass(), "FakeTensor, a subclass of torch.Tensor"),
    "numpy subclass": (np.zeros((1, 3)).view(LyingArray), "a subclass of numpy.ndarray"),
    "numpy matrix": (np.asarray(EXPECTED).view(np.matrix), "matrix, a subclass of numpy.ndarray"),
    "float subclass": (LyingFloat(0.0), "is a LyingFloat"),
    "list with str": ([1.0, "2"], r"list containing a str at index \[1\]"),
    "list with bool": ([[1.0, True]], r"a bool at index \[0, 1\]"),
    "list of tensors": ([torch.ones(1), torch.ones(1)], r"a torch\.Tensor at index \[0\].*stack"),
    "ragged list": ([[1.0, 2.0], [3.0]], "different lengths"),
    "huge int": (10**400, "too large"),
    "self-containing list": (self_containing_list(), "nested more than"),
    "meta tensor": (torch.ones(3, device="meta"), "could not be copied"),
    "sparse tensor": (torch.ones(3).to_sparse(), r"to_dense\(\)"),
    "nameless class": (Nameless(), "is an object; expected"),
}


@pytest.mark.parametrize("x,message", ODD_INPUTS.values(), ids=ODD_INPUTS.keys())
def test_odd_inputs_fail_with_a_specific_message(x, message):
    """Does each odd result fail as_numpy with an AssertionError saying what it is?"""
    with pytest.raises(AssertionError, match=message):
        as_numpy(x, name="result")


def test_objects_that_claim_equality_are_not_trusted():
    """Is an object whose __eq__ always returns True rejected even though `x == expected`?"""
    x = AlwaysEqual()
    assert x == EXPECTED
    with pytest.raises(AssertionError, match="AlwaysEqual"):
        check_close(x, EXPECTED)


def test_tensor_subclass_with_torch_function_cannot_fake_values():
    """Is a tensor subclass whose __torch_function__ returns the answer rejected?"""
    x = fake_subclass()
    assert torch.equal(x + 1, torch.tensor(EXPECTED, dtype=torch.float64))  # the attack works...
    with pytest.raises(AssertionError, match="subclass of torch.Tensor"):
        check_close(x, EXPECTED)  # ...but not on us


def test_methods_patched_onto_a_tensor_are_ignored():
    """Are detach/cpu/to/numpy/__eq__ patched onto one tensor instance ignored?"""
    x = torch.zeros(1, 3)
    fake = torch.tensor(EXPECTED)
    for method in ["detach", "cpu", "to", "numpy", "tolist", "float", "double", "as_subclass"]:
        setattr(x, method, lambda *args, **kwargs: fake)
    with pytest.raises(AssertionError, match="got 0,"):
        check_close(x, EXPECTED)


# ---- the student's own functions ----------------------------------------------------------------

def test_check_runs_returns_the_result_and_wraps_errors():
    """Does check_runs return fn's result, and turn fn's exception into a named AssertionError?"""
    assert check_runs(lambda a, b=1: a + b, 1, b=2) == 3

    def softmax(x):
        return x / 0

    with pytest.raises(AssertionError, match="softmax: calling your function raised "
                                             "ZeroDivisionError: division by zero") as info:
        check_runs(softmax, 1)
    assert isinstance(info.value.__cause__, ZeroDivisionError)
    with pytest.raises(AssertionError, match="raised BadStr: $"):
        check_runs(lambda: (_ for _ in ()).throw(BadStr()))
    with pytest.raises(AssertionError, match="is None, not a function"):
        check_runs(None)


def test_not_implemented_passes_through():
    """Does an unfinished stub's NotImplementedError reach the student unchanged?"""

    def stub(x):
        raise NotImplementedError

    with pytest.raises(NotImplementedError):
        check_runs(stub, 1)
    with pytest.raises(NotImplementedError):
        check_grad(stub, [torch.ones(2)], [torch.ones(2)])


def test_check_grad_accepts_a_correct_function():
    """Does a correct scalar function of two inputs pass, without touching the caller's inputs?"""
    w, x = torch.tensor([1.0, -2.0]), torch.tensor([3.0, 0.5])
    check_grad(lambda w, x: (w * x).sum() + (w**2).sum(), [w, x], [x + 2 * w, w])
    assert w.grad is None and not w.requires_grad


def test_check_grad_detects_detached_inputs():
    """Is a function that cuts the graph told that no gradient reached its input?"""
    w, x = torch.ones(2), torch.ones(2)
    with pytest.raises(AssertionError, match=r"no gradient reached input 1\. Did you detach"):
        check_grad(lambda w, x: (w * x.detach()).sum(), [w, x], [x, w])
    with pytest.raises(AssertionError, match="not connected to its inputs.*item"):
        check_grad(lambda w: torch.tensor(w.sum().item()), [w], [x])
    with pytest.raises(AssertionError, match="not connected to its inputs.*item"):
        check_grad(lambda w: w.sum().item(), [w], [x])


def test_check_grad_failures():
    """Are a non-scalar output, a wrong gradient and an exception each reported clearly?"""
    w = torch.tensor([1.0, 2.0])
    with pytest.raises(AssertionError, match=r"single number.*shape \(2,\).*\.mean\(\)"):
        check_grad(lambda w: w**2, [w], [2 * w])
    with pytest.raises(AssertionError, match=r"gradient of input 0 differs .* index \[1\]: got 4,"):
        check_grad(lambda w: (w**2).sum(), [w], [[2.0, 2.0]])
    with pytest.raises(AssertionError, match="calling your function raised RuntimeError"):
        check_grad(lambda w: w @ torch.ones(3), [w], [w])
    with pytest.raises(AssertionError, match="is None: did you forget `return`"):
        check_grad(lambda w: None, [w], [w])
    with pytest.raises(ValueError, match="floating-point"):
        check_grad(lambda w: w.sum(), [torch.ones(2, dtype=torch.long)], [[1, 1]])


# ---- fuzz: nothing but AssertionError, ever -----------------------------------------------------

def weird_objects():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # creating a nested tensor may warn; the checks must not
        nested = torch.nested.nested_tensor([torch.ones(2), torch.ones(3)])
        quantized = torch.quantize_per_tensor(torch.ones(3), 0.1, 0, torch.qint8)
    return [x for x, _ in ODD_INPUTS.values()] + [
        b"bytes", {1, 2}, frozenset(), range(3), map(float, [1]), Ellipsis, slice(3), object(),
        int, torch.Tensor, len, ValueError("x"), memoryview(b"ab"), torch.Size([1, 3]),
        torch.float32, torch.device("cpu"), nested, np.array(["a", "b"]), np.datetime64("2024"),
        np.zeros(2, dtype=[("a", float)]), np.str_("x"), np.complex128(1), [[[]]], [[1.0], 2.0],
        quantized, [np.array(1.0)],
        torch.zeros(0, 3), np.float64(np.nan), -float("inf"),
    ]


CHECKS = {
    "as_numpy": lambda x: as_numpy(x),
    "check_close": lambda x: check_close(x, EXPECTED),
    "check_close shape=False": lambda x: check_close(x, EXPECTED, shape=False),
    "check_scalar": lambda x: check_scalar(x, 1.0),
    "check_shape": lambda x: check_shape(x, (1, 3)),
    "check_dtype": lambda x: check_dtype(x, "float"),
    "check_finite": lambda x: check_finite(x),
    "check_type": lambda x: check_type(x, torch.Tensor),
    "check_grad": lambda x: check_grad(lambda w: x, [torch.ones(1)], [[1.0]]),
}


@pytest.mark.parametrize("check", CHECKS.values(), ids=CHECKS.keys())
def test_fuzz_only_assertion_errors(check, capsys):
    """Does every check answer every weird object with a short AssertionError or a pass?"""
    objects = weird_objects()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for x in objects:
            try:
                check(x)
            except AssertionError as error:
                assert 0 < len(str(error)) < 300 and "\n" not in str(error), str(error)
            except Exception as error:
                pytest.fail(f"{type(x).__name__} raised {type(error).__name__}: {error}")
    assert capsys.readouterr() == ("", "") and caught == []


# ---- forbid -------------------------------------------------------------------------------------

def test_forbid_blocks_functions_and_methods_then_restores_them():
    """Does forbid make module functions and tensor methods raise, and put them back after?"""
    from course_utils.checks import forbid

    x = torch.tensor([[1.0, 2.0]])
    original = torch.softmax
    with forbid("torch.softmax", "torch.nn.functional.softmax", "torch.Tensor.softmax", name="softmax"):
        for call in (lambda: torch.softmax(x, 1), lambda: torch.nn.functional.softmax(x, 1),
                     lambda: x.softmax(1)):
            with pytest.raises(AssertionError, match="softmax must not call torch"):
                call()
        torch.exp(x)  # everything else still works
    assert torch.softmax is original
    torch.testing.assert_close(x.softmax(1), torch.nn.functional.softmax(x, 1))


def test_forbid_restores_after_an_error_and_rejects_unknown_targets():
    """Are patched functions restored when the block raises, and unknown names refused?"""
    from course_utils.checks import forbid

    with pytest.raises(ZeroDivisionError):
        with forbid("torch.logsumexp"):
            1 / 0
    assert torch.logsumexp(torch.zeros(2), 0).item() == pytest.approx(0.6931, abs=1e-4)
    with pytest.raises(ValueError, match="does not exist"):
        with forbid("torch.no_such_function"):
            pass
    with pytest.raises(ValueError, match="cannot find"):
        with forbid("no_such_module.thing"):
            pass


def test_a_failed_check_renders_as_its_message_alone():
    """IPython shows a CheckFailed as one line (no traceback through course_utils/checks.py)."""
    from IPython.core.interactiveshell import InteractiveShell
    from course_utils.checks import CheckFailed

    with pytest.raises(CheckFailed) as info:
        check_scalar(torch.tensor(7.4), 6.4, name="loss", hint="Sum over j != y_i.")
    lines = info.value._render_traceback_()
    assert len(lines) == 1 and "loss is 7.4, expected 6.4" in lines[0] and "checks.py" not in lines[0]
    shell = InteractiveShell.instance()
    result = shell.run_cell("from course_utils.checks import check_scalar\n"
                            "check_scalar(3.0, 2.0, name='x')", silent=True)
    assert isinstance(result.error_in_exec, CheckFailed)


def test_an_unfinished_exercise_prints_one_line_and_goes_on(capsys):
    from course_utils.checks import exercise

    def stub():
        raise NotImplementedError()

    with exercise("Exercise 1"):
        stub()
    assert capsys.readouterr().out.strip().startswith("Exercise 1: not done yet")
    with pytest.raises(AssertionError):
        with exercise("Exercise 1"):
            check_scalar(3.0, 2.0, name="x")
