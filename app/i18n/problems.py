"""The problem an explicit locale Debrief cannot serve is answered with."""

from __future__ import annotations

from collections.abc import Sequence

from app.core.errors import FieldProblem, ProblemError
from app.i18n.locales import LocaleUnavailable


class LocaleNotAvailable(ProblemError):
    status = 422
    slug = "locale-not-available"
    title = "Locale Not Available"
    description = (
        "The locale asked for is not one the texts exist in; `available_locales` lists "
        "those that do. Debrief never answers in another language instead."
    )

    @classmethod
    def of(cls, exc: LocaleUnavailable, pointer: str) -> LocaleNotAvailable:
        return cls.listing(exc.requested, exc.available, pointer)

    @classmethod
    def listing(cls, requested: str, available: Sequence[str], pointer: str) -> LocaleNotAvailable:
        names = ", ".join(available)
        return cls(
            f"The texts are not available in “{requested}”. Available: {names}.",
            errors=[
                FieldProblem(
                    pointer=pointer, detail=f"available: {names}", code="locale_not_available"
                )
            ],
            extensions={"available_locales": list(available)},
        )
