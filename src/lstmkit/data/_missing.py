"""Missing time steps: find them, then fill, mask or keep them out of the windows.

A step is missing when its timestamp is absent from the index or a value is NaN.
Every policy returns a frame on the full regular grid, never reads outside the span
it is given (plus, for :class:`SeasonalFill`, the fitted span's tail that precedes
it) and reports what it did in ``report_``. Gaps it leaves are NaN, and
:func:`lstmkit.data.window_starts` keeps every window off them:

```
step      0  1  2  3  4  5  6  7  8  9        season = 4, a gap at 6-7
observed  a  b  c  d  e  f  .  .  i  j
seasonal  a  b  c  d  e  f  c  d  i  j        6 <- mean of steps 2, -2, -6 that exist:
                                              the same phase 1, 2, 3 seasons *back*
interp.   a  b  c  d  e  f  f+(i-f)/3 ...     between the observations on either side
mask      a  b  c  d  e  f  0  0  i  j  + an indicator column  0 0 0 0 0 0 1 1 0 0
drop      a  b  c  d  e  f  .  .  i  j        windows touching 6-7 are skipped
```

Fit a policy on the training span and transform each split separately (CONTRACTS
§10): interpolation reads the observation *after* a gap, so a gap is filled only
once that observation is inside the span given; seasonal fill reads only the past,
so it can fill a gap at the very end of a span.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from lstmkit.data._gap_windows import runs
from lstmkit.data._json import require_fitted
from lstmkit.data._missing_json import GapPolicyJsonMixin
from lstmkit.data._time_index import as_offset, regular_frame, stamp
from lstmkit.errors import ConfigError, DataError, unknown_option


@dataclass(frozen=True)
class FillReport:
    """What a missing-steps policy did to one frame.

    Attributes:
        policy: the policy and its settings, e.g. ``"interpolate (linear, limit 3)"``.
        filled: values filled, per column.
        missing: values still missing after the policy, per column.
        inserted: absent timestamps inserted as rows.
        added_columns: columns the policy added (the indicators of :class:`MaskGaps`).

    Example:
        >>> print(FillReport("drop", {"v": 0}, {"v": 2}, 1))
        drop: filled 0 values; 2 still missing (v 2); inserted 1 absent timestamps.
    """

    policy: str
    filled: dict[Any, int]
    missing: dict[Any, int]
    inserted: int
    added_columns: tuple[Any, ...] = ()

    def __str__(self) -> str:
        def counts(per_column: dict[Any, int]) -> str:
            return ", ".join(f"{name} {n}" for name, n in per_column.items() if n)

        left = sum(self.missing.values())
        text = f"{self.policy}: filled {sum(self.filled.values())} values"
        text += f" ({counts(self.filled)})" if any(self.filled.values()) else ""
        text += f"; {left} still missing ({counts(self.missing)})" if left else "; none missing"
        text += f"; inserted {self.inserted} absent timestamps"
        if self.added_columns:
            text += f"; added {', '.join(map(str, self.added_columns))}"
        return text + "."


def to_steps(value: Any, freq: str, name: str) -> int | None:
    """A number of steps from an int, or from a duration such as ``'7D'`` at a fixed freq.

    Example:
        >>> to_steps("1W", "20min", "season"), to_steps(12, "MS", "season")
        (504, 12)
    """
    if value is None or (isinstance(value, (int, np.integer)) and not isinstance(value, bool)):
        if value is not None and value < 1:
            raise ConfigError(f"{name} must be >= 1 step, got {value}.")
        return None if value is None else int(value)
    offset = as_offset(freq)
    try:
        ratio = pd.Timedelta(value) / pd.Timedelta(offset)
    except (TypeError, ValueError) as exc:
        raise ConfigError(
            f"{name}={value!r} must be a number of steps, or a duration such as '7D' at a "
            f"fixed frequency (the data's is '{freq}'): give it in steps, e.g. {name}=12."
        ) from exc
    if ratio < 1 or ratio != int(ratio):
        raise ConfigError(
            f"{name}={value!r} is not a whole number of '{freq}' steps ({ratio:g}): give it "
            "in steps, or as a multiple of the frequency."
        )
    return int(ratio)


def check_seasons(season: int | None, n_seasons: Any) -> int:
    """``n_seasons`` as an int, once it and ``season`` (in steps) are known to be valid."""
    if season is None:
        raise ConfigError("season must be given: the steps per season, e.g. season=12.")
    if isinstance(n_seasons, bool) or not isinstance(n_seasons, (int, np.integer)) or n_seasons < 1:
        raise ConfigError(f"n_seasons must be an integer >= 1, got {n_seasons!r}: e.g. 3.")
    return int(n_seasons)


def season_means(
    observed: np.ndarray, positions: np.ndarray, offsets: list[int]
) -> tuple[np.ndarray, np.ndarray]:
    """Mean and count of the observed values at ``positions + offset`` for each offset."""
    total, count = np.zeros(len(positions)), np.zeros(len(positions), dtype=np.int64)
    for offset in offsets:
        source = positions + offset
        inside = (source >= 0) & (source < len(observed))
        values = np.where(inside, observed[np.clip(source, 0, len(observed) - 1)], np.nan)
        present = ~np.isnan(values)
        total += np.where(present, values, 0.0)
        count += present
    with np.errstate(invalid="ignore", divide="ignore"):
        return total / count, count


def fillable(values: np.ndarray, limit: int | None, interior: bool) -> np.ndarray:
    """Positions in the NaN runs no longer than ``limit`` (interior runs only if asked)."""
    starts, lengths = runs(np.isnan(values))
    keep = lengths <= (limit if limit is not None else len(values))
    if interior:
        keep &= (starts > 0) & (starts + lengths < len(values))
    if not keep.any():
        return np.zeros(0, dtype=np.int64)
    return np.concatenate([np.arange(s, s + n) for s, n in zip(starts[keep], lengths[keep])])


class _GapPolicy(GapPolicyJsonMixin, BaseEstimator):
    """Shared fit/transform: check the index, put it on the grid, fill, report; ``to_dict``."""

    def fit(self, X: Any, y: Any = None) -> _GapPolicy:
        """Learn the frequency, the columns and any fitted state from the training span."""
        frame, _, offset = regular_frame(X, getattr(self, "freq", None))
        self.freq_ = offset.freqstr
        self.columns_ = list(frame.columns)
        self._fit_state(frame)
        return self

    def _fit_state(self, frame: pd.DataFrame) -> None:
        """Subclasses learn from the regular training frame here."""

    def transform(self, X: Any) -> pd.DataFrame:
        """Return a new frame on the full grid with this policy applied; see ``report_``."""
        require_fitted(self, "freq_", "transform")
        frame, inserted, _ = regular_frame(X, self.freq_)
        if list(frame.columns) != self.columns_:
            raise DataError(
                f"the columns {list(frame.columns)} differ from the {self.columns_} this "
                f"{type(self).__name__} was fitted on: pass the same columns in the same order."
            )
        before = frame.isna().sum()
        result, added = self._fill(frame)
        after = result[self.columns_].isna().sum()
        self.report_ = FillReport(
            self._describe(),
            {name: int(before[name] - after[name]) for name in self.columns_},
            {name: int(after[name]) for name in self.columns_},
            inserted,
            tuple(added),
        )
        return result

    def fit_transform(self, X: Any, y: Any = None) -> pd.DataFrame:
        """``fit(X)`` then ``transform(X)``."""
        return self.fit(X).transform(X)

    def _fill(self, frame: pd.DataFrame) -> tuple[pd.DataFrame, list[Any]]:
        return frame, []

    def _describe(self) -> str:
        return "drop"


class InterpolateGaps(_GapPolicy):
    """Fill each gap of at most ``limit`` steps on the straight line between its neighbours.

    ``method='linear'`` spaces the steps evenly; ``'time'`` weighs them by elapsed
    time (months of 28 to 31 days). Only gaps with an observation on both sides inside
    the span are filled; a longer gap stays missing whole (pandas' own ``limit`` would
    fill its first steps). The slides interpolate weather covariates this way
    (``limit='6h'``) before the seasonal fill of the target.

    Args:
        method: ``'linear'`` or ``'time'``.
        limit: the longest gap to fill, in steps or as a duration (``'6h'``); None: all.
        freq: the frequency; None infers it at fit.

    Example:
        >>> series = pd.Series([1.0, np.nan, np.nan, 4.0, np.nan],
        ...                    index=pd.date_range("2020-01-01", periods=5, freq="D"))
        >>> policy = InterpolateGaps(limit=2)
        >>> policy.fit_transform(series)["value"].tolist()
        [1.0, 2.0, 3.0, 4.0, nan]
        >>> print(policy.report_)
        interpolate (linear, limit 2): filled 2 values (value 2); 1 still missing (value 1); inserted 0 absent timestamps.
    """

    def __init__(self, method: str = "linear", limit: Any = None, freq: Any = None) -> None:
        self.method = method
        self.limit = limit
        self.freq = freq

    def _fit_state(self, frame: pd.DataFrame) -> None:
        if self.method not in ("linear", "time"):
            raise unknown_option("interpolation method", self.method, ("linear", "time"))
        self.limit_ = to_steps(self.limit, self.freq_, "limit")

    def _fill(self, frame: pd.DataFrame) -> tuple[pd.DataFrame, list[Any]]:
        if self.method == "time":
            x = ((frame.index - frame.index[0]) / pd.Timedelta(1, "s")).to_numpy(np.float64)
        else:
            x = np.arange(len(frame), dtype=np.float64)
        for name in frame.columns:
            values = frame[name].to_numpy(copy=True)
            gaps = fillable(values, self.limit_, interior=True)
            if len(gaps):
                known = ~np.isnan(values)
                values[gaps] = np.interp(x[gaps], x[known], values[known])
                frame[name] = values
        return frame, []

    def _describe(self) -> str:
        return f"interpolate ({self.method}, limit {self.limit_})"


class SeasonalFill(_GapPolicy):
    """Fill a gap with the mean of the same step one, two and three seasons *back*.

    The slides' algorithm restricted to the past (CONTRACTS §10). The slides fill a
    missing ``speed_diff`` at step ``i`` with the mean of the values one, two and three
    weeks before when ``i`` is more than three weeks in, otherwise with the values one,
    two and three weeks *after*, and only for the first 10 hours of a gap. Here: only
    past values; the mean of those of the ``n_seasons`` that are observed (at least
    ``min_seasons``, else the step stays missing); values this policy filled are never
    reused; ``limit`` leaves a longer gap missing whole. ``fit`` keeps the training
    span's last ``n_seasons`` seasons, so transforming the next split reads its past.
    For the slides' version, see :func:`impute_offline_from_neighbouring_seasons`.

    Args:
        season: steps per season (12 for monthly data), or a duration (``'7D'``).
        n_seasons: how many seasons back to look (the slides: 3).
        min_seasons: the fewest observed values to average.
        limit: the longest gap to fill, in steps or as a duration; None: all.
        freq: the frequency; None infers it at fit.

    Example:
        >>> series = pd.Series([1.0, 2.0, 3.0, 5.0, np.nan, 7.0],
        ...                    index=pd.date_range("2020-01-01", periods=6, freq="D"))
        >>> SeasonalFill(season=2).fit_transform(series)["value"].tolist()
        [1.0, 2.0, 3.0, 5.0, 2.0, 7.0]
    """

    def __init__(
        self,
        season: Any,
        n_seasons: int = 3,
        min_seasons: int = 1,
        limit: Any = None,
        freq: Any = None,
    ) -> None:
        self.season = season
        self.n_seasons = n_seasons
        self.min_seasons = min_seasons
        self.limit = limit
        self.freq = freq

    def _fit_state(self, frame: pd.DataFrame) -> None:
        self.season_ = to_steps(self.season, self.freq_, "season")
        self.limit_ = to_steps(self.limit, self.freq_, "limit")
        n_seasons = check_seasons(self.season_, self.n_seasons)
        if not 1 <= self.min_seasons <= n_seasons:
            raise ConfigError(
                f"min_seasons must be 1 to n_seasons = {n_seasons}, got {self.min_seasons!r}."
            )
        # Enough past for the seasons back, plus `limit` rows to measure a gap running into X.
        self.history_ = frame.iloc[-(self.season_ * n_seasons + (self.limit_ or 0)) :].copy()

    def _fill(self, frame: pd.DataFrame) -> tuple[pd.DataFrame, list[Any]]:
        past = self.history_[self.history_.index < frame.index[0]]
        whole = pd.concat([past, frame])
        grid = pd.date_range(whole.index[0], frame.index[-1], freq=self.freq_)
        if not frame.index.isin(grid).all():
            raise DataError(
                f"the data's timestamps are not on the '{self.freq_}' grid of the span this "
                f"SeasonalFill was fitted on (it ends at {stamp(self.history_.index[-1])}): "
                "fit and transform spans of one series."
            )
        whole = whole.reindex(grid)
        skip = len(whole) - len(frame)  # rows of fitted history before the frame
        back = [-k * self.season_ for k in range(1, self.n_seasons + 1)]
        for name in frame.columns:
            observed = whole[name].to_numpy()
            gaps = fillable(observed, self.limit_, interior=False)
            gaps = gaps[gaps >= skip]
            means, count = season_means(observed, gaps, back)
            values = frame[name].to_numpy(copy=True)
            use = count >= self.min_seasons
            values[gaps[use] - skip] = means[use]
            frame[name] = values
        return frame, []

    def _describe(self) -> str:
        return f"seasonal (season {self.season_}, {self.n_seasons} back, limit {self.limit_})"


class MaskGaps(_GapPolicy):
    """Fill missing values with a constant and add a 0/1 indicator column per column.

    The model sees every step, and from the indicator which ones were made up (the
    slides' "masking with default values"). ``fill_value='mean'`` uses each column's
    training mean, learned at fit (0 after a StandardScaler fitted on the same span).

    Args:
        fill_value: a number, or ``'mean'``.
        suffix: appended to a column's name to name its indicator.
        freq: the frequency; None infers it at fit.

    Example:
        >>> series = pd.Series([1.0, np.nan, 3.0], name="v",
        ...                    index=pd.date_range("2020-01-01", periods=3, freq="D"))
        >>> MaskGaps(fill_value="mean").fit_transform(series).to_numpy().tolist()
        [[1.0, 0.0], [2.0, 1.0], [3.0, 0.0]]
    """

    def __init__(self, fill_value: Any = 0.0, suffix: str = "_missing", freq: Any = None) -> None:
        self.fill_value = fill_value
        self.suffix = suffix
        self.freq = freq

    def _fit_state(self, frame: pd.DataFrame) -> None:
        clash = [f"{n}{self.suffix}" for n in frame.columns if f"{n}{self.suffix}" in frame]
        if clash:
            raise ConfigError(f"indicator column(s) {clash} already exist: choose another suffix.")
        if self.fill_value == "mean":
            empty = [name for name in frame.columns if frame[name].isna().all()]
            if empty:
                raise DataError(f"column(s) {empty} have no values to take the mean of.")
            self.fill_values_ = {name: float(frame[name].mean()) for name in frame.columns}
        elif isinstance(self.fill_value, (int, float)) and np.isfinite(self.fill_value):
            self.fill_values_ = {name: float(self.fill_value) for name in frame.columns}
        else:
            raise ConfigError(
                f"fill_value must be a finite number or 'mean', got {self.fill_value!r}."
            )

    def _fill(self, frame: pd.DataFrame) -> tuple[pd.DataFrame, list[Any]]:
        added = [f"{name}{self.suffix}" for name in self.columns_]
        indicators = frame.isna().astype(np.float64)
        indicators.columns = added
        return pd.concat([frame.fillna(self.fill_values_), indicators], axis=1), added

    def _describe(self) -> str:
        return f"mask (fill {self.fill_value!r})"


class DropGaps(_GapPolicy):
    """Fill nothing: missing steps stay NaN on the grid, and windows touching them are skipped.

    "Drop" drops *windows*, not rows: removing rows would join the two sides of a gap
    into one window that never happened.

    Args:
        freq: the frequency; None infers it at fit.

    Example:
        >>> index = pd.DatetimeIndex(["2020-01-01", "2020-01-03"])
        >>> DropGaps(freq="D").fit_transform(pd.Series([1.0, 3.0], index=index))["value"].tolist()
        [1.0, nan, 3.0]
    """

    def __init__(self, freq: Any = None) -> None:
        self.freq = freq


POLICIES = dict(interpolate=InterpolateGaps, seasonal=SeasonalFill, mask=MaskGaps, drop=DropGaps)


def gap_policy(name: str, **options: Any) -> _GapPolicy:
    """Build a missing-steps policy by name (as a run file names it).

    Example:
        >>> gap_policy("interpolate", limit=3)
        InterpolateGaps(limit=3)
    """
    if name not in POLICIES:
        raise unknown_option("missing-steps policy", name, POLICIES)
    return POLICIES[name](**options)
