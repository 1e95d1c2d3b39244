"""TensorBoard and MLflow logging: what they store is read back and matched to the history."""

import re
import sys

import numpy as np
import pytest
from sklearn.base import clone

import lstmkit
from lstmkit.errors import MissingDependencyError
from lstmkit.problems import echo

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _fit(callback, epochs=3):
    X, y = echo.make(64, random_state=0)
    return lstmkit.LSTMClassifier(
        units=4,
        epochs=epochs,
        learning_rate=0.01,
        metrics=["accuracy"],
        validation_split=0.25,
        callbacks=[callback],
        random_state=0,
    ).fit(X, y)


def test_tensorboard_scalars_match_the_history(tmp_path):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    model = _fit(lstmkit.TensorBoardLogger(tmp_path / "logs"))
    events = EventAccumulator(str(tmp_path / "logs"))
    events.Reload()
    history = model.history_.history
    assert set(events.Tags()["scalars"]) == set(history) | {"lr"}
    for name, values in history.items():
        logged = events.Scalars(name)
        assert [event.step for event in logged] == [0, 1, 2]  # 0-based epochs, as Keras
        # Event files store float32: equal to the history within float32 rounding.
        np.testing.assert_allclose([e.value for e in logged], values, rtol=1e-6)
    assert [event.value for event in events.Scalars("lr")] == pytest.approx([0.01] * 3)


def test_tensorboard_logger_survives_clone_and_writes_one_file_per_fit(tmp_path):
    logger = lstmkit.TensorBoardLogger(tmp_path)
    X, y = echo.make(32, random_state=0)
    template = lstmkit.LSTMClassifier(units=4, epochs=1, callbacks=[logger], random_state=0)
    clone(template).fit(X, y)
    template.fit(X, y)
    assert len(list(tmp_path.glob("events.out.tfevents*"))) == 2


@pytest.fixture(scope="module")
def mlflow_uri(tmp_path_factory):
    """One tracking database for the module: creating one costs seconds."""
    return f"sqlite:///{tmp_path_factory.mktemp('mlflow') / 'mlflow.db'}"


def test_mlflow_metrics_match_the_history_in_a_run_it_starts_and_ends(mlflow_uri):
    import mlflow
    from mlflow.tracking import MlflowClient

    uri = mlflow_uri
    logger = lstmkit.MLflowLogger(
        tracking_uri=uri, experiment="echo", run_name="lstm", params={"units": 4}
    )
    model = _fit(logger)
    assert mlflow.active_run() is None  # the run it started is ended
    client = MlflowClient(tracking_uri=uri)
    (run,) = client.search_runs([client.get_experiment_by_name("echo").experiment_id])
    assert run.info.run_name == "lstm" and run.data.params == {"units": "4"}
    for name, values in model.history_.history.items():
        logged = sorted(client.get_metric_history(run.info.run_id, name), key=lambda m: m.step)
        assert [m.step for m in logged] == [0, 1, 2]
        np.testing.assert_allclose([m.value for m in logged], values, rtol=1e-12)


def test_mlflow_logs_into_a_run_the_caller_opened_and_leaves_it_open(mlflow_uri):
    import mlflow

    mlflow.set_tracking_uri(mlflow_uri)
    mlflow.set_experiment("opened by the caller")
    with mlflow.start_run() as outer:
        _fit(lstmkit.MLflowLogger(), epochs=2)
        assert mlflow.active_run().info.run_id == outer.info.run_id
    metrics = mlflow.get_run(outer.info.run_id).data.metrics
    assert {"loss", "val_loss", "accuracy", "lr"} <= set(metrics)


@pytest.mark.parametrize(
    ("module", "factory", "extra"),
    [
        ("tensorboard", lambda: lstmkit.TensorBoardLogger("logs"), "tensorboard"),
        ("mlflow", lambda: lstmkit.MLflowLogger(), "mlflow"),
    ],
)
def test_a_missing_package_names_the_extra_before_training(monkeypatch, module, factory, extra):
    monkeypatch.setitem(sys.modules, module, None)  # import fails as if not installed
    name = "TensorBoardLogger" if module == "tensorboard" else "MLflowLogger"
    message = (
        f"{name} needs the package '{module}', which is not installed: "
        f"pip install 'lstmkit[{extra}]'"
    )
    with pytest.raises(MissingDependencyError, match=re.escape(message)):
        factory()
