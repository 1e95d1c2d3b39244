"""The ``[tune]`` table of a run file: what ``lstmkit tune`` searches, and how.

::

    [tune]
    trials = 30                      # COMPLETE trials to reach (pruned/failed don't count)
    workers = 2                      # processes on this machine
    storage = "sqlite:///echo.db"    # or postgresql://..., or a journal file (.log)
    cv = 3                           # TimeSeriesSplit folds; leave out for a holdout

    [tune.space]
    units = { low = 8, high = 64, log = true }
    learning_rate = { low = 1e-3, high = 3e-2, log = true }
    architecture = ["vanilla", "stacked"]

The space's names are the ``[model]``/``[training]`` keys plus ``lookback``, ``tbptt_k1``
and ``tbptt_k2``; their forms are those of :func:`lstmkit.tune.space_from_mapping`.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator
from pydantic_core import PydanticCustomError

from lstmkit._config_sections import SECTION_CONFIG
from lstmkit.errors import ConfigError


class TuneSection(BaseModel):
    """The ``[tune]`` table: the search space and the study's settings.

    Example:
        >>> section = TuneSection(space={"units": {"low": 4, "high": 32}}, trials=5)
        >>> section.search_space()
        {'units': Int(low=4, high=32, log=False, step=1)}
    """

    model_config = SECTION_CONFIG

    space: dict[str, Any] = Field(description="the settings to search, [tune.space]")
    trials: int = Field(default=20, ge=1, description="COMPLETE trials the study reaches")
    workers: int = Field(default=1, ge=1, description="worker processes on this machine")
    storage: str | None = Field(
        default=None,
        description="sqlite:///FILE.db, postgresql://USER:PASSWORD@HOST/DB, or a journal "
        "file (FILE.log); relative paths are relative to the run file",
    )
    study_name: str | None = Field(default=None, description="default: the run file's name")
    cv: int | None = Field(
        default=None, ge=2, description="TimeSeriesSplit folds (default: a holdout)"
    )
    validation_split: float | None = Field(
        default=None, gt=0.0, lt=1.0, description="the holdout: the last fraction, unshuffled"
    )
    scoring: str | None = Field(
        default=None, description="a scikit-learn scorer name (default: the validation loss)"
    )
    sampler: Literal["tpe", "random", "grid"] = Field(default="tpe")
    pruner: Literal["median", "hyperband", "successive_halving", "none"] = Field(
        default="median", description="stops poor trials early from their val_loss per epoch"
    )
    seed: int = Field(default=0, ge=0, description="the sampler's seed")
    timeout: float | None = Field(default=None, gt=0.0, description="seconds, then stop")

    @field_validator("space", mode="after")
    @classmethod
    def _check_space(cls, value: dict[str, Any]) -> dict[str, Any]:
        """Parse the space now, so its mistakes are reported with the file's others."""
        from lstmkit.tune._space import space_from_mapping

        if not value:
            raise PydanticCustomError(
                "empty_space",
                "[tune.space] is empty: name at least one setting to search, e.g. "
                "units = { low = 8, high = 64 }",
            )
        try:
            space_from_mapping(value)
        except ConfigError as error:
            raise PydanticCustomError("space", "{problem}", {"problem": str(error)}) from None
        return value

    def search_space(self) -> dict[str, Any]:
        """The space as :mod:`lstmkit.tune` dimensions (``Int``, ``Float``, ``Choice``).

        Example:
            >>> TuneSection(space={"architecture": ["vanilla", "stacked"]}).search_space()
            {'architecture': Choice(choices=('vanilla', 'stacked'))}
        """
        from lstmkit.tune._space import space_from_mapping

        return space_from_mapping(self.space)
