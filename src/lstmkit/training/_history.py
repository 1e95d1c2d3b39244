"""The record of a fit, shaped like Keras's ``History``."""

from __future__ import annotations

from typing import Any


class History:
    """Loss and metrics per epoch, for training and validation data.

    ``history`` maps names (``"loss"``, ``"accuracy"``, ``"val_loss"``, …) to one
    value per epoch, exactly as ``keras.callbacks.History.history`` does.

    Example:
        >>> history = History()
        >>> history.append(0, {"loss": 0.5, "val_loss": 0.7})
        >>> history.history["val_loss"], history.epoch
        ([0.7], [0])
    """

    def __init__(
        self, history: dict[str, list[float]] | None = None, epoch: list[int] | None = None
    ):
        self.history: dict[str, list[float]] = {k: list(v) for k, v in (history or {}).items()}
        self.epoch: list[int] = list(epoch or [])

    def append(self, epoch: int, logs: dict[str, float]) -> None:
        """Record the values of one finished epoch."""
        self.epoch.append(epoch)
        for name, value in logs.items():
            self.history.setdefault(name, []).append(float(value))

    def tail(self, count: int = 3) -> list[dict[str, Any]]:
        """Return the last ``count`` epochs as ``{"epoch": n, name: value, ...}`` rows.

        Example:
            >>> history = History({"loss": [3.0, 2.0, 1.0]}, [0, 1, 2])
            >>> history.tail(1)
            [{'epoch': 3, 'loss': 1.0}]
        """
        rows = []
        for position in range(max(0, len(self.epoch) - count), len(self.epoch)):
            row: dict[str, Any] = {"epoch": self.epoch[position] + 1}
            row.update({name: self.history[name][position] for name in self.keys()})
            rows.append(row)
        return rows

    def keys(self) -> list[str]:
        """Names in Keras's display order: loss, metrics, then their validation twins.

        Example:
            >>> History({"val_loss": [1.0], "accuracy": [0.5], "loss": [2.0]}, [0]).keys()
            ['loss', 'accuracy', 'val_loss']
        """

        def order(name: str) -> tuple[bool, bool, str]:
            return (name.startswith("val_"), name not in ("loss", "val_loss"), name)

        return sorted(self.history, key=order)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable copy (NaN stays NaN; the model file encodes it).

        Example:
            >>> History({"loss": [1.0]}, [0]).to_dict()
            {'history': {'loss': [1.0]}, 'epoch': [0]}
        """
        return {"history": {k: list(v) for k, v in self.history.items()}, "epoch": list(self.epoch)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> History:
        """Rebuild a History from :meth:`to_dict`'s output.

        Example:
            >>> History.from_dict({"history": {"loss": [1.0]}, "epoch": [0]}).history
            {'loss': [1.0]}
        """
        return cls(data.get("history"), data.get("epoch"))

    def __repr__(self) -> str:
        return f"History(epochs={len(self.epoch)}, keys={sorted(self.history)})"
