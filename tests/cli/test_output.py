"""Writing predictions: .csv and .npy, atomically, never over an existing file unasked."""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pytest

from lstmkit.cli._output import check_output, save_predictions
from lstmkit.errors import DataError


def message(exc_info: pytest.ExceptionInfo, tmp_path: Path) -> str:
    return str(exc_info.value).replace(str(tmp_path) + os.sep, "")


def test_predictions_to_csv_and_npy(tmp_path):
    save_predictions(tmp_path / "p.csv", np.array(["up", "down"]))
    assert (tmp_path / "p.csv").read_text().splitlines() == ["prediction", "up", "down"]
    save_predictions(tmp_path / "q.csv", np.array([[0.25, 0.75]]), columns=["proba_a", "proba_b"])
    assert (tmp_path / "q.csv").read_text().splitlines() == ["proba_a,proba_b", "0.25,0.75"]
    save_predictions(tmp_path / "r.csv", np.arange(4.0).reshape(1, 2, 2))
    assert (tmp_path / "r.csv").read_text().splitlines()[0] == (
        "prediction_0_0,prediction_0_1,prediction_1_0,prediction_1_1"
    )
    values = np.random.rand(3, 2)
    save_predictions(tmp_path / "p.npy", values)
    np.testing.assert_array_equal(np.load(tmp_path / "p.npy", allow_pickle=False), values)


def test_predictions_never_replace_a_file_unasked(tmp_path):
    out = tmp_path / "p.csv"
    out.write_text("precious")
    with pytest.raises(DataError) as caught:
        save_predictions(out, np.zeros(2))
    assert message(caught, tmp_path) == (
        "'p.csv' already exists and was left untouched: choose another --output, or pass "
        "--force to replace it"
    )
    assert out.read_text() == "precious"
    save_predictions(out, np.zeros(2), force=True)
    assert out.read_text().splitlines() == ["prediction", "0.0", "0.0"]
    assert [p.name for p in tmp_path.iterdir()] == ["p.csv"]  # no temporary file left


def test_prediction_file_type_and_directory(tmp_path):
    with pytest.raises(DataError) as caught:
        check_output(tmp_path / "p.cvs")
    assert message(caught, tmp_path) == (
        "cannot write predictions to 'p.cvs': expected a file ending in .npy or .csv. "
        "Did you mean '.csv'?"
    )
    with pytest.raises(DataError, match=re.escape("the directory")):
        check_output(tmp_path / "missing" / "p.csv")
