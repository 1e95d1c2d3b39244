"""The exceptions lstmkit raises.

Every error derives from :class:`LstmkitError` and from the built-in exception a
Python user would expect (``ShapeError`` is a ``ValueError``), so code written
against plain NumPy or scikit-learn keeps catching what it caught before.

A message says what was received, what was expected and how to fix it.

Example:
    >>> from lstmkit.errors import ShapeError, LstmkitError
    >>> issubclass(ShapeError, ValueError) and issubclass(ShapeError, LstmkitError)
    True
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

from sklearn.exceptions import NotFittedError as _SklearnNotFittedError


class LstmkitError(Exception):
    """Base class of every error lstmkit raises on purpose.

    Example:
        >>> try:
        ...     raise DataError("no rows")
        ... except LstmkitError as error:
        ...     print(error)
        no rows
    """


class ShapeError(LstmkitError, ValueError):
    """An array has the wrong rank, shape or number of features.

    Example:
        >>> isinstance(ShapeError("x"), ValueError)
        True
    """


class DataError(LstmkitError, ValueError):
    """Data values are unusable: NaN or inf, empty, unseen categories, bad files.

    Example:
        >>> isinstance(DataError("x"), ValueError)
        True
    """


class ConfigError(LstmkitError, ValueError):
    """An option name or value is not one lstmkit knows.

    Example:
        >>> isinstance(ConfigError("x"), ValueError)
        True
    """


class NotFittedError(LstmkitError, _SklearnNotFittedError):
    """A method that needs a fitted estimator was called before ``fit``.

    Also a scikit-learn ``NotFittedError``, so ``check_is_fitted`` users keep working.

    Example:
        >>> isinstance(NotFittedError("x"), AttributeError)
        True
    """


class ModelFileError(LstmkitError, OSError):
    """A model file cannot be written or is not one lstmkit can trust to load.

    Example:
        >>> isinstance(ModelFileError("x"), OSError)
        True
    """


class TrainingError(LstmkitError, RuntimeError):
    """Training cannot go on: the loss or the gradients became NaN or infinite.

    Example:
        >>> isinstance(TrainingError("x"), RuntimeError)
        True
    """


def did_you_mean(received: str, known: Iterable[str]) -> str:
    """Return ``" Did you mean 'x'?"`` for the closest known name, or ``""``.

    Example:
        >>> did_you_mean("adma", ["adam", "sgd", "rmsprop"])
        " Did you mean 'adam'?"
        >>> did_you_mean("zzz", ["adam"])
        ''
    """
    matches = difflib.get_close_matches(str(received), [str(name) for name in known], n=1)
    return f" Did you mean '{matches[0]}'?" if matches else ""


def unknown_option(kind: str, received: str, known: Iterable[str]) -> ConfigError:
    """Build the error for a name that is not among the known choices.

    Args:
        kind: what the name is for, e.g. ``"optimizer"``.
        received: the name the user gave.
        known: the accepted names.

    Example:
        >>> print(unknown_option("optimizer", "adma", ["adam", "sgd"]))
        unknown optimizer 'adma': expected one of 'adam', 'sgd'. Did you mean 'adam'?
    """
    known = sorted(known)
    choices = ", ".join(f"'{name}'" for name in known)
    return ConfigError(
        f"unknown {kind} '{received}': expected one of {choices}.{did_you_mean(received, known)}"
    )


class ModelFormatVersionError(ModelFileError):
    """A model file's ``format_version`` is one this lstmkit cannot read.

    Raised for files written by a newer lstmkit (upgrade lstmkit to read them) and for
    versions no lstmkit release wrote. Catch it to tell "upgrade" apart from "damaged".

    Example:
        >>> issubclass(ModelFormatVersionError, ModelFileError)
        True
    """


class MissingDependencyError(LstmkitError, ImportError):
    """An optional package that a feature needs is not installed.

    Example:
        >>> isinstance(MissingDependencyError("x"), ImportError)
        True
    """


def require_module(module: str, *, extra: str, purpose: str) -> Any:
    """Import an optional package, or say which extra installs it.

    Args:
        module: the module to import, e.g. ``"optuna"``.
        extra: the lstmkit extra that declares it, e.g. ``"tune"``.
        purpose: what needs it, for the message, e.g. ``"lstmkit.tune"``.

    Returns:
        The imported module.

    Raises:
        MissingDependencyError: the module is not installed.

    Example:
        >>> require_module("json", extra="none", purpose="the example").__name__
        'json'
        >>> require_module("no_such_module", extra="tune", purpose="lstmkit.tune")
        Traceback (most recent call last):
        ...
        lstmkit.errors.MissingDependencyError: lstmkit.tune needs the package 'no_such_module', which is not installed: pip install 'lstmkit[tune]'
    """
    import importlib

    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as error:
        if error.name != module.split(".")[0] and error.name != module:
            raise  # the package is there but broken: show the real error
        raise MissingDependencyError(
            f"{purpose} needs the package '{module.split('.')[0]}', which is not installed: "
            f"pip install 'lstmkit[{extra}]'"
        ) from error
