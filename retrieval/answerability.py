"""Whether the best passages answer a question: the verdict and its reason."""

from __future__ import annotations

from dataclasses import dataclass

from .errors import SettingsError


@dataclass(frozen=True)
class JudgeSettings:
    """When a question counts as answered.

    ``min_coverage``: the share of the question's information (IDF mass) the best passage must
    hold, 0 to 1. ``furniture_share``: the share of it that may be the website's furniture
    (copyright, contact, reposting words) before the question counts as about the site.
    """

    min_coverage: float = 0.15
    furniture_share: float = 0.3

    def __post_init__(self) -> None:
        for name in ("min_coverage", "furniture_share"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise SettingsError(f"{name} must be between 0 and 1, got {value}")
