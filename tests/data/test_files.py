"""Loading DATA files (.npy, .npz, .csv): FAULTS.md items 1-7 and 10."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from lstmkit.data._files import FileOptions, load_data, read_table
from lstmkit.errors import DataError, ShapeError


def csv(tmp_path: Path, text: str, name: str = "d.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def message(exc_info: pytest.ExceptionInfo, tmp_path: Path) -> str:
    return str(exc_info.value).replace(str(tmp_path) + os.sep, "")


# ---------------------------------------------------------------- .npy / .npz


def test_npz_with_x_and_y(tmp_path):
    X = np.random.rand(6, 4, 3).astype(np.float32)
    y = np.arange(6)
    np.savez(tmp_path / "d.npz", X=X, y=y)
    loaded_X, loaded_y = load_data(tmp_path / "d.npz", require_y=True)
    np.testing.assert_array_equal(loaded_X, X)  # exact: no conversion on the way
    np.testing.assert_array_equal(loaded_y, y)


def test_npz_other_array_names(tmp_path):
    np.savez(tmp_path / "d.npz", inputs=np.zeros((2, 3, 1)), labels=np.array(["a", "b"]))
    X, y = load_data(tmp_path / "d.npz", FileOptions(x_key="inputs", y_key="labels"))
    assert X.shape == (2, 3, 1) and y.tolist() == ["a", "b"]


def test_npz_missing_inputs_array_suggests_the_name(tmp_path):
    np.savez(tmp_path / "d.npz", x=np.zeros((2, 3, 1)), y=np.zeros(2))
    with pytest.raises(DataError) as caught:
        load_data(tmp_path / "d.npz")
    assert message(caught, tmp_path) == (
        "d.npz: no array named 'X' (the inputs); the file holds 'x', 'y'. Did you mean 'x'? "
        "Name the inputs array with --x-key (x_key in a run file's [data])."
    )


def test_targets_required_but_absent(tmp_path):
    np.save(tmp_path / "X.npy", np.zeros((2, 3, 1)))
    np.savez(tmp_path / "d.npz", X=np.zeros((2, 3, 1)))
    X, y = load_data(tmp_path / "X.npy")
    assert X.shape == (2, 3, 1) and y is None
    with pytest.raises(DataError) as caught:
        load_data(tmp_path / "X.npy", require_y=True)
    assert message(caught, tmp_path) == (
        "X.npy: a .npy file holds the inputs only, but targets are needed here: save both "
        "with np.savez('data.npz', X=X, y=y), or use a CSV with a target column"
    )
    with pytest.raises(DataError) as caught:
        load_data(tmp_path / "d.npz", require_y=True)
    assert message(caught, tmp_path) == (
        "d.npz: no array named 'y' (the targets), which are needed here: add it, or name "
        "the targets array with --y-key (y_key in a run file's [data])"
    )


def test_inputs_must_be_3d(tmp_path):
    np.save(tmp_path / "X.npy", np.zeros((100, 5)))
    with pytest.raises(ShapeError) as caught:
        load_data(tmp_path / "X.npy")
    assert message(caught, tmp_path) == (
        "X.npy: expected X of shape (samples, timesteps, features), got a 2-D array of shape "
        "(100, 5). If the 5 columns are time steps of one feature, use X.reshape(100, 5, 1); "
        "if they are 5 features of one time step, use X.reshape(100, 1, 5)."
    )


def test_nan_in_inputs_names_the_position(tmp_path):
    X = np.zeros((3, 4, 2))
    X[1, 2, 1] = np.nan
    np.savez(tmp_path / "d.npz", X=X, y=np.zeros(3))
    with pytest.raises(DataError) as caught:
        load_data(tmp_path / "d.npz")
    assert message(caught, tmp_path) == (
        "d.npz: array 'X' contains NaN at sample 1, step 2, feature 1: inputs must be "
        "finite; remove or impute those samples first"
    )


def test_inf_in_targets_is_refused_but_nan_marks_a_missing_target(tmp_path):
    np.savez(tmp_path / "d.npz", X=np.zeros((3, 2, 1)), y=np.array([1.0, np.nan, 2.0]))
    assert np.isnan(load_data(tmp_path / "d.npz")[1][1])
    np.savez(tmp_path / "d.npz", X=np.zeros((3, 2, 1)), y=np.array([1.0, np.inf, 2.0]))
    with pytest.raises(DataError) as caught:
        load_data(tmp_path / "d.npz")
    assert message(caught, tmp_path) == (
        "d.npz: array 'y' contains inf at sample 1: targets must be finite (NaN alone marks "
        "a missing target)"
    )


def test_sample_counts_must_match(tmp_path):
    np.savez(tmp_path / "d.npz", X=np.zeros((3, 2, 1)), y=np.zeros(4))
    with pytest.raises(ShapeError) as caught:
        load_data(tmp_path / "d.npz")
    assert message(caught, tmp_path) == (
        "d.npz: the inputs have 3 samples but the targets have 4: expected one target (row) "
        "per sample"
    )


def test_string_inputs_are_refused(tmp_path):
    np.save(tmp_path / "X.npy", np.array([[["a"]]]))
    with pytest.raises(DataError) as caught:
        load_data(tmp_path / "X.npy")
    assert message(caught, tmp_path) == (
        "X.npy: array 'X' has dtype <U1, expected numbers: encode categories as numbers "
        "(e.g. one-hot) before saving"
    )


class _Payload:
    """Unpickling this writes a sentinel file: proof that code ran."""

    def __init__(self, sentinel: Path) -> None:
        self.sentinel = sentinel

    def __reduce__(self):
        return (Path.write_text, (self.sentinel, "code ran"))


PICKLED = (
    " holds pickled Python objects, which lstmkit never loads (loading a pickle can "
    "run code): save plain numeric arrays, e.g. np.save(path, X.astype('float32'))"
)


@pytest.mark.parametrize("kind", ["npy object array", "npz object array", "raw pickle"])
def test_pickles_are_never_loaded(tmp_path, kind):
    sentinel = tmp_path / "sentinel.txt"
    payload = np.array([_Payload(sentinel)], dtype=object)
    if kind == "npy object array":
        path = tmp_path / "d.npy"
        np.save(path, payload, allow_pickle=True)
    elif kind == "npz object array":
        path = tmp_path / "d.npz"
        np.savez(path, X=payload)
    else:
        path = tmp_path / "d.npy"
        path.write_bytes(pickle.dumps(_Payload(sentinel)))
    with pytest.raises(DataError) as caught:
        load_data(path)
    assert message(caught, tmp_path) == path.name + PICKLED
    assert not sentinel.exists()
    # control: the payload is live, so the refusal is what kept the sentinel away
    loaded = np.load(path, allow_pickle=True)
    if kind == "npz object array":
        loaded["X"]
    assert sentinel.read_text() == "code ran"


def test_a_damaged_archive_is_a_data_error(tmp_path):
    np.savez(tmp_path / "d.npz", X=np.zeros((2, 3, 1)))
    data = (tmp_path / "d.npz").read_bytes()
    (tmp_path / "d.npz").write_bytes(data[: len(data) // 2])
    with pytest.raises(
        DataError, match=r"d\.npz is not a readable \.npz archive \(.*\): re-create"
    ):
        load_data(tmp_path / "d.npz")


def test_missing_file_and_unknown_type(tmp_path):
    with pytest.raises(DataError) as caught:
        load_data(tmp_path / "nope.npz")
    assert message(caught, tmp_path) == "data file 'nope.npz' does not exist: check the path"
    with pytest.raises(DataError) as caught:
        load_data(tmp_path / "d.cvs")
    assert message(caught, tmp_path) == (
        "cannot read 'd.cvs': unknown data file type '.cvs', expected .npy, .npz, .csv. "
        "Did you mean '.csv'?"
    )


# ---------------------------------------------------------------- CSV


def test_csv_columns_are_time_steps_of_one_feature_by_default(tmp_path):
    path = csv(tmp_path, "t0,t1,t2,y\n1,2,3,0.5\n4,5,6,1.5\n")
    X, y = load_data(path, FileOptions(target="y"))
    np.testing.assert_array_equal(X, [[[1], [2], [3]], [[4], [5], [6]]])
    np.testing.assert_array_equal(y, [0.5, 1.5])


def test_csv_columns_are_read_step_by_step(tmp_path):
    path = csv(tmp_path, "a0,b0,a1,b1,a2,b2\n1,10,2,20,3,30\n")
    expected = [[[1, 10], [2, 20], [3, 30]]]
    for timesteps, features in ((None, 2), (3, None), (3, 2)):
        options = FileOptions(timesteps=timesteps, features=features)
        np.testing.assert_array_equal(load_data(path, options)[0], expected)


def test_csv_columns_that_do_not_fit_the_shape(tmp_path):
    path = csv(tmp_path, "t0,t1,t2,t3,t4,label\n1,2,3,4,5,0\n")
    with pytest.raises(ShapeError) as caught:
        load_data(path, FileOptions(timesteps=5, features=1))
    assert message(caught, tmp_path) == (
        "d.csv: 6 input columns do not fit timesteps=5, features=1: expected 5 input "
        "columns, ordered step by step (all features of step 0, then step 1, ...). If one of "
        "them holds the targets, name it as the target column."
    )
    with pytest.raises(ShapeError) as caught:
        load_data(path, FileOptions(features=4))
    assert message(caught, tmp_path) == (
        "d.csv: 6 input columns do not fit features=4: expected a multiple of 4 input "
        "columns, ordered step by step (all features of step 0, then step 1, ...)."
    )


def test_latin1_csv_names_the_file_and_suggests_encoding(tmp_path):
    path = tmp_path / "d.csv"
    path.write_bytes("café,v\n1,2\n".encode("latin-1"))
    with pytest.raises(DataError) as caught:
        load_data(path)
    assert message(caught, tmp_path) == (
        "d.csv is not valid utf-8 text (byte 0xe9 cannot be decoded): give the file's "
        'encoding, e.g. --encoding latin-1 (in a run file: encoding = "latin-1" in [data])'
    )
    X, _ = load_data(path, FileOptions(encoding="latin-1"))
    assert X.shape == (1, 2, 1)


def test_utf8_byte_order_mark_is_not_part_of_the_first_name(tmp_path):
    path = tmp_path / "d.csv"
    path.write_bytes("label,t0\n1,2\n".encode("utf-8-sig"))
    X, y = load_data(path, FileOptions(target="label"))
    assert y.tolist() == [1.0] and X.shape == (1, 1, 1)


def test_empty_and_header_only_files(tmp_path):
    with pytest.raises(DataError) as caught:
        load_data(csv(tmp_path, ""))
    assert message(caught, tmp_path) == (
        "d.csv is empty: expected a header row naming the columns, then one row per sample"
    )
    with pytest.raises(DataError) as caught:
        load_data(csv(tmp_path, "t0,t1,label\n"))
    assert message(caught, tmp_path) == (
        "d.csv has a header but no data rows: expected one row per sample"
    )


def test_a_row_with_an_extra_field(tmp_path):
    for text in ("a,b\n1,2\n3,4,5\n", "a,b\n1,2,3\n4,5,6\n"):
        with pytest.raises(DataError) as caught:
            load_data(csv(tmp_path, text))
        line = 3 if text.startswith("a,b\n1,2\n") else 2
        assert message(caught, tmp_path) == (
            f"d.csv: expected 2 fields in line {line}, saw 3: every row needs exactly one "
            "field per header column (look for a stray ',' in that line)"
        )


def test_a_file_without_a_header(tmp_path):
    with pytest.raises(DataError) as caught:
        load_data(csv(tmp_path, "0.1,0.2,0.3,0.4\n0.5,0.6,0.7,0.8\n"))
    assert message(caught, tmp_path) == (
        "d.csv: the first row looks like data (0.1, 0.2, 0.3, ...), expected a header row "
        "naming the columns: add one, e.g. t0,t1,...,label"
    )


def test_literal_na_survives_as_a_label(tmp_path):
    path = csv(tmp_path, "t0,country\n1,NA\n2,ZA\n3,null\n4,None\n")
    assert read_table(path)["country"].tolist() == ["NA", "ZA", "null", "None"]
    _, y = load_data(path, FileOptions(target="country"), numeric_target=False)
    assert y.tolist() == ["NA", "ZA", "null", "None"]


def test_numeric_labels_become_integers(tmp_path):
    _, y = load_data(
        csv(tmp_path, "t0,label\n1,0\n2,2\n"), FileOptions(target="label"), numeric_target=False
    )
    assert y.dtype == np.int64 and y.tolist() == [0, 2]


def test_literal_na_in_an_input_column_is_not_a_number(tmp_path):
    with pytest.raises(DataError) as caught:
        load_data(
            csv(tmp_path, "t0,t1,label\n1,2,a\n3,NA,b\n"),
            FileOptions(target="label"),
            numeric_target=False,
        )
    assert message(caught, tmp_path) == (
        "d.csv: column 't1' not numeric at row 2: 'NA'\n"
        "expected a finite number in every input cell: fix or remove those rows"
    )


def test_every_bad_column_is_reported_at_once(tmp_path):
    text = 'a,b,c,d,e\n1,"1,5",inf,x,1\n2,1e400,3,1,\n,2,-Infinity,2,3\n'
    with pytest.raises(DataError) as caught:
        load_data(csv(tmp_path, text))
    assert message(caught, tmp_path) == (
        "d.csv: column 'a' has a missing value at row 3\n"
        "d.csv: column 'b' not numeric at row 1: '1,5' (use '.' as the decimal mark)\n"
        "d.csv: column 'c' has a non-finite value at row 1: 'inf'\n"
        "d.csv: column 'd' not numeric at row 1: 'x' (if 'd' holds the targets, name it as "
        "the target column)\n"
        "d.csv: column 'e' has a missing value at row 2\n"
        "expected a finite number in every input cell: fix or remove those rows"
    )


@pytest.mark.parametrize("cell", ["1e400", "-Infinity", "nan"])
def test_non_finite_spellings_are_refused(tmp_path, cell):
    with pytest.raises(DataError) as caught:
        load_data(csv(tmp_path, f"t0,t1\n1,2\n3,{cell}\n"))
    assert message(caught, tmp_path) == (
        f"d.csv: column 't1' has a non-finite value at row 2: '{cell}'\n"
        "expected a finite number in every input cell: fix or remove those rows"
    )


def test_target_column_checks(tmp_path):
    path = csv(tmp_path, "t0,value\n1,2.5\n2,\n3,x\n")
    with pytest.raises(DataError) as caught:
        load_data(path, FileOptions(target="valeu"))
    assert message(caught, tmp_path) == (
        "d.csv: no column named 'valeu' (the target); the columns are 't0', 'value'. "
        "Did you mean 'value'?"
    )
    with pytest.raises(DataError) as caught:
        load_data(path, FileOptions(target="value"))
    assert message(caught, tmp_path) == (
        "d.csv: target column 'value' not numeric at row 3: 'x': a regressor needs numbers "
        "(empty means no target)"
    )
    path = csv(tmp_path, "t0,value\n1,2.5\n2,\n3,1e400\n")
    with pytest.raises(DataError) as caught:
        load_data(path, FileOptions(target="value"))
    assert message(caught, tmp_path) == (
        "d.csv: target column 'value' has a non-finite value at row 3: '1e400'"
    )
    path = csv(tmp_path, "t0,label\n1,up\n2,\n")
    with pytest.raises(DataError) as caught:
        load_data(path, FileOptions(target="label"), numeric_target=False)
    assert message(caught, tmp_path) == "d.csv: target column 'label' has a missing label at row 2"


def test_an_empty_regression_target_means_no_target(tmp_path):
    _, y = load_data(csv(tmp_path, "t0,value\n1,2.5\n2,\n"), FileOptions(target="value"))
    assert y[0] == 2.5 and np.isnan(y[1])


def test_duplicate_column_names(tmp_path):
    with pytest.raises(DataError) as caught:
        load_data(csv(tmp_path, "a,b,a\n1,2,3\n"))
    assert message(caught, tmp_path) == (
        "d.csv: the header names column 'a' more than once: give every column its own name"
    )


def test_other_delimiters(tmp_path):
    X, y = load_data(csv(tmp_path, "t0;t1;y\n1;2;3\n"), FileOptions(target="y", delimiter=";"))
    assert X.tolist() == [[[1.0], [2.0]]] and y.tolist() == [3.0]


# ---------------------------------------------------------------- properties

_CELLS = st.text(alphabet='0123456789.,-+eEinfaNA x"\n;', max_size=60)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=_CELLS)
def test_any_text_loads_or_raises_a_documented_error(tmp_path, text):
    """The fuzzing rule of FAULTS.md 3: only lstmkit's own errors, and finite X on success."""
    path = tmp_path / "fuzz.csv"
    path.write_text("a,b\n" + text)
    try:
        X, y = load_data(path)
    except (DataError, ShapeError):
        return
    assert y is None and X.ndim == 3 and X.shape[1:] == (2, 1)
    assert np.isfinite(X).all()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    values=arrays(
        np.float64,
        st.tuples(st.integers(1, 5), st.integers(1, 4)),
        elements=st.floats(allow_nan=False, allow_infinity=False, width=64),
    )
)
def test_floats_round_trip_exactly_through_csv(tmp_path, values):
    """Reference: NumPy's own shortest repr of each float; the loader must not change it."""
    path = tmp_path / "round.csv"
    header = ",".join(f"t{i}" for i in range(values.shape[1]))
    rows = [",".join(repr(float(v)) for v in row) for row in values]
    path.write_text("\n".join([header, *rows]) + "\n")
    X, _ = load_data(path)
    np.testing.assert_array_equal(X[:, :, 0], values)  # exact: parsing is lossless
