"""Reading DATA files into arrays: what the command line uses.

Three kinds of file, chosen by extension:

- ``.npy``: one array, the inputs ``X`` of shape (samples, timesteps, features).
- ``.npz``: named arrays, ``X`` and optionally ``y`` (other names with ``x_key`` / ``y_key``).
- ``.csv``: a header row naming the columns, then one row per sample. The ``target``
  column (if named) holds the label or value; every other column is an input, read in
  file order as time step 0's features, then time step 1's, and so on::

      t0_f0, t0_f1, t1_f0, t1_f1, t2_f0, t2_f1, label      timesteps=3, features=2
      \\______ step 0 _/ \\______ step 1 _/ \\______ step 2 _/

      row -> X[i] of shape (3, 2) = [[t0_f0, t0_f1], [t1_f0, t1_f1], [t2_f0, t2_f1]]

  With neither ``timesteps`` nor ``features`` given, each column is one time step of a
  single feature (a window of a univariate series, as in Brownlee's book).

Nothing is ever unpickled (``allow_pickle=False``). CSV cells are read as text and
converted here, so a literal "NA" stays "NA" (a label, or an error in an input column)
instead of silently becoming NaN, and every bad cell is reported with its column and row
(data rows count from 1 after the header). Inputs must be finite; a regressor's target
may be empty or NaN, meaning "no target" (it is masked out of the loss).

Example:
    >>> import numpy as np, tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "d.npz"
    >>> np.savez(path, X=np.zeros((4, 3, 2)), y=np.arange(4))
    >>> X, y = load_data(path, require_y=True)
    >>> X.shape, y.tolist()
    ((4, 3, 2), [0, 1, 2, 3])
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from lstmkit.data._validation import check_3d, first_nonfinite
from lstmkit.errors import DataError, ShapeError, did_you_mean

__all__ = ["DATA_SUFFIXES", "FileOptions", "load_data", "read_table"]

DATA_SUFFIXES = (".npy", ".npz", ".csv")
# What NumPy raises for pickles (ValueError), damaged or truncated files and bad archives.
_READ_ERRORS = (ValueError, OSError, EOFError, zipfile.BadZipFile)


@dataclass(frozen=True)
class FileOptions:
    """How to read a data file; the fields that do not apply to a file type are ignored.

    Attributes:
        x_key: the inputs array's name in an ``.npz``.
        y_key: the targets array's name in an ``.npz``.
        target: the CSV column holding the targets (None: every column is an input).
        timesteps: CSV: time steps per row (None: inferred from ``features``).
        features: CSV: features per time step (None: inferred, 1 if ``timesteps`` is None).
        encoding: the CSV text encoding (``utf-8`` also accepts a byte-order mark).
        delimiter: the CSV field separator.

    Example:
        >>> FileOptions(target="label", features=2).x_key
        'X'
    """

    x_key: str = "X"
    y_key: str = "y"
    target: str | None = None
    timesteps: int | None = None
    features: int | None = None
    encoding: str = "utf-8"
    delimiter: str = ","


def load_data(
    path: str | Path,
    options: FileOptions | None = None,
    *,
    require_y: bool = False,
    numeric_target: bool = True,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Load ``X`` (samples, timesteps, features) and, when present, ``y`` from a data file.

    Args:
        path: a ``.npy``, ``.npz`` or ``.csv`` file.
        options: names, shape and text settings (defaults: ``FileOptions()``).
        require_y: raise if the file has no targets (training and evaluating need them).
        numeric_target: the targets must be numbers (a regressor). When False (a
            classifier), CSV labels that are not all numbers are kept as strings.

    Returns:
        ``(X, y)``; ``y`` is None when the file holds no targets.

    Raises:
        DataError: the file is missing, unreadable, pickled, empty, or holds bad values.
        ShapeError: ``X`` is not 3-D, the CSV columns do not fit (timesteps, features),
            or ``X`` and ``y`` have different numbers of samples.

    Example:
        >>> import tempfile, pathlib
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "d.csv"
        >>> _ = path.write_text("t0,t1,t2,label\\n1,2,3,up\\n3,2,1,down\\n")
        >>> X, y = load_data(path, FileOptions(target="label"), numeric_target=False)
        >>> X.shape, y.tolist()
        ((2, 3, 1), ['up', 'down'])
    """
    options = options or FileOptions()
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in DATA_SUFFIXES:
        raise DataError(
            f"cannot read '{path}': unknown data file type '{path.suffix}', expected "
            f"{', '.join(DATA_SUFFIXES)}.{did_you_mean(suffix, DATA_SUFFIXES)}"
        )
    if not path.is_file():
        missing = "is a directory" if path.is_dir() else "does not exist"
        raise DataError(f"data file '{path}' {missing}: check the path")
    if suffix == ".csv":
        if require_y and options.target is None:
            raise DataError(f"{path}: {_no_targets(suffix, options)}")
        X, y = _load_csv(path, options, numeric_target)
    else:
        X, y = _load_arrays(path, options, suffix)
    if y is None and require_y:
        raise DataError(f"{path}: {_no_targets(suffix, options)}")
    _check_samples(path, X, y)
    return X, y


def _no_targets(suffix: str, options: FileOptions) -> str:
    if suffix == ".npy":
        return (
            "a .npy file holds the inputs only, but targets are needed here: save both "
            "with np.savez('data.npz', X=X, y=y), or use a CSV with a target column"
        )
    if suffix == ".npz":
        return (
            f"no array named '{options.y_key}' (the targets), which are needed here: "
            "add it, or name the targets array with --y-key (y_key in a run file's [data])"
        )
    return (
        "no target column was named, but targets are needed here: name it with --target "
        "(target in a run file's [data])"
    )


def _load_arrays(
    path: Path, options: FileOptions, suffix: str
) -> tuple[np.ndarray, np.ndarray | None]:
    try:
        loaded = np.load(path, allow_pickle=False)
    except _READ_ERRORS as exc:
        raise _unreadable(path, exc) from exc
    if isinstance(loaded, np.ndarray):  # a .npy file, whatever its extension
        return _check_x(path, "X", loaded), None
    with loaded as archive:
        names = list(archive.files)
        if options.x_key not in names:
            held = ", ".join(f"'{name}'" for name in names) or "no arrays"
            raise DataError(
                f"{path}: no array named '{options.x_key}' (the inputs); the file holds "
                f"{held}.{_suggest(options.x_key, names)} Name the inputs array with "
                "--x-key (x_key in a run file's [data])."
            )
        try:
            X = archive[options.x_key]
            y = archive[options.y_key] if options.y_key in names else None
        except _READ_ERRORS as exc:
            raise _unreadable(path, exc) from exc
    X = _check_x(path, options.x_key, X)
    if y is not None:
        y = _check_y_array(path, options.y_key, y)
    return X, y


def _suggest(name: str, names: list[str]) -> str:
    """A did-you-mean that also catches a different case ('x' for 'X')."""
    same = [candidate for candidate in names if candidate.lower() == name.lower()]
    return f" Did you mean '{same[0]}'?" if same else did_you_mean(name, names)


def _unreadable(path: Path, exc: BaseException) -> DataError:
    if "pickle" in str(exc).lower() or "object arrays" in str(exc).lower():
        return DataError(
            f"{path} holds pickled Python objects, which lstmkit never loads (loading a pickle "
            "can run code): save plain numeric arrays, e.g. np.save(path, X.astype('float32'))"
        )
    kind = ".npz archive" if path.suffix.lower() == ".npz" else ".npy file"
    return DataError(f"{path} is not a readable {kind} ({exc}): re-create it with NumPy")


def _check_x(path: Path, name: str, X: np.ndarray) -> np.ndarray:
    if X.dtype.kind not in "biuf":
        raise DataError(
            f"{path}: array '{name}' has dtype {X.dtype}, expected numbers: encode "
            "categories as numbers (e.g. one-hot) before saving"
        )
    try:
        X = check_3d(X, name)
    except ShapeError as exc:
        raise ShapeError(f"{path}: {exc}") from exc
    found = first_nonfinite(X)
    if found is not None:
        kind, position = found
        raise DataError(
            f"{path}: array '{name}' contains {kind} at {position}: inputs must be finite; "
            "remove or impute those samples first"
        )
    return X


def _check_y_array(path: Path, name: str, y: np.ndarray) -> np.ndarray:
    if y.dtype.kind not in "biufU":
        raise DataError(f"{path}: array '{name}' has dtype {y.dtype}, expected numbers or labels")
    found = first_nonfinite(y, allow_nan=True)
    if found is not None:
        kind, position = found
        raise DataError(
            f"{path}: array '{name}' contains {kind} at {position}: targets must be finite "
            "(NaN alone marks a missing target)"
        )
    return y


def _check_samples(path: Path, X: np.ndarray, y: np.ndarray | None) -> None:
    if y is not None and (y.ndim == 0 or len(y) != len(X)):
        got = "a scalar" if y.ndim == 0 else f"{len(y)}"
        raise ShapeError(
            f"{path}: the inputs have {len(X)} samples but the targets have {got}: "
            "expected one target (row) per sample"
        )


def read_table(path: str | Path, encoding: str = "utf-8", delimiter: str = ",") -> pd.DataFrame:
    """Read a CSV file as text cells: empty cells become NaN, nothing else is interpreted.

    Args:
        path: the CSV file; its first row must name the columns.
        encoding: the text encoding.
        delimiter: the field separator.

    Returns:
        A frame of strings (NaN for empty cells) with at least one row.

    Raises:
        DataError: the file cannot be decoded, is empty, has no data rows, has a row with
            more fields than the header, or its first row is not a header.

    Example:
        >>> import tempfile, pathlib
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "d.csv"
        >>> _ = path.write_text("code,v\\nNA,1\\n")
        >>> read_table(path).iloc[0].tolist()
        ['NA', '1']
    """
    path = Path(path)
    if encoding.lower().replace("_", "-") in ("utf-8", "utf8"):
        encoding = "utf-8-sig"  # also drop a byte-order mark
    try:
        # header=None: a data row longer than the header is an error, not a silent index.
        raw = pd.read_csv(
            path,
            header=None,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            encoding=encoding,
            sep=delimiter,
        )
    except UnicodeDecodeError as exc:
        byte = exc.object[exc.start : exc.start + 1].hex()
        raise DataError(
            f"{path} is not valid {exc.encoding} text (byte 0x{byte} cannot be decoded): give "
            'the file\'s encoding, e.g. --encoding latin-1 (in a run file: encoding = "latin-1" '
            "in [data])"
        ) from exc
    except LookupError as exc:
        raise DataError(f"unknown encoding '{encoding}' for {path}: {exc}") from exc
    except pd.errors.EmptyDataError as exc:
        raise DataError(
            f"{path} is empty: expected a header row naming the columns, then one row per sample"
        ) from exc
    except pd.errors.ParserError as exc:
        detail = str(exc).strip().split("error: ")[-1]
        raise DataError(
            f"{path}: {detail[:1].lower()}{detail[1:]}: every row needs exactly one field per "
            f"header column (look for a stray '{delimiter}' in that line)"
        ) from exc
    header = [
        f"Unnamed: {i}" if pd.isna(name) else name.strip() for i, name in enumerate(raw.iloc[0])
    ]
    if all(_is_number(name) for name in header):
        raise DataError(
            f"{path}: the first row looks like data ({_preview(header)}), expected a "
            "header row naming the columns: add one, e.g. t0,t1,...,label"
        )
    twice = sorted({name for name in header if header.count(name) > 1})
    if twice:
        raise DataError(
            f"{path}: the header names column {', '.join(repr(n) for n in twice)} more than "
            "once: give every column its own name"
        )
    if len(raw) == 1:
        raise DataError(f"{path} has a header but no data rows: expected one row per sample")
    table = raw.iloc[1:].reset_index(drop=True)
    table.columns = header
    return table


def _preview(cells: list[str]) -> str:
    return ", ".join(cells[:3]) + (", ..." if len(cells) > 3 else "")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _load_csv(
    path: Path, options: FileOptions, numeric_target: bool
) -> tuple[np.ndarray, np.ndarray | None]:
    table = read_table(path, options.encoding, options.delimiter)
    columns = list(table.columns)
    y = None
    if options.target is not None:
        if options.target not in columns:
            listed = ", ".join(f"'{name}'" for name in columns)
            raise DataError(
                f"{path}: no column named '{options.target}' (the target); the columns are "
                f"{listed}.{_suggest(options.target, columns)}"
            )
        y = _target_column(path, table[options.target], options.target, numeric_target)
        columns.remove(options.target)
    if not columns:
        raise DataError(f"{path}: no input columns besides the target '{options.target}'")
    problems = [
        line
        for name in columns
        if (line := _first_bad_cell(table[name], name, hint_target=options.target is None))
    ]
    if problems:
        lines = [f"{path}: {line}" for line in problems]
        lines.append("expected a finite number in every input cell: fix or remove those rows")
        raise DataError("\n".join(lines))
    values = table[columns].apply(lambda column: pd.to_numeric(column.str.strip()))
    timesteps, features = _fit_columns(path, len(columns), options)
    # (samples, timesteps * features) -> (samples, timesteps, features), step by step
    X = values.to_numpy(dtype=np.float64).reshape(len(table), timesteps, features)
    return X, y


def _first_bad_cell(column: pd.Series, name: str, hint_target: bool) -> str | None:
    """Describe the first cell of an input column that is not a finite number."""
    numbers = pd.to_numeric(column.str.strip(), errors="coerce")
    bad = ~np.isfinite(numbers.to_numpy(dtype=np.float64))
    if not bad.any():
        return None
    row = int(np.argmax(bad))
    cell = column.iloc[row]
    if pd.isna(cell):
        return f"column '{name}' has a missing value at row {row + 1}"
    if _is_number(cell):
        return f"column '{name}' has a non-finite value at row {row + 1}: '{cell}'"
    hint = ""
    if "," in cell and _is_number(cell.replace(",", ".")):
        hint = " (use '.' as the decimal mark)"
    elif hint_target:
        hint = f" (if '{name}' holds the targets, name it as the target column)"
    return f"column '{name}' not numeric at row {row + 1}: '{cell}'{hint}"


def _target_column(path: Path, column: pd.Series, name: str, numeric: bool) -> np.ndarray:
    text = column.str.strip()
    numbers = pd.to_numeric(text, errors="coerce").to_numpy(dtype=np.float64)
    not_number = np.isnan(numbers) & text.notna().to_numpy() & ~text.fillna("").map(_is_number)
    if numeric and not_number.any():
        row = int(np.argmax(not_number))
        raise DataError(
            f"{path}: target column '{name}' not numeric at row {row + 1}: "
            f"'{column.iloc[row]}': a regressor needs numbers (empty means no target)"
        )
    if np.isinf(numbers).any():
        row = int(np.argmax(np.isinf(numbers)))
        raise DataError(
            f"{path}: target column '{name}' has a non-finite value at row {row + 1}: "
            f"'{column.iloc[row]}'"
        )
    if numeric:
        return numbers
    if text.isna().any():
        row = int(np.argmax(text.isna().to_numpy()))
        raise DataError(f"{path}: target column '{name}' has a missing label at row {row + 1}")
    if not_number.any() or np.isnan(numbers).any():
        return text.to_numpy(dtype=str)
    return numbers.astype(np.int64) if np.all(numbers == np.round(numbers)) else numbers


def _fit_columns(path: Path, count: int, options: FileOptions) -> tuple[int, int]:
    """Work out (timesteps, features) for ``count`` input columns."""
    timesteps, features = options.timesteps, options.features
    if timesteps is None and features is None:
        return count, 1
    if timesteps is None:
        timesteps = count // features if count % features == 0 else None
    elif features is None:
        features = count // timesteps if count % timesteps == 0 else None
    if timesteps is not None and features is not None and timesteps * features == count:
        return timesteps, features
    wanted = f"timesteps={options.timesteps}" if options.timesteps else ""
    wanted += ", " if options.timesteps and options.features else ""
    wanted += f"features={options.features}" if options.features else ""
    expected = (
        f"{options.timesteps * options.features}"
        if options.timesteps and options.features
        else f"a multiple of {options.timesteps or options.features}"
    )
    hint = ""
    if options.target is None and options.timesteps and options.features:
        if count == options.timesteps * options.features + 1:
            hint = " If one of them holds the targets, name it as the target column."
    raise ShapeError(
        f"{path}: {count} input columns do not fit {wanted}: expected {expected} input "
        f"columns, ordered step by step (all features of step 0, then step 1, ...).{hint}"
    )
