"""Make docs/images/diagnose-*.png: one learning curve per verdict, for the guide.

The five curves are synthetic, so each shows its verdict plainly and the figures never
change with the machine: the same curves the guide "Diagnose and tune" defines in its
code (its test checks that the two agree). Each figure is
``diagnose_learning_curves(curve).plot()``: the verdict is the title and a dotted line
marks the best epoch. Run from the repository root:

    .venv/bin/python docs/images/make_diagnose_figures.py

The PNGs are drawn at 80 dpi and reduced to a 64-colour palette (about 20 KB each).
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

FOLDER = Path(__file__).resolve().parent

# ---------------------------------------------------------------- the curves (as in the guide)

epoch = np.arange(40.0)
noise = np.random.default_rng(0).normal(scale=0.002, size=(2, 40))  # epoch-to-epoch jitter
spikes = 0.06 * (np.random.default_rng(1).random(40) < 0.4) * (epoch > 4)  # sudden jumps


def fall(start: float, end: float, rate: float) -> np.ndarray:
    """A loss falling from ``start`` towards ``end``, closing ``rate`` of the gap per epoch."""
    return end + (start - end) * np.exp(-rate * epoch)


CURVES = {
    "underfit": {
        "loss": fall(0.52, 0.48, 0.3) + 2 * noise[0],
        "val_loss": fall(0.54, 0.50, 0.3) + 2 * noise[1],
    },
    "good fit": {
        "loss": fall(0.50, 0.05, 0.25) + noise[0],
        "val_loss": fall(0.55, 0.07, 0.25) + noise[1],
    },
    "overfit": {
        "loss": fall(0.50, 0.02, 0.12) + noise[0],
        "val_loss": fall(0.55, 0.10, 0.2) + 0.004 * np.maximum(epoch - 12, 0) + noise[1],
    },
    "unstable": {
        "loss": fall(0.50, 0.10, 0.2) + spikes,
        "val_loss": fall(0.55, 0.12, 0.2) + 1.2 * spikes,
    },
    "not converged": {
        "loss": fall(0.50, 0.00, 0.04) + noise[0],
        "val_loss": fall(0.55, 0.03, 0.04) + noise[1],
    },
}

# ---------------------------------------------------------------- the figures


def file_name(verdict: str) -> str:
    """``diagnose-<verdict>.png``, spaces as hyphens: ``diagnose-good-fit.png``."""
    return f"diagnose-{verdict.replace(' ', '-')}.png"


def draw(verdict: str):
    """The learning-curve figure of ``CURVES[verdict]``, titled with its diagnosis."""
    from lstmkit.diagnostics import diagnose_learning_curves

    figure = diagnose_learning_curves(CURVES[verdict]).plot()
    for ax in figure.axes:  # from 0, so a flat curve high above it looks flat and high
        ax.set_ylim(bottom=0)
    return figure


def write_png(figure, path: Path, dpi: int = 80, colours: int = 64) -> None:
    """Save ``figure`` at ``dpi`` as a palette PNG of ``colours`` colours (small files)."""
    from PIL import Image

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    image = Image.open(buffer).convert("RGB")
    image.quantize(colors=colours).save(path, optimize=True)


def main() -> None:
    for verdict in CURVES:
        path = FOLDER / file_name(verdict)
        write_png(draw(verdict), path)
        print(f"{path.relative_to(FOLDER.parents[1])}: {path.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
