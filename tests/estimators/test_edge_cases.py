"""Cases found in review: label conventions, per-step lengths, masking, splits, saving."""

import numpy as np
import pytest

import lstmkit
from lstmkit.errors import ConfigError, DataError, ModelFileError, ShapeError
from lstmkit.problems import echo


def test_minus_one_is_an_ordinary_label_for_one_label_per_sequence():
    X, codes = echo.make(40, n_features=2, random_state=0)
    labels = np.where(codes == 0, -1, 1)
    model = lstmkit.LSTMClassifier(units=3, epochs=1, random_state=0).fit(X, labels)
    assert model.classes_.tolist() == [-1, 1]
    assert set(model.predict(X)) <= {-1, 1}


def test_a_column_of_labels_is_not_read_as_one_hot():
    X, codes = echo.make(30, n_features=3, random_state=0)
    model = lstmkit.LSTMClassifier(units=3, epochs=1, random_state=0).fit(X, codes[:, None])
    assert model.classes_.tolist() == [0, 1, 2] and not model.one_hot_


def test_ragged_per_step_string_labels_get_no_phantom_class():
    X = [np.zeros((3, 1)), np.ones((1, 1))]
    y = [np.array(["a", "b", "a"]), np.array(["b"])]
    model = lstmkit.LSTMClassifier(units=3, epochs=1, return_sequences=True, random_state=0)
    model.fit(X, y)
    assert model.classes_.tolist() == ["a", "b"]
    assert model.loss_ == "binary_crossentropy"


def test_per_step_regressor_scores_sequences_of_another_length():
    rng = np.random.default_rng(0)
    model = lstmkit.LSTMRegressor(units=3, epochs=1, return_sequences=True, random_state=0)
    model.fit(rng.random((6, 10, 1)), rng.random((6, 10)))
    assert np.isfinite(model.score(rng.random((4, 12, 1)), rng.random((4, 12))))
    model.partial_fit([rng.random((3, 1)), rng.random((5, 1))], [rng.random(3), rng.random(5)])


def test_per_step_targets_must_match_their_sequence_lengths():
    model = lstmkit.LSTMRegressor(units=3, epochs=1, return_sequences=True)
    with pytest.raises(
        ShapeError, match=r"sequence 1 of X has 2 time steps but its targets y\[1\] have 3"
    ):
        model.fit([np.zeros((3, 1)), np.zeros((2, 1))], [np.zeros(3), np.zeros(3)])
    with pytest.raises(
        ShapeError, match=r"per-step targets y have shape \(2, 4\), but X has 3 time steps"
    ):
        model.fit(np.zeros((2, 3, 1)), np.zeros((2, 4)))


def test_masked_steps_are_left_out_of_scores_and_predictions():
    X = np.array([[[0.0], [1.0], [2.0]]] * 6, dtype="float32")
    X[::2, 1] = 0.5  # two kinds of sequence, so the score is defined
    y = np.ones((6, 3))
    y[:, 0] = 99.0  # the user's filler under the masked step
    regressor = lstmkit.LSTMRegressor(
        units=3, epochs=1, return_sequences=True, mask_value=0.0, random_state=0
    )
    regressor.fit(X, y)
    assert np.isfinite(regressor.score(X, y))
    assert np.isnan(regressor.predict(X)[:, 0]).all()
    labels = np.ones((6, 3), dtype=int)
    labels[1::2, 1:] = 0
    classifier = lstmkit.LSTMClassifier(
        units=3, epochs=1, return_sequences=True, mask_value=0.0, random_state=0
    )
    classifier.fit(X, labels)
    assert (classifier.predict(X)[:, 0] == -1).all()  # no input, no label
    predicted = classifier.predict(X)[:, 1:]
    assert classifier.score(X, labels) == pytest.approx((predicted == labels[:, 1:]).mean())


def test_masked_list_input_answers_at_original_positions():
    X = [np.array([[0.0], [1.0], [2.0]]), np.array([[0.0], [0.0], [3.0]])]
    model = lstmkit.LSTMRegressor(
        units=3, epochs=1, return_sequences=True, mask_value=0.0, random_state=0
    )
    model.fit(X, [np.ones(3), np.ones(3)])
    predicted = model.predict(X)
    assert predicted.shape == (2, 3)
    assert np.isnan(predicted[0, 0]) and np.isfinite(predicted[0, 1:]).all()
    assert np.isnan(predicted[1, :2]).all() and np.isfinite(predicted[1, 2])


def test_validation_split_rounds_like_keras_and_scalers_see_training_data_only():
    rng = np.random.default_rng(0)
    X = rng.random((10, 3, 1)).astype("float32")
    X[7:] += 100.0  # the validation part is far away
    model = lstmkit.LSTMRegressor(
        units=3, epochs=1, validation_split=0.25, scale_X="minmax", random_state=0
    )
    model.fit(X, np.zeros(10))
    assert model.scaler_X_.data_max_.tolist() == pytest.approx(
        [X[:7].max()]
    )  # floor(10 * 0.75) = 7


def test_numpy_integers_from_a_grid_are_accepted():
    model = lstmkit.LSTMRegressor(
        units=np.int64(3), epochs=np.int64(1), batch_size=np.int32(4), random_state=0
    )
    model.fit(np.zeros((8, 2, 1)), np.zeros(8))
    assert model.module_.config.hidden_size == 3


def test_balanced_class_weights_come_from_training_data_only():
    X, y = echo.make(60, n_features=3, random_state=0)
    X_val, y_val = X[:10], np.where(y[:10] == 2, 1, y[:10])  # one class missing
    model = lstmkit.LSTMClassifier(units=3, epochs=1, class_weight="balanced", random_state=0)
    model.fit(X, y, validation_data=(X_val, y_val))
    assert model.history_.history["val_loss"][0] == pytest.approx(
        model.evaluate(X_val, y_val)["loss"], rel=1e-6
    )


def test_partial_fit_takes_the_classes_up_front():
    X, _ = echo.make(4, random_state=0)
    model = lstmkit.LSTMClassifier(units=3, random_state=0)
    model.partial_fit(X, [0, 0, 0, 0], classes=[0, 1, 2])
    model.partial_fit(X, [2, 1, 2, 1])
    assert model.classes_.tolist() == [0, 1, 2]


def test_numpy_scalar_keywords_survive_the_file(tmp_path):
    X = np.array([[[0.0], [1.0], [2.0]]] * 4, dtype="float32")
    model = lstmkit.LSTMRegressor(units=3, epochs=1, mask_value=np.float32(0.0), random_state=0)
    model.fit(X, np.arange(4.0))
    model.save(tmp_path / "m.safetensors")
    loaded = lstmkit.load_model(tmp_path / "m.safetensors")
    assert loaded.mask_value == 0.0
    assert np.array_equal(loaded.predict(X), model.predict(X))


def test_a_keyword_that_cannot_be_saved_is_an_error(tmp_path):
    model = lstmkit.LSTMRegressor(units=3, epochs=1, mask_value=object(), random_state=0)
    model.mask_value = None
    model.fit(np.zeros((4, 2, 1)), np.zeros(4))
    model.mask_value = object()
    with pytest.raises(ModelFileError, match="cannot save the keyword mask_value="):
        model.save(tmp_path / "m.safetensors")
    assert not (tmp_path / "m.safetensors").exists()


def test_a_file_of_an_unregistered_architecture_names_custom_objects(tmp_path):
    from lstmkit.io import read_model_file, write_model_file

    model = lstmkit.LSTMRegressor(units=3, epochs=1, random_state=0).fit(
        np.zeros((4, 2, 1)), np.zeros(4)
    )
    model.save(tmp_path / "m.safetensors")
    tensors, manifest = read_model_file(tmp_path / "m.safetensors")
    manifest["architecture"] = "mine"
    write_model_file(tmp_path / "mine.safetensors", tensors, manifest)
    with pytest.raises(
        ModelFileError,
        match=r"architecture 'mine', which is not registered here: pass load_model\(path, custom_objects=",
    ):
        lstmkit.load_model(tmp_path / "mine.safetensors")


def test_nan_in_a_ragged_sequence_names_sample_and_step():
    X = [np.zeros((3, 1)), np.array([[0.0], [0.0], [np.nan]])]
    with pytest.raises(DataError, match="X contains NaN at sample 1, step 2, feature 0"):
        lstmkit.LSTMRegressor().fit(X, np.zeros(2))


def test_values_beyond_float32_are_refused():
    with pytest.raises(
        DataError, match=r"X holds 1e\+300 at sample 0, step 1, feature 0, beyond float32's range"
    ):
        lstmkit.LSTMRegressor().fit(np.array([[[0.0], [1e300]]]), np.zeros(1))


def test_keras_only_keywords_explain_themselves():
    with pytest.raises(
        ConfigError,
        match="'recurrent_dropout': recurrent_dropout cannot run in the fused LSTM kernel.*weight_dropout",
    ):
        lstmkit.LSTMClassifier(recurrent_dropout=0.2)
    with pytest.raises(ConfigError, match="'input_shape': the input shape is read from X at fit"):
        lstmkit.LSTMClassifier(input_shape=(5, 10))


def test_verbose_two_counts_epochs_within_each_call(capsys):
    model = lstmkit.LSTMRegressor(units=3, epochs=2, warm_start=True, verbose=2, random_state=0)
    model.fit(np.zeros((4, 2, 1)), np.zeros(4)).fit(np.zeros((4, 2, 1)), np.zeros(4))
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(" - ")[0] for line in lines] == [
        "Epoch 1/2",
        "Epoch 2/2",
        "Epoch 1/2",
        "Epoch 2/2",
    ]
