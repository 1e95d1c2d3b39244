"""``LSTMGenerator``: character-level text generation (the Keras char-RNN lesson).

The Keras lesson cuts the text into 100-character windows, one sample per position,
and predicts the character after each window. Here the text is one long stream, cut
into ``batch_size`` contiguous lanes and trained with truncated BPTT over
``seq_length``-character chunks: every character is a target once per epoch, each
step is computed once (not once per window it falls in), and the state is carried
from chunk to chunk, so the model can use context longer than a chunk::

    lane 0:  |-- seq_length --|-- seq_length --|-- ...    one update per chunk,
    lane 1:  |-- seq_length --|-- seq_length --|-- ...    state carried across │

Training composes an :class:`LSTMClassifier` (``architecture="generative"``, per-step
next-character labels, ``tbptt=TBPTT(seq_length, seq_length)``). Generation runs the
seed in one call, then samples one character at a time carrying the state
(``lstmkit.inference.sampling``): temperature 0 takes the most likely character.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.base import BaseEstimator

from lstmkit.errors import ConfigError, DataError, NotFittedError
from lstmkit.estimators._architecture import _units_problems
from lstmkit.estimators._generator_text import (
    character_vocabulary,
    check_documents,
    encode_characters,
    lane_parts,
    one_hot,
    unigram_cross_entropy,
)
from lstmkit.estimators._params import (
    check_set_params,
    is_count,
    move_module,
    resolve_device,
    seed_from,
    suggest_unknown_keywords,
)
from lstmkit.inference.sampling import _check_temperature, generate, sample_next
from lstmkit.training import TBPTT

_SEGMENT_STEPS = 4096  # characters per forward call when scoring a long text


@suggest_unknown_keywords
class LSTMGenerator(BaseEstimator):
    """A character-level LSTM language model: ``fit(text)``, then ``generate(seed, length)``.

    The vocabulary is the sorted set of the training text's characters (the book's
    ``sorted(list(set(raw_text)))``); each character is fed one-hot and the model
    predicts the next one at every step.

    Args:
        units: LSTM units per layer, or a list with each layer's width (``[256, 256]``).
        num_layers: stacked LSTM layers.
        dropout: dropout on each LSTM layer's output.
        seq_length: characters per truncated-BPTT chunk (``TBPTT(seq_length, seq_length)``):
            one weight update per chunk, the gradient reaching back ``seq_length``
            characters, the state carried on across chunks.
        batch_size: lanes: the text is cut into this many contiguous parts, trained side
            by side (each update sees ``batch_size * seq_length`` characters).
        epochs: passes over the text.
        optimizer: ``"adam"``, ``"rmsprop"``, ``"sgd"``, ``"adagrad"`` or an optimizer factory.
        learning_rate: None takes Keras's default for the optimizer.
        momentum: for ``"sgd"`` and ``"rmsprop"``.
        clipnorm: clip the gradient norm to this value (char-RNNs often use 5).
        callbacks: e.g. ``[EarlyStopping(monitor="val_loss", patience=2)]``.
        verbose: 0 silent, 1 progress bar, 2 one line per epoch.
        random_state: an integer makes two CPU fits bitwise identical.
        device: ``"auto"`` (GPU when present), ``"cpu"`` or ``"cuda"``.
        lowercase: lower-case the text (and seeds, and scored texts), as the book's lesson
            does, for a smaller vocabulary.

    Attributes:
        vocabulary_: the characters, index = code (a list of one-character strings).
        n_chars_: the vocabulary's size.
        character_counts_: how often each character occurs in the training text.
        module_: the trained ``GenerativeLSTM``.
        history_: loss (mean cross-entropy per character, in nats; perplexity is its
            exponential) and accuracy per epoch, with ``val_`` entries for
            ``validation_text``.

    Example:
        >>> model = LSTMGenerator(units=16, seq_length=8, batch_size=2, epochs=1, random_state=0)
        >>> model = model.fit("hello world " * 4)
        >>> model.vocabulary_
        [' ', 'd', 'e', 'h', 'l', 'o', 'r', 'w']
        >>> len(model.generate("hel", 10, temperature=0))
        10
    """

    def __init__(
        self,
        units: Any = 128,
        num_layers: int = 1,
        dropout: float = 0.0,
        seq_length: int = 64,
        batch_size: int = 32,
        epochs: int = 10,
        optimizer: Any = "adam",
        learning_rate: float | None = None,
        momentum: float = 0.0,
        clipnorm: float | None = None,
        callbacks: Any = None,
        verbose: int = 0,
        random_state: Any = None,
        device: str = "auto",
        lowercase: bool = False,
    ) -> None:
        self.units = units
        self.num_layers = num_layers
        self.dropout = dropout
        self.seq_length = seq_length
        self.batch_size = batch_size
        self.epochs = epochs
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.clipnorm = clipnorm
        self.callbacks = callbacks
        self.verbose = verbose
        self.random_state = random_state
        self.device = device
        self.lowercase = lowercase

    # ----------------------------------------------------------------- training
    def fit(self, text: Any, y: Any = None, *, validation_text: Any = None) -> LSTMGenerator:
        """Learn the vocabulary of ``text`` and train the model to predict each next character.

        Args:
            text: a string, or a list of strings (documents: separate streams, the state
                is not carried from one to the next).
            y: must be None (the targets are the text's next characters); present so
                scikit-learn's pipelines and searches can call ``fit(X, None)``.
            validation_text: held-out text (or documents) evaluated after every epoch
                (``val_loss``, ``val_accuracy`` in ``history_``), each run as a whole
                stream from a zero state. Its characters must occur in ``text``.

        Returns:
            self.

        Raises:
            DataError: ``text`` is not a string or list of strings, or is shorter than
                2 characters; ``validation_text`` has characters ``text`` lacks.
            ConfigError: an invalid keyword.
        """
        self._check_settings(y)
        documents = check_documents(text, "fit", self.lowercase)
        vocabulary = character_vocabulary(documents)
        codes = [encode_characters(document, vocabulary, "the text") for document in documents]
        validation_data = None
        if validation_text is not None:
            validation_data = _validation_streams(validation_text, vocabulary, self.lowercase)
        parts = lane_parts(codes, int(self.batch_size))
        inner = self._classifier(lanes=min(int(self.batch_size), len(parts)))
        X = [one_hot(inputs, len(vocabulary)) for inputs, _ in parts]  # (part, chars) each
        targets = [labels for _, labels in parts]  # (part,) next-character codes each
        # Every character is a class, even one never seen as a target (a document's first
        # character): the declaration LSTMClassifier.partial_fit(classes=...) makes.
        inner._declared_classes = np.arange(len(vocabulary))
        try:
            inner.fit(X, targets, validation_data=validation_data)
        finally:
            inner._declared_classes = None
        for name in [key for key in vars(self) if key.endswith("_") and not key.startswith("_")]:
            delattr(self, name)  # what an earlier fit learnt
        self.vocabulary_ = vocabulary
        self.n_chars_ = len(vocabulary)
        self.character_counts_ = np.bincount(np.concatenate(codes), minlength=len(vocabulary))
        self.module_ = inner.module_
        self.optimizer_ = inner.optimizer_
        self.history_ = inner.history_
        return self

    def _classifier(self, lanes: int) -> Any:
        """The LSTMClassifier that trains the model: next-character labels at every step."""
        from lstmkit.estimators._classifier import LSTMClassifier

        return LSTMClassifier(
            units=self.units,
            num_layers=self.num_layers,
            dropout=self.dropout,
            return_sequences=True,
            architecture="generative",
            optimizer=self.optimizer,
            learning_rate=self.learning_rate,
            momentum=self.momentum,
            loss="categorical_crossentropy",  # also for 2 characters: one score per character
            epochs=self.epochs,
            batch_size=lanes,
            callbacks=self.callbacks,
            clipnorm=self.clipnorm,
            verbose=self.verbose,
            random_state=self.random_state,
            device=self.device,
            tbptt=TBPTT(int(self.seq_length), int(self.seq_length)),
        )

    def _check_settings(self, y: Any) -> None:
        if y is not None:
            raise ConfigError(
                "LSTMGenerator.fit takes no y: the targets are the text's next characters. "
                "Call fit(text), or fit(text, validation_text=held_out)."
            )
        problems = list(_units_problems(self.units, self.num_layers))
        if not isinstance(self.dropout, (int, float)) or not 0.0 <= self.dropout < 1.0:
            problems.append(f"dropout must be a number in [0, 1), got {self.dropout!r}")
        for name, least in (("seq_length", 1), ("batch_size", 1), ("epochs", 0)):
            value = getattr(self, name)
            if not is_count(value) or value < least:
                kind = "a positive" if least else "a non-negative"
                problems.append(f"{name} must be {kind} integer, got {value!r}")
        if self.lowercase not in (True, False):
            problems.append(f"lowercase must be True or False, got {self.lowercase!r}")
        if problems:
            raise ConfigError("invalid LSTMGenerator settings: " + "; ".join(problems))

    # ----------------------------------------------------------------- generating
    def generate(
        self, seed: str, length: int, temperature: float = 1.0, random_state: Any = None
    ) -> str:
        """Continue ``seed`` with ``length`` new characters, drawn one at a time.

        The seed runs through the model in one call; then each character is drawn from
        the scores after the previous one and fed back, the state carrying everything
        so far. Temperature 0 takes the most likely character (greedy, deterministic);
        otherwise a character is drawn from ``softmax(scores / temperature)``: below 1
        sharper and more repetitive, above 1 more varied and more misspelt.

        Args:
            seed: the text to start from (at least one character, all in ``vocabulary_``;
                lower-cased first when the model was fitted with ``lowercase=True``).
            length: how many characters to generate (≥ 0).
            temperature: a finite number ≥ 0.
            random_state: an integer makes the draws repeatable (same seed, same text);
                None draws from torch's global random state.

        Returns:
            The ``length`` generated characters, without the seed.

        Raises:
            NotFittedError: before ``fit``.
            DataError: an empty seed, or one with characters the model never saw.
            ConfigError: a negative ``length`` or an invalid ``temperature``.

        Example:
            >>> model = LSTMGenerator(units=8, epochs=0, random_state=0).fit("abcab")
            >>> text = model.generate("ab", 5, temperature=0.5, random_state=1)
            >>> text == model.generate("ab", 5, temperature=0.5, random_state=1), len(text)
            (True, 5)
        """
        self._check_fitted("generate")
        if not is_count(length) or length < 0:
            raise ConfigError(
                f"length must be an integer >= 0 (the number of characters to generate), "
                f"got {length!r}"
            )
        _check_temperature(temperature)
        codes = self._seed_codes(seed)
        seed_value = seed_from(random_state)
        generator = None if seed_value is None else torch.Generator().manual_seed(seed_value)
        device = resolve_device(self.device)
        move_module(self.module_, device)
        seed_input = torch.from_numpy(one_hot(codes, self.n_chars_))[None].to(device)
        drawn: list[int] = []

        def next_input(scores: torch.Tensor) -> torch.Tensor:
            # Drawn on the CPU, so the same random_state gives the same text on any device.
            code = sample_next(scores.float().cpu(), temperature, generator)
            drawn.append(int(code[0]))
            return F.one_hot(code, self.n_chars_).to(device, seed_input.dtype)  # (1, chars)

        generate(self.module_, seed_input, int(length), next_input)
        return "".join(self.vocabulary_[code] for code in drawn)

    def _seed_codes(self, seed: Any) -> np.ndarray:
        if not isinstance(seed, str):
            raise DataError(
                f"seed must be a string of characters from the training text, got "
                f"{type(seed).__name__}"
            )
        if not seed:
            raise DataError(
                "seed is empty: pass at least one character to start from, e.g. a line of "
                "the training text (the model predicts each character from those before it)"
            )
        return encode_characters(seed.lower() if self.lowercase else seed, self.vocabulary_, "seed")

    # ----------------------------------------------------------------- scoring
    def evaluate(self, text: Any) -> dict[str, float]:
        """Per-character loss and accuracy on ``text``, run from a zero state.

        Each document is one stream: every character after the first is predicted from
        all those before it.

        Returns:
            ``loss`` (mean cross-entropy, nats per character), ``perplexity`` (its
            exponential), ``bits_per_character`` (loss / ln 2), ``accuracy`` (the most
            likely character is the next one) and ``unigram_loss``: the cross-entropy of
            predicting each character from its training frequency alone, the baseline a
            model that ignores context reaches.

        Raises:
            DataError: an invalid text, or characters the model never saw.

        Example:
            >>> model = LSTMGenerator(units=8, epochs=0, random_state=0).fit("abcab")
            >>> sorted(model.evaluate("cab"))
            ['accuracy', 'bits_per_character', 'loss', 'perplexity', 'unigram_loss']
        """
        self._check_fitted("evaluate")
        documents = check_documents(text, "evaluate", self.lowercase)
        codes = [
            encode_characters(document, self.vocabulary_, "the text") for document in documents
        ]
        device = resolve_device(self.device)
        move_module(self.module_, device)
        self.module_.eval()
        total, correct, steps = 0.0, 0, 0
        for document in codes:
            logits = self._stream_scores(document[:-1], device)  # (steps, chars)
            targets = torch.from_numpy(document[1:]).to(device)
            total += float(F.cross_entropy(logits.double(), targets, reduction="sum"))
            correct += int((logits.argmax(dim=-1) == targets).sum())
            steps += len(targets)
        loss = total / steps
        targets = np.concatenate([document[1:] for document in codes])
        return {
            "loss": loss,
            "perplexity": math.exp(loss),
            "bits_per_character": loss / math.log(2.0),
            "accuracy": correct / steps,
            "unigram_loss": unigram_cross_entropy(np.asarray(self.character_counts_), targets),
        }

    def score(self, text: Any, y: Any = None) -> float:
        """Mean log-likelihood per character of ``text`` (nats): ``-evaluate(text)["loss"]``.

        Greater is better (scikit-learn's rule), so ``GridSearchCV`` over a list of
        documents picks the model with the lowest held-out cross-entropy.
        """
        return -self.evaluate(text)["loss"]

    @torch.no_grad()
    def _stream_scores(self, codes: np.ndarray, device: torch.device) -> torch.Tensor:
        """Scores after each character of ``codes``, one stream from a zero state."""
        state, scores = None, []
        # In segments with the state carried on: the same result as one call, with the
        # one-hot input of a long text never held whole.
        for start in range(0, len(codes), _SEGMENT_STEPS):
            segment = one_hot(codes[start : start + _SEGMENT_STEPS], self.n_chars_)
            outputs, state = self.module_(torch.from_numpy(segment)[None].to(device), state)
            scores.append(outputs[0])
        return torch.cat(scores)

    # ----------------------------------------------------------------- the rest
    def summary(self, print_fn: Any = print) -> str:
        """Print and return a Keras-like summary: layers, parameters, vocabulary, history.

        Example:
            >>> model = LSTMGenerator(units=4, seq_length=4, epochs=1, random_state=0)
            >>> "Total params" in model.fit("abcabcabc").summary(print_fn=None)
            True
        """
        from lstmkit.estimators._summary import summary_text

        self._check_fitted("summary")
        text = summary_text(self)
        if print_fn is not None:
            print_fn(text)
        return text

    def save(self, path: Any) -> None:
        """Write the fitted model, with its vocabulary, to one safe file (``lstmkit.load_model``)."""
        from lstmkit.estimators._persistence import save_estimator

        self._check_fitted("save")
        save_estimator(self, path)

    def set_params(self, **params: Any) -> LSTMGenerator:
        """Set constructor keywords (scikit-learn), with a did-you-mean for unknown names."""
        check_set_params(self, params)
        return super().set_params(**params)

    def _check_fitted(self, action: str) -> None:
        if not hasattr(self, "module_"):
            raise NotFittedError(
                f"This LSTMGenerator is not fitted yet: call fit(text) before {action}."
            )

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "module_")


def _validation_streams(text: Any, vocabulary: list[str], lowercase: bool) -> tuple[list, list]:
    """``(X, y)`` for the classifier: each validation document one whole stream."""
    documents = check_documents(text, "fit's validation_text", lowercase)
    codes = [encode_characters(document, vocabulary, "validation_text") for document in documents]
    return (
        [one_hot(document[:-1], len(vocabulary)) for document in codes],
        [document[1:] for document in codes],
    )
