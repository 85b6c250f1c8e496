"""Every kind of problem has its title and detail in every built-in locale, with no English
left, and a caller's Accept-Language picks them."""

from __future__ import annotations

import pytest

import app.main  # noqa: F401  (registers every problem class)
from app.core.errors import ProblemError
from app.i18n.locales import BUILTIN_LOCALES
from app.i18n.problem_texts import catalogue, problem_texts
from tests.i18n.test_catalogues import ENGLISH

OTHERS = [locale for locale in BUILTIN_LOCALES if locale != "en"]


def _kinds(cls: type[ProblemError]) -> set[str]:
    found = {cls.slug}
    for sub in cls.__subclasses__():
        if not sub.__name__.startswith("HTTP"):  # made on the fly per status, see below
            found |= _kinds(sub)
    return found


KINDS = sorted(_kinds(ProblemError) | {"too-many-requests"})


@pytest.mark.parametrize("locale", OTHERS)
@pytest.mark.parametrize("slug", KINDS)
def test_every_problem_kind_reads_in_every_locale(locale: str, slug: str) -> None:
    texts = catalogue(locale)[slug]
    assert texts["title"]
    assert texts["detail"]
    assert not ENGLISH.search(texts["title"] + " " + texts["detail"]), texts


def test_accept_language_chooses_and_falls_back_to_english_texts() -> None:
    assert problem_texts("not-found", "fr-CA, en;q=0.5") == (
        "fr",
        catalogue("fr")["not-found"],
    )
    assert problem_texts("not-found", "ja") == ("en", None)
    assert problem_texts("not-found", None) == ("en", None)
