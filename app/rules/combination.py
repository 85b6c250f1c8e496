"""How certainty factors add up: within a factor, and across a category's factors."""

from __future__ import annotations

from collections.abc import Callable

from app.rules.definition import Combination

Evidence = list[tuple[float, str]]  # (certainty factor, source) of each rule that fired


def combine(a: float, b: float) -> float:
    """MYCIN's combination of two certainty factors."""
    if a >= 0 and b >= 0:
        return a + b - a * b
    if a < 0 and b < 0:
        return a + b + a * b
    denominator = 1 - min(abs(a), abs(b))
    return (a + b) / denominator if denominator else 0.0  # certain for and against: no verdict


def combine_all(values: list[float]) -> float:
    result = 0.0
    for value in values:
        result = combine(result, value) if result or value else 0.0
    return result


def strongest(evidence: Evidence) -> float:
    """Per source, the strongest evidence for and the strongest against; sources combine.

    A source is what a rule reads (`answers`, `feedback`, `history`, ...). Signals from one
    source are one observation seen several ways (a low self-rating, a bored interviewer
    and an unsaid pitch all come from the candidate's memory of one hour), so only the
    strongest counts; independent sources (the interviewer's word, earlier rejections)
    reinforce each other the MYCIN way.
    """
    for_: dict[str, float] = {}
    against: dict[str, float] = {}
    for cf, source in evidence:
        if cf > 0:
            for_[source] = max(cf, for_.get(source, 0.0))
        elif cf < 0:
            against[source] = min(cf, against.get(source, 0.0))
    return combine_all([combine_all(list(for_.values())), combine_all(list(against.values()))])


def _mycin_factor(evidence: Evidence) -> float:
    return combine_all([cf for cf, _ in evidence])


def strongest_factor(values: list[float]) -> float:
    """A category is as strong as its strongest factor; with none for it, its strongest against.

    `max((v for v in values if v > 0), default=min(values, default=0.0))`, without a
    generator: the first of equals is kept, as `max` and `min` keep it."""
    strongest: float | None = None
    weakest: float | None = None
    for value in values:
        if value > 0 and (strongest is None or value > strongest):
            strongest = value
        if weakest is None or value < weakest:
            weakest = value
    if strongest is not None:
        return strongest
    return 0.0 if weakest is None else weakest


def mycin_category(values: list[float]) -> float:
    score = 0.0
    for value in values:
        if value:
            score = combine(score, value) if score else value
    return score


COMBINERS: dict[Combination, tuple[Callable[[Evidence], float], Callable[[list[float]], float]]]
COMBINERS = {
    Combination.CERTAINTY_FACTORS: (_mycin_factor, mycin_category),
    Combination.STRONGEST_EVIDENCE: (strongest, strongest_factor),
}
