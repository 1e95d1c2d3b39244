"""What a demonstration recipe reports: the skill reached beside a baseline's.

Every problem's ``recipe(...)`` returns a :class:`RecipeResult`; ``lstmkit demo NAME``
prints it, and ``bench/skill.py`` collects one row per recipe into a markdown table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class RecipeResult:
    """The outcome of one recipe run.

    Attributes:
        problem: the problem's name (``"damped_sine"``).
        architecture: the architecture trained (``"stacked"``).
        metric: what ``skill`` and ``baseline`` measure (``"MAE"``, ``"accuracy"``, ...).
        skill: the trained model's score on fresh data.
        baseline: the baseline's score on the same data.
        baseline_name: what the baseline is (``"persistence"``).
        higher_is_better: True for accuracies, False for errors.
        epochs: epochs (or passes over fresh data) trained.
        seconds: wall time of training and evaluation.
        model: the fitted estimator (not printed).
        details: anything else worth printing (other variants' scores, examples).

    Example:
        >>> result = RecipeResult("damped_sine", "stacked", "MAE", 0.02, 0.1, "persistence",
        ...                       False, 1, 3.5)
        >>> result.beats_baseline
        True
    """

    problem: str
    architecture: str
    metric: str
    skill: float
    baseline: float
    baseline_name: str
    higher_is_better: bool
    epochs: int
    seconds: float
    model: Any = None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def beats_baseline(self) -> bool:
        """True when the model's skill is better than the baseline's."""
        if self.higher_is_better:
            return self.skill > self.baseline
        return self.skill < self.baseline

    def summary_line(self) -> str:
        """One line for the demo's output.

        Example:
            >>> RecipeResult("p", "a", "accuracy", 0.99, 0.5, "majority", True, 3, 1.25).summary_line()
            'p (a): accuracy 0.9900 vs majority 0.5000 - 3 epochs, 1.2 s'
        """
        return (
            f"{self.problem} ({self.architecture}): {self.metric} {self.skill:.4f} vs "
            f"{self.baseline_name} {self.baseline:.4f} - {self.epochs} epochs, {self.seconds:.1f} s"
        )
