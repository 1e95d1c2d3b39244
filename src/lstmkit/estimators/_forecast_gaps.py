"""The forecaster's missing-steps policy: chosen by name or given, fitted on the training span.

Without a policy a missing value is an error that says where and which policies exist;
with one, the policy fitted on the training span fills every later span the same way
(CONTRACTS §10: fills use past values only, fitted per split).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from sklearn.base import clone

from lstmkit.data._missing import POLICIES, MaskGaps, _GapPolicy, gap_policy
from lstmkit.data._time_index import stamp
from lstmkit.errors import ConfigError, DataError


def fit_gap_policy(missing: Any, season: Any, frame: pd.DataFrame) -> _GapPolicy | None:
    """The policy ``missing`` names (or a clone of the one given), fitted on ``frame``.

    None means "no policy": any missing value in ``frame`` is an error.

    Example:
        >>> index = pd.date_range("2000-01", periods=4, freq="MS")
        >>> frame = pd.DataFrame({"v": [1.0, None, 3.0, 4.0]}, index)
        >>> fill_gaps(fit_gap_policy("interpolate", None, frame), frame)["v"].tolist()
        [1.0, 2.0, 3.0, 4.0]
    """
    if missing is None:
        _refuse_missing(frame)
        return None
    if isinstance(missing, _GapPolicy):
        policy = clone(missing)
    elif isinstance(missing, str) and missing == "seasonal":
        if season is None:
            raise ConfigError(
                "missing='seasonal' fills from the same step in earlier seasons: give the "
                "season length, e.g. season=12 for monthly data"
            )
        policy = gap_policy("seasonal", season=season)
    elif isinstance(missing, str):
        policy = gap_policy(missing)
    else:
        raise ConfigError(
            f"missing must be None, one of {sorted(POLICIES)} or a policy object such as "
            f"InterpolateGaps(limit=3), got {missing!r}"
        )
    return policy.fit(frame)


def fill_gaps(policy: _GapPolicy | None, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the fitted ``policy`` applied (a copy); without one, checked complete."""
    if policy is None:
        _refuse_missing(frame)
        return frame.copy()
    return policy.transform(frame)


def target_indicators(policy: _GapPolicy | None, targets: list[str]) -> list[str]:
    """The indicator columns a mask policy adds for the targets (none for other policies).

    Example:
        >>> target_indicators(MaskGaps(), ["load"])
        ['load_missing']
    """
    if not isinstance(policy, MaskGaps):
        return []
    return [f"{name}{policy.suffix}" for name in targets]


def _refuse_missing(frame: pd.DataFrame) -> None:
    for name in frame.columns:
        missing = frame[name].isna()
        if missing.any():
            raise DataError(
                f"column {name!r} of y has {int(missing.sum())} missing values, the first "
                f"at {stamp(frame.index[missing.to_numpy().argmax()])} (absent timestamps "
                "count as missing): choose a missing-steps policy, missing='interpolate', "
                "'seasonal', 'mask' or 'drop' (see lstmkit.data.find_gaps for where they are)"
            )
