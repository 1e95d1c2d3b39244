"""Search spaces: suggestions stay in bounds, the run-file form parses, bad input is refused."""

import math
import re

import optuna
import pytest

from lstmkit.errors import ConfigError
from lstmkit.tune import Choice, Float, Int, space_from_mapping
from lstmkit.tune._space import grid_of, split_space, suggest_all

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

optuna.logging.set_verbosity(optuna.logging.WARNING)

RUN_FILE = """
[tune.space]
units = {low = 4, high = 64, log = true}
num_layers = {low = 1, high = 3}
batch_size = {low = 8, high = 64, step = 8}
learning_rate = {low = 1e-4, high = 1e-1, log = true}
dropout = {low = 0, high = 0.5}
architecture = ["vanilla", "stacked"]
optimizer = {choices = ["adam", "rmsprop"]}
epochs = 20
"""


def test_run_file_form_reads_as_the_python_form():
    space = space_from_mapping(tomllib.loads(RUN_FILE)["tune"]["space"])
    assert space == {
        "units": Int(4, 64, log=True),
        "num_layers": Int(1, 3),
        "batch_size": Int(8, 64, step=8),
        "learning_rate": Float(1e-4, 1e-1, log=True),
        "dropout": Float(0.0, 0.5),  # one float bound makes the range real
        "architecture": Choice(["vanilla", "stacked"]),
        "optimizer": Choice(["adam", "rmsprop"]),
        "epochs": 20,  # a plain scalar is fixed
    }


def test_suggestions_stay_within_bounds_on_their_grid():
    searched, fixed = split_space(tomllib.loads(RUN_FILE)["tune"]["space"])
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    for _ in range(40):
        values = suggest_all(searched, study.ask())
        assert 4 <= values["units"] <= 64 and isinstance(values["units"], int)
        assert 1 <= values["num_layers"] <= 3
        assert values["batch_size"] in range(8, 65, 8)
        assert 1e-4 <= values["learning_rate"] <= 1e-1
        assert 0.0 <= values["dropout"] <= 0.5
        assert values["architecture"] in ("vanilla", "stacked")
    assert fixed == {"epochs": 20}


def test_log_scale_spreads_over_decades():
    # Uniform in log space: about half of the draws fall below the geometric mean 1e-2.
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=1))
    draws = [Float(1e-4, 1.0, log=True).suggest(study.ask(), "lr") for _ in range(400)]
    below = sum(value < 1e-2 for value in draws) / len(draws)
    assert abs(below - 0.5) < 0.1  # binomial sd 0.025: four sd of slack
    assert min(draws) < 1e-3 and max(draws) > 1e-1
    assert all(math.isfinite(value) for value in draws)


def test_grid_lists_every_value():
    assert grid_of({"units": Int(4, 16, step=4), "lookback": Choice([1, 8])}) == {
        "units": [4, 8, 12, 16],
        "lookback": [1, 8],
    }
    with pytest.raises(ConfigError, match=re.escape("sampler='grid' cannot enumerate Float")):
        grid_of({"dropout": Float(0.0, 0.5)})


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Int(5, 1), "Int low=5 is greater than high=1: give low <= high"),
        (lambda: Float(0.5, 0.1), "Float low=0.5 is greater than high=0.1: give low <= high"),
        (
            lambda: Float(0.0, 1.0, log=True),
            "Float(log=True) needs low > 0, got low=0.0: a log scale cannot reach zero or "
            "below; use log=False or a positive low",
        ),
        (
            lambda: Int(0, 8, log=True),
            "Int(log=True) needs low > 0, got low=0: a log scale cannot reach zero or below; "
            "use log=False or a positive low",
        ),
        (
            lambda: Int(1.5, 4),
            "Int bounds must be integers, got low=1.5, high=4: use Float for real values",
        ),
        (lambda: Int(1, 4, step=0), "Int step must be a positive integer, got 0"),
        (
            lambda: Int(1, 16, log=True, step=2),
            "Int(log=True) cannot take step=2: Optuna samples a log scale only with step=1",
        ),
        (lambda: Float("a", 1.0), "Float bounds must be real numbers, got low='a', high=1.0"),
        (lambda: Choice([]), "Choice needs at least one value, got an empty list"),
        (
            lambda: Choice([(8,), (8, 8)]),
            "Choice values must be None, bool, int, float or str (what Optuna stores), got "
            "[(8,), (8, 8)]: search a name or a number and map it to the value yourself",
        ),
    ],
)
def test_bad_dimensions_are_refused(build, message):
    with pytest.raises(ConfigError, match=f"^{re.escape(message)}$"):
        build()


def test_bad_run_file_entries_name_the_entry():
    with pytest.raises(
        ConfigError,
        match=re.escape("search space entry 'units': Int low=64 is greater than high=4"),
    ):
        space_from_mapping({"units": {"low": 64, "high": 4}})
    with pytest.raises(
        ConfigError,
        match=re.escape(
            "search space entry 'units': expected a range {low = ..., high = ...[, log = true]"
            "[, step = ...]} or {choices = [...]}, got keys ['high', 'lo']"
        ),
    ):
        space_from_mapping({"units": {"lo": 4, "high": 64}})
    with pytest.raises(
        ConfigError, match=re.escape("search space entry 'architecture': Choice needs at least")
    ):
        space_from_mapping({"architecture": []})


def test_a_space_that_searches_nothing_is_refused():
    message = (
        "the search space is empty: give at least one searched parameter, "
        "e.g. {'units': Int(4, 64)}"
    )
    for space in ({}, {"epochs": 5}):
        with pytest.raises(ConfigError, match=f"^{re.escape(message)}$"):
            split_space(space)
