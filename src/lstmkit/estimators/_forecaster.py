"""``LSTMForecaster``: from a time series to dated multi-step forecasts in original units.

sktime's shape (CONTRACTS §6): ``fit(y)`` learns from a Series or DataFrame with a
DatetimeIndex; ``predict(horizon)`` forecasts from the end of the data seen so far and
answers with a DataFrame indexed by the future timestamps. Differencing and scaling
are fitted on the training span only and inverted automatically.

Strategies (the lessons' three):

- ``"direct"``: one model answers all H steps as one vector (the book's damped sine).
- ``"recursive"``: a one-step model fed its own predictions H times.
- ``"seq2seq"``: an encoder-decoder answers H output steps.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from lstmkit.data._gap_windows import find_gaps
from lstmkit.data._series_transform import SeriesTransform
from lstmkit.errors import ConfigError, NotFittedError
from lstmkit.estimators import _forecast_panel as panel
from lstmkit.estimators._forecast_backtest import backtest
from lstmkit.estimators._forecast_data import check_strategy_roles, read_series
from lstmkit.estimators._forecast_gaps import fill_gaps, fit_gap_policy
from lstmkit.estimators._forecast_panel_backtest import backtest_panel, calibrate_panel
from lstmkit.estimators._forecast_panel_series import forecast_after, series_encoder
from lstmkit.estimators._forecast_quantiles import forecast_frame
from lstmkit.estimators._forecast_settings import check_length, check_settings, inner_regressor
from lstmkit.estimators._forecast_state import fit_inner_model, state_forecast
from lstmkit.estimators._params import is_count, suggest_unknown_keywords

STRATEGIES = ("direct", "recursive", "seq2seq")


@suggest_unknown_keywords
class LSTMForecaster(BaseEstimator):
    """An LSTM that forecasts a (multivariate) time series ``horizon`` steps ahead.

    Args:
        lookback: past steps the model reads (L).
        horizon: steps it forecasts (H).
        strategy: ``"direct"``, ``"recursive"`` or ``"seq2seq"`` (see the module).
        context: ``"window"`` (a forecast reads the last ``lookback`` steps from a zero
            state) or ``"state"`` (one stream, TBPTT(lookback, lookback), the state carried
            to the origin and on by ``update``; see ``_forecast_state``).
        difference: lags to difference by, in order (``[1]``, ``[12]``, ``[1, 12]``).
        scale: ``"standard"`` (default), ``"minmax"`` or None; fitted on the training span.
        power: ``"log"``, ``"box-cox"`` (λ fitted on the training span) or None; applied
            before differencing, inverted after.
        season: steps per season (12 for monthly data): seasonal baselines, MASE and
            ``missing="seasonal"`` use it.
        missing: the missing-steps policy: None (missing values are an error),
            ``"interpolate"``, ``"seasonal"``, ``"mask"``, ``"drop"``, or a policy object
            from :mod:`lstmkit.data` (``InterpolateGaps(limit=3)``). Fitted on the training
            span; a training window never crosses a step it leaves missing.
        freq: the series' frequency (``"MS"``, ``"W-SAT"``); None infers it.
        time_column: a CSV's time column (default: the first); a long frame's, if a column.
        id_column: the column (or index level) of a long frame that names each series:
            ``fit`` then learns many series in one model (see ``fit``).
        target: the target column(s) of ``y``; default every column not named a covariate.
        architecture, architecture_options, units, num_layers, dropout: the model (any
            architecture of the suite; ``"seq2seq"`` uses the encoder-decoder).
        epochs, batch_size, learning_rate, optimizer, loss, random_state, device, verbose:
            training, as for :class:`LSTMRegressor`.
        quantiles: with ``loss="quantile"`` (direct or seq2seq), the levels to forecast
            (default ``(0.1, 0.5, 0.9)``, 0.5 required): see :mod:`._forecast_quantiles`.

    Example:
        >>> import pandas as pd, numpy as np
        >>> index = pd.date_range("2000-01", periods=48, freq="MS")
        >>> y = pd.Series(np.sin(np.arange(48) / 3.0), index=index, name="wave")
        >>> model = LSTMForecaster(lookback=6, horizon=3, epochs=2, random_state=0).fit(y)
        >>> forecast = model.predict()
        >>> forecast.index[0], list(forecast.columns)
        (Timestamp('2004-01-01 00:00:00'), ['wave'])
    """

    def __init__(
        self,
        lookback: int = 12,
        horizon: int = 1,
        strategy: str = "direct",
        context: str = "window",
        difference: Any = (),
        scale: str | None = "standard",
        power: str | None = None,
        season: int | None = None,
        missing: Any = None,
        freq: Any = None,
        time_column: str | None = None,
        id_column: Any = None,
        target: Any = None,
        architecture: Any = "vanilla",
        architecture_options: dict[str, Any] | None = None,
        units: Any = 32,
        num_layers: int = 1,
        dropout: float = 0.0,
        epochs: int = 100,
        batch_size: int = 32,
        learning_rate: float | None = None,
        optimizer: Any = "adam",
        loss: str = "mse",
        quantiles: Any = None,
        random_state: Any = None,
        device: str = "auto",
        verbose: int = 0,
    ) -> None:
        self.lookback = lookback
        self.horizon = horizon
        self.strategy = strategy
        self.context = context
        self.difference = difference
        self.scale = scale
        self.power = power
        self.season = season
        self.missing = missing
        self.freq = freq
        self.time_column = time_column
        self.id_column = id_column
        self.target = target
        self.architecture = architecture
        self.architecture_options = architecture_options
        self.units = units
        self.num_layers = num_layers
        self.dropout = dropout
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.optimizer = optimizer
        self.loss = loss
        self.quantiles = quantiles
        self.random_state = random_state
        self.device = device
        self.verbose = verbose

    # ----------------------------------------------------------------- public API
    def fit(
        self,
        y: Any,
        past_covariates: Any = None,
        future_covariates: Any = None,
        static_covariates: Any = None,
    ):
        """Learn from the series ``y``; the transforms see this span only.

        Args:
            y: a Series or DataFrame with a DatetimeIndex, or a CSV path (see ``time_column``).
                Many series: a dict ``{id: series}``, a list (ids 0..n-1) or a long frame
                with ``id_column``; one model, each series its own transforms and gap policy.
            past_covariates: inputs observed only up to now: a dated frame, or names of
                columns of ``y``. The recursive strategy cannot use them (their future is
                unknown): make them targets instead.
            future_covariates: inputs known ahead (calendar features): a dated frame that
                may run past the end of ``y``, or names of columns of ``y``.
            static_covariates: many series only: a DataFrame indexed by series id, numeric
                columns, appended to every input step of that series' windows.

        Raises:
            ConfigError: bad settings, unknown columns, or past covariates with the
                recursive strategy.
            DataError: a non-numeric or all-NaN column, missing values without a
                ``missing`` policy, a series too short, duplicate timestamps (listed).
            ShapeError: no DatetimeIndex.
        """
        self._check_settings()
        if panel.is_panel_input(y, self.id_column) or static_covariates is not None:
            return panel.fit_panel(self, y, past_covariates, future_covariates, static_covariates)
        data = read_series(
            y,
            past_covariates,
            future_covariates,
            time_column=self.time_column,
            target=self.target,
            freq=self.freq,
        )
        check_strategy_roles(self.strategy, data.roles)
        self.roles_, self.freq_, self.panel_ = data.roles, data.freq, None
        self.columns_ = list(data.roles.targets)
        self.gap_report_ = find_gaps(data.frame)  # where steps are missing, before any policy
        self.gap_policy_ = fit_gap_policy(self.missing, self.season, data.frame)
        filled = fill_gaps(self.gap_policy_, data.frame)
        check_length(len(filled), self._lookback(), self._horizon(), self._transform())
        encoder = series_encoder(data.roles, self.gap_policy_, filled, self._transform())
        self.encoder_ = encoder.fit(filled)
        self.transform_ = self.encoder_.transform
        self.model_ = fit_inner_model(self, filled)  # on windows, or one stream (context)
        self.history_ = self.model_.history_
        self.frame_ = data.frame  # the data seen so far: forecasts start after its last step
        self.future_ahead_ = data.future_ahead
        return self

    def predict(
        self,
        horizon: int | None = None,
        future_covariates: Any = None,
        coverage: float | None = None,
        ids: Any = None,
    ) -> pd.DataFrame:
        """Forecast ``horizon`` steps (default: the fitted horizon) after the data seen so far.

        Args:
            horizon: steps to forecast; direct and seq2seq models up to the fitted horizon.
            future_covariates: the known-future covariates of the forecast steps (a dated
                frame), unless ``fit`` was given rows that far ahead.
            coverage: e.g. 0.9 adds ``{target}_lower`` and ``{target}_upper`` columns:
                split-conformal intervals per step from the residuals of
                :meth:`calibrate` (``attrs["interval"]`` says so and from how many).
            ids: many series only: the series to forecast (default: all).

        Returns:
            A DataFrame indexed by the future timestamps, one column per target, in
            original units; for many series indexed by (series id, timestamp).

        Raises:
            NotFittedError: not fitted, or ``coverage`` without :meth:`calibrate` first.
        """
        self._check_fitted("predict")
        if panel.is_panel(self):
            return panel.predict_panel(self, horizon, future_covariates, coverage, ids)
        steps = self._steps(horizon)
        start = self.frame_.index[-1] + self.freq_
        index = pd.date_range(start, periods=steps, freq=self.freq_)
        history = fill_gaps(self.gap_policy_, self.frame_)
        return forecast_frame(self, history, steps, future_covariates, index, coverage)

    def backtest(
        self,
        y: Any,
        past_covariates: Any = None,
        future_covariates: Any = None,
        *,
        start: Any,
        step: int = 1,
        refit: bool | int = False,
        window: str = "expanding",
        horizon: int | None = None,
        static_covariates: Any = None,
    ) -> pd.DataFrame:
        """Walk-forward backtest of these settings on ``y``; this forecaster is not refitted.

        See :func:`lstmkit.estimators.backtest` for the arguments and the long frame it
        returns (``origin``, ``timestamp``, ``step``, ``target``, ``value``, ``actual``).
        Many series: ``start`` is a timestamp, the frame leads with a series column and
        ``static_covariates`` default to the fitted ones (see ``_forecast_panel_backtest``).
        """
        options = {"start": start, "step": step, "refit": refit, "window": window}
        if panel.is_panel_input(y, self.id_column) or static_covariates is not None:
            covariates = (past_covariates, future_covariates, static_covariates)
            return backtest_panel(self, y, *covariates, horizon=horizon, **options)
        return backtest(self, y, past_covariates, future_covariates, horizon=horizon, **options)

    def calibrate(
        self,
        y: Any,
        past_covariates: Any = None,
        future_covariates: Any = None,
        *,
        start: Any,
        step: int = 1,
        refit: bool | int = False,
        window: str = "expanding",
        static_covariates: Any = None,
    ) -> LSTMForecaster:
        """Backtest these settings on ``y`` and keep the result as ``residuals_``.

        ``predict(coverage=c)`` then gives split-conformal intervals from these
        residuals. A 90% interval needs at least 9 origins; more give steadier bounds.
        Calibrate on data the final model did not learn from when you can: residuals
        of a fit that saw the actuals are too small. Many series: as for ``backtest``;
        each series' bounds come from its own residuals.

        Example:
            >>> index = pd.date_range("2000-01", periods=40, freq="MS")
            >>> y = pd.Series(np.sin(np.arange(40) / 3.0), index=index, name="wave")
            >>> model = LSTMForecaster(lookback=4, horizon=2, units=4, epochs=1, random_state=0)
            >>> model = model.fit(y).calibrate(y, start=20)
            >>> model.predict(coverage=0.9).columns.tolist()
            ['wave', 'wave_lower', 'wave_upper']
        """
        options = {"start": start, "step": step, "refit": refit, "window": window}
        many = panel.is_panel(self) or panel.is_panel_input(y, self.id_column)
        if many or static_covariates is not None:
            covariates = (past_covariates, future_covariates, static_covariates)
            return calibrate_panel(self, y, *covariates, **options)
        self.residuals_ = self.backtest(y, past_covariates, future_covariates, **options)
        return self

    def update(
        self,
        y: Any,
        past_covariates: Any = None,
        future_covariates: Any = None,
        *,
        mode: str = "carry",
        epochs: int | None = None,
    ) -> LSTMForecaster:
        """Take in observations that arrived after the data seen so far.

        Args:
            y: the new observations (same columns as at fit; a dated frame or Series).
            past_covariates, future_covariates: as for ``fit``; by default the columns
                of ``y`` with the names fitted.
            mode: ``"carry"`` (the forecast origin moves to the new end; nothing is
                retrained), ``"fine_tune"`` (continue training the current weights for
                ``epochs`` on the windows whose targets are new; transforms unchanged), or
                ``"refit"`` (new transforms and a new model on all the data seen).
            epochs: fine-tuning epochs; default a tenth of ``epochs`` (at least 1).

        Example:
            >>> index = pd.date_range("2000-01", periods=40, freq="MS")
            >>> y = pd.Series(np.sin(np.arange(40) / 3.0), index=index, name="wave")
            >>> model = LSTMForecaster(lookback=6, horizon=2, epochs=1).fit(y[:36])
            >>> model.update(y[36:]).predict().index[0]
            Timestamp('2003-05-01 00:00:00')
        """
        from lstmkit.estimators._forecast_update import update_forecaster

        self._check_fitted("update")
        if panel.is_panel(self) or panel.is_panel_input(y, self.id_column):
            from lstmkit.estimators._forecast_panel_update import update_panel

            return update_panel(
                self, y, past_covariates, future_covariates, mode=mode, epochs=epochs
            )
        return update_forecaster(
            self, y, past_covariates, future_covariates, mode=mode, epochs=epochs
        )

    def save(self, path: Any) -> None:
        """Write the fitted forecaster to one safe model file (``lstmkit.load_model`` reads it).

        The file holds the weights, the transforms, the missing-steps policy and the data
        seen so far, so the loaded forecaster predicts exactly as this one.
        """
        from lstmkit.estimators._persistence import save_estimator

        self._check_fitted("save")
        save_estimator(self, path)

    # ----------------------------------------------------------------- internals
    def _forecast(self, history: pd.DataFrame, steps: int, future_covariates: Any) -> np.ndarray:
        """``(steps, targets)`` in original units after ``history`` (filled, up to the origin)."""
        if self.context == "state":
            return state_forecast(self, history, steps)
        return forecast_after(
            self, self.encoder_, self.model_, history, steps, self.future_ahead_, future_covariates
        )

    def _steps(self, horizon: Any) -> int:
        steps = self._horizon() if horizon is None else horizon
        if not is_count(steps) or steps < 1:
            raise ConfigError(f"horizon must be a positive integer, got {horizon!r}")
        if self.strategy != "recursive" and steps > self._horizon():
            raise ConfigError(
                f"a {self.strategy} model forecasts at most the horizon it was fitted with "
                f"({self._horizon()} steps), got horizon={steps}: refit with horizon={steps}, "
                "or use strategy='recursive'"
            )
        return int(steps)

    def _ahead(self) -> int:
        return 1 if self.strategy == "recursive" else self._horizon()

    def _regressor(self) -> Any:
        return inner_regressor(self)

    def _transform(self) -> SeriesTransform:
        lags = [self.difference] if is_count(self.difference) else list(self.difference or ())
        return SeriesTransform(lags, self.scale, self.power)

    def _check_settings(self) -> None:
        check_settings(self, STRATEGIES)

    def _lookback(self) -> int:
        return int(self.lookback)

    def _horizon(self) -> int:
        return int(self.horizon)

    def _check_fitted(self, action: str) -> None:
        if not hasattr(self, "model_"):
            raise NotFittedError(
                f"This LSTMForecaster is not fitted yet: call fit(y) before {action}."
            )

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "model_")
