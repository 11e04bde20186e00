"""The agreement table chapters print when they compare their code with the reference."""

import numpy as np
import pytest
import torch

from course_utils.compare import agreement, print_agreement


def test_rounding_noise_agrees_and_a_real_gap_differs():
    x = np.linspace(0, 1, 5)
    assert agreement(x, x + 1e-16) == "agree"
    assert agreement(x, x + 1e-3).startswith("DIFFER (largest difference 1.0e-03")


def test_tensors_numbers_and_lists_are_accepted():
    assert agreement(torch.tensor([1.0, 2.0]), [1.0, 2.0]) == "agree"
    assert agreement(0.5, np.float32(0.5)) == "agree"


def test_the_table_hides_the_noise_and_reports_the_verdict(capsys):
    ok = print_agreement({"a vs b": (np.ones(3), np.ones(3) + 2e-16), "c vs d": (1.0, 1.0)})
    out = capsys.readouterr().out
    assert ok and "≤ 1e-12 + 1e-10·|reference|" in out and "e-16" not in out
    assert [line.split()[-1] for line in out.splitlines()[1:]] == ["agree", "agree"]
    assert not print_agreement({"bad": (1.0, 2.0)})


@pytest.mark.parametrize("call, error, message", [
    (lambda: agreement("x", 1.0), TypeError, "must be numbers"),
    (lambda: agreement(np.ones(2), np.ones(3)), ValueError, r"cannot compare shapes \(2,\) and \(3,\)"),
    (lambda: agreement(1.0, 1.0, rtol=-1), ValueError, "tolerances must be >= 0"),
    (lambda: print_agreement({}), TypeError, "non-empty dict"),
    (lambda: print_agreement({"x": 1.0}), TypeError, "expected a pair"),
])
def test_bad_inputs_say_what_is_wrong(call, error, message):
    with pytest.raises(error, match=message):
        call()
