"""The slides' seasonal fill that reads *later* seasons too: offline imputation only.

Kept apart from the policies of :mod:`lstmkit.data._missing` on purpose: those read
only the past and are fitted per split (CONTRACTS §10); this one fills a step near
the start from the seasons *after* it, which leaks the future into the past:

```
step      0  1  2  3  4  5  6  7        season = 2, n_seasons = 2
observed  .  2  3  4  5  6  .  8
filled    4  2  3  4  5  6  4  8        0 <- mean of steps 2 and 4, *after* it (too near
                                             the start to have two seasons before it)
                                        6 <- mean of steps 4 and 2, before it
```
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from lstmkit.data._missing import FillReport, check_seasons, fillable, season_means, to_steps
from lstmkit.data._time_index import regular_frame


def impute_offline_from_neighbouring_seasons(
    data: Any, season: Any, *, n_seasons: int = 3, limit: Any = None, freq: Any = None
) -> tuple[pd.DataFrame, FillReport]:
    """The slides' fill, reading *later* seasons too: offline imputation only.

    UNSAFE inside evaluation or forecasting: a step less than ``n_seasons`` seasons
    from the start is filled from the seasons *after* it, which leaks the future into
    the past. Use it to clean a record before publishing or plotting it, never before
    a split or backtest; there, use :class:`SeasonalFill` (past only) or
    :class:`MaskGaps`. A step at least ``n_seasons`` seasons in takes the mean of the
    observed values 1..n seasons before; an earlier one the mean of those 1..n seasons
    after (the slides' rule, with unobserved values skipped). ``limit`` leaves a
    longer gap missing whole (the slides fill the first 10 hours of any gap).

    Args:
        data: a Series or DataFrame indexed by time.
        season: steps per season, or a duration (``'7D'``).
        n_seasons: seasons to average (the slides: 3).
        limit: the longest gap to fill, in steps or as a duration; None: all.
        freq: the frequency; None infers it.

    Returns:
        The filled frame on the full grid, and a :class:`FillReport`.

    Example:
        >>> import numpy as np
        >>> series = pd.Series([np.nan, 2.0, 3.0, 4.0, 5.0],
        ...                    index=pd.date_range("2020-01-01", periods=5, freq="D"))
        >>> frame, report = impute_offline_from_neighbouring_seasons(series, 2, n_seasons=2)
        >>> frame["value"].tolist()
        [4.0, 2.0, 3.0, 4.0, 5.0]
    """
    frame, inserted, offset = regular_frame(data, freq)
    freqstr = offset.freqstr
    season_steps = to_steps(season, freqstr, "season")
    limit_steps = to_steps(limit, freqstr, "limit")
    n_seasons = check_seasons(season_steps, n_seasons)
    before = frame.isna().sum()
    for name in frame.columns:
        observed = frame[name].to_numpy()
        gaps = fillable(observed, limit_steps, interior=False)
        early = gaps - n_seasons * season_steps < 0  # too close to the start: look ahead
        values = observed.copy()
        for positions, sign in ((gaps[~early], -1), (gaps[early], 1)):
            offsets = [sign * k * season_steps for k in range(1, n_seasons + 1)]
            means, count = season_means(observed, positions, offsets)
            values[positions[count > 0]] = means[count > 0]
        frame[name] = values
    after = frame.isna().sum()
    report = FillReport(
        f"offline seasonal imputation (season {season_steps}, {n_seasons} seasons, past or future)",
        {name: int(before[name] - after[name]) for name in frame.columns},
        {name: int(after[name]) for name in frame.columns},
        inserted,
    )
    return frame, report
