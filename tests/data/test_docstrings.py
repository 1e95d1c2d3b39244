"""The examples in the docstrings run and print what they say."""

import doctest
import importlib
from pathlib import Path

import pytest

import lstmkit.data
import lstmkit.datasets

# Listed by hand: lstmkit.data._files has its own tests.
MODULES = [
    f"lstmkit.data.{name}"
    for name in (
        "_differencing",
        "_gap_windows",
        "_missing",
        "_missing_json",
        "_offline_impute",
        "_series_transform",
        "_time_csv",
        "_time_index",
        "_encoding",
        "_framing",
        "_json",
        "_padding",
        "_registry",
        "_scaler_base",
        "_scaling",
        "_splits",
        "_text",
        "_validation",
        "_vocabulary",
        "_warnings",
    )
] + ["lstmkit.datasets._airline"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


def test_every_public_name_has_a_documented_example():
    for name in lstmkit.data.__all__ + lstmkit.datasets.__all__:
        obj = getattr(lstmkit.data, name, None) or getattr(lstmkit.datasets, name)
        assert obj.__doc__ and "Example" in obj.__doc__, name


def test_guide_examples_run_as_written():
    guide = Path(__file__).resolve().parents[2] / "docs" / "guide" / "data-preparation.md"
    result = doctest.testfile(str(guide), module_relative=False, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 50 and result.failed == 0
