"""The run-file schema: valid files, and one exact message per kind of mistake."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lstmkit.config import RunConfig, load_run_file, resolve_path
from lstmkit.errors import ConfigError

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

MINIMAL = """
[data]
train = "train.npz"

[model]
task = "classifier"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "run.toml"
    path.write_text(text)
    return path


def problems(tmp_path: Path, text: str, overrides: dict | None = None) -> str:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_run_file(path, overrides)
    return str(caught.value).replace(str(path), "run.toml")


def test_minimal_file_sets_nothing_but_the_task(tmp_path):
    config = load_run_file(write(tmp_path, MINIMAL))
    assert config.model.task == "classifier"
    assert config.data.x_key == "X" and config.data.y_key == "y"
    assert config.output is None
    assert config.estimator_params() == {}


def test_every_key_maps_onto_an_estimator_keyword(tmp_path):
    text = """
output = "model.safetensors"
[data]
train = "train.csv"
validation = "val.csv"
test = "test.csv"
target = "label"
timesteps = 5
features = 2
encoding = "latin-1"
delimiter = ";"
[model]
task = "regressor"
units = 50
num_layers = 2
dropout = 0.1
return_sequences = false
init = "torch"
mask_value = -1.0
scale_X = true
scale_y = true
[training]
epochs = 3
batch_size = 16
optimizer = "sgd"
learning_rate = 0.01
momentum = 0.9
loss = "mae"
metrics = ["mae", "rmse"]
clipnorm = 1
shuffle = false
validation_split = 0.2
verbose = 2
random_state = 7
device = "cpu"
"""
    config = load_run_file(write(tmp_path, text))
    assert config.estimator_params() == {
        "units": 50,
        "num_layers": 2,
        "dropout": 0.1,
        "return_sequences": False,
        "init": "torch",
        "mask_value": -1.0,
        "scale_X": True,
        "scale_y": True,
        "epochs": 3,
        "batch_size": 16,
        "optimizer": "sgd",
        "learning_rate": 0.01,
        "momentum": 0.9,
        "loss": "mae",
        "metrics": ["mae", "rmse"],
        "clipnorm": 1.0,
        "shuffle": False,
        "validation_split": 0.2,
        "verbose": 2,
        "random_state": 7,
        "device": "cpu",
    }
    assert config.data.delimiter == ";" and config.data.timesteps == 5


def test_estimator_keywords_are_accepted_by_the_estimators():
    import inspect

    import lstmkit

    schema = (
        set(RunConfig.model_fields["model"].annotation.model_fields)
        | set(RunConfig.model_fields["training"].annotation.model_fields)
    ) - {"task", "plugins"}  # plugins are imported by the command line, not estimator keywords
    classifier = set(inspect.signature(lstmkit.LSTMClassifier).parameters)
    regressor = set(inspect.signature(lstmkit.LSTMRegressor).parameters)
    assert schema - {"scale_X", "scale_y"} <= classifier
    assert schema - {"class_weight"} <= regressor


def test_the_echo_example_is_valid():
    config = load_run_file(EXAMPLES / "echo.toml")
    assert config.model.task == "classifier"
    assert config.data.train.endswith(".npz")


def test_unknown_keys_are_all_reported_with_a_suggestion(tmp_path):
    text = """
outptu = "x"
[data]
train = "d.npz"
[model]
task = "classifier"
unts = 25
[training]
epoch = 3
"""
    assert problems(tmp_path, text) == (
        "run.toml: unknown key 'unts' in [model]. Did you mean 'units'?\n"
        "run.toml: unknown key 'epoch' in [training]. Did you mean 'epochs'?\n"
        "run.toml: unknown key 'outptu' at the top level. Did you mean 'output'?"
    )


def test_a_key_in_the_wrong_table_says_where_it_belongs(tmp_path):
    text = MINIMAL + "epochs = 3\n"
    assert problems(tmp_path, text) == (
        "run.toml: unknown key 'epochs' in [model]: it belongs in [training]."
    )
    text = "units = 3\n" + MINIMAL
    assert problems(tmp_path, text) == (
        "run.toml: unknown key 'units' at the top level: it belongs in [model]."
    )


def test_output_after_a_table_says_to_move_it(tmp_path):
    assert problems(tmp_path, MINIMAL + 'output = "m.safetensors"\n') == (
        "run.toml: unknown key 'output' in [model]: it belongs at the top level, before "
        "the first [table]."
    )


def test_unknown_section(tmp_path):
    assert problems(tmp_path, MINIMAL + "[trainig]\nepochs = 3\n") == (
        "run.toml: unknown section [trainig]: expected [data], [model] and [training]. "
        "Did you mean [training]?"
    )


def test_bad_choices_get_a_did_you_mean(tmp_path):
    text = MINIMAL.replace("classifier", "classifer") + (
        '[training]\noptimizer = "adma"\nmetrics = ["accuracy", "rmsee"]\n'
    )
    assert problems(tmp_path, text) == (
        "run.toml: [model] task = \"classifer\": expected one of 'classifier', "
        "'regressor'. Did you mean 'classifier'?\n"
        "run.toml: [training] optimizer = \"adma\": expected one of 'adam', 'sgd', "
        "'rmsprop', 'adagrad'. Did you mean 'adam'?\n"
        "run.toml: [training] metrics[1] = \"rmsee\": expected one of 'accuracy', 'mae', "
        "'rmse'. Did you mean 'rmse'?"
    )


def test_wrong_types_and_ranges_name_the_location(tmp_path):
    text = MINIMAL + (
        '[training]\nepochs = "ten"\nshuffle = 1\nlearning_rate = inf\nbatch_size = 0\n'
        "dropout = 0.5\n"
    )
    text = text.replace("[training]\n", "[training]\n", 1)
    assert problems(tmp_path, text) == (
        'run.toml: [training] epochs = "ten": expected an integer\n'
        "run.toml: [training] batch_size = 0: expected greater than or equal to 1\n"
        "run.toml: [training] learning_rate = inf: expected a finite number\n"
        "run.toml: [training] shuffle = 1: expected true or false\n"
        "run.toml: unknown key 'dropout' in [training]: it belongs in [model]."
    )


def test_a_quoted_number_is_not_silently_converted(tmp_path):
    assert problems(tmp_path, MINIMAL + 'num_layers = "2"\n') == (
        'run.toml: [model] num_layers = "2": expected an integer'
    )


def test_missing_sections_and_keys(tmp_path):
    assert problems(tmp_path, "[data]\n") == (
        "run.toml: missing key 'train' in [data]: the training data file (.npz or .csv)\n"
        'run.toml: missing section [model]: add one with at least task = "classifier"'
    )
    assert problems(tmp_path, '[data]\ntrain = "d.npz"\n[model]\nunits = 3\n') == (
        "run.toml: missing key 'task' in [model]: the estimator: 'classifier' "
        "(LSTMClassifier) or 'regressor' (LSTMRegressor)"
    )


def test_a_section_that_is_not_a_table(tmp_path):
    assert problems(tmp_path, 'data = "d.npz"\n[model]\ntask = "regressor"\n') == (
        'run.toml: [data] must be a table, got "d.npz"'
    )


def test_settings_of_the_other_task_are_refused_together(tmp_path):
    text = MINIMAL + "scale_X = true\nscale_y = true\n"
    assert problems(tmp_path, text) == (
        'run.toml: [model] scale_X applies to task = "regressor" only: remove it, or set '
        'task = "regressor"\n'
        'run.toml: [model] scale_y applies to task = "regressor" only: remove it, or set '
        'task = "regressor"'
    )
    text = MINIMAL.replace("classifier", "regressor") + "[training.class_weight]\n0 = 1.0\n"
    assert problems(tmp_path, text) == (
        'run.toml: [training] class_weight applies to task = "classifier" only: remove it, '
        'or set task = "classifier"'
    )


def test_overrides_replace_file_values_and_are_named_in_errors(tmp_path):
    path = write(tmp_path, MINIMAL + "[training]\nepochs = 100\n")
    config = load_run_file(path, {"training.epochs": 1, "training.batch_size": None})
    assert config.training.epochs == 1
    assert config.training.batch_size is None
    assert problems(tmp_path, MINIMAL, {"training.device": "cdua"}) == (
        "run.toml: [training] device = \"cdua\" (from --device): expected one of 'auto', "
        "'cpu', 'cuda'. Did you mean 'cuda'?"
    )


def test_missing_file_and_invalid_toml(tmp_path):
    with pytest.raises(ConfigError, match=r"^run file '.*nope\.toml' does not exist: check"):
        load_run_file(tmp_path / "nope.toml")
    message = problems(tmp_path, "[data\ntrain = 1\n")
    assert re.fullmatch(r"run\.toml: not valid TOML: .*\(at line 1, column 6\)", message)
    path = tmp_path / "run.toml"
    path.write_bytes(b'[data]\ntrain = "caf\xe9"\n')
    with pytest.raises(ConfigError, match="not valid"):
        load_run_file(path)


def test_relative_paths_follow_the_run_file(tmp_path):
    run = tmp_path / "sub" / "run.toml"
    assert resolve_path("d.npz", run) == tmp_path / "sub" / "d.npz"
    assert resolve_path(tmp_path / "abs.npz", run) == tmp_path / "abs.npz"


def test_sections_are_frozen():
    config = RunConfig.model_validate({"data": {"train": "d"}, "model": {"task": "regressor"}})
    with pytest.raises(ValueError):
        config.model.units = 3  # type: ignore[misc]


def test_scaling_choices(tmp_path):
    base = MINIMAL.replace("classifier", "regressor")
    config = load_run_file(write(tmp_path, base + 'scale_X = "minmax"\nscale_y = true\n'))
    assert config.estimator_params() == {"scale_X": "minmax", "scale_y": True}
    assert problems(tmp_path, base + 'scale_X = "minmx"\nscale_y = 1\n') == (
        'run.toml: [model] scale_X = "minmx": expected true, false, "standard" or '
        "\"minmax\". Did you mean 'minmax'?\n"
        'run.toml: [model] scale_y = 1: expected true, false, "standard" or "minmax".'
    )


def test_class_weight_forms(tmp_path):
    config = load_run_file(
        write(
            tmp_path, MINIMAL.replace("[model]", '[training]\nclass_weight = "balanced"\n[model]')
        )
    )
    assert config.training.class_weight == "balanced"
    text = MINIMAL + "[training.class_weight]\n0 = 1\n1 = 2.5\n"
    assert load_run_file(write(tmp_path, text)).training.class_weight == {"0": 1.0, "1": 2.5}
    assert problems(tmp_path, MINIMAL + '[training]\nclass_weight = "even"\n') == (
        'run.toml: [training] class_weight = "even": expected "balanced" or a table of '
        'non-negative weights per label, e.g. class_weight = { "0" = 1.0, "1" = 5.0 }'
    )


def test_units_take_an_integer_or_one_width_per_layer(tmp_path):
    config = load_run_file(write(tmp_path, MINIMAL + "units = [32, 128]\n"))
    assert config.estimator_params() == {"units": [32, 128]}
    assert problems(tmp_path, MINIMAL + "units = [32, 0]\n") == (
        "run.toml: [model] units = [32, 0]: expected a positive integer or a list of them, one "
        "width per layer, e.g. units = 50 or units = [32, 128]"
    )
