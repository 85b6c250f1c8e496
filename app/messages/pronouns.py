"""Pronouns as the person gives them; where none are given, the name stands in.

Nothing here guesses a gender: an unknown or unparseable entry means the text uses the
person's name, never "he", "she" or a default "they".
"""

from __future__ import annotations

from dataclasses import dataclass

# subject: (object, possessive determiner) for the sets people commonly give.
KNOWN: dict[str, tuple[str, str]] = {
    "she": ("her", "her"),
    "he": ("him", "his"),
    "they": ("them", "their"),
    "xe": ("xem", "xyr"),
    "ze": ("zir", "zir"),
    "zie": ("zir", "zir"),
    "ey": ("em", "eir"),
    "fae": ("faer", "faer"),
    "ve": ("ver", "vis"),
    "per": ("per", "per"),
    "it": ("it", "its"),
}


PRONOUN_FORMS = ("they", "them", "their")  # English grammar: other languages word around them


@dataclass(frozen=True)
class Forms:
    they: str
    them: str
    their: str
    known: bool


def forms(pronouns: str | None, name: str | None, fallback: str) -> Forms:
    """The words to refer to a person by; `fallback` stands in when there is no name."""
    label = name or fallback
    by_name = Forms(they=label, them=label, their=f"{label}’s", known=False)
    if not pronouns:
        return by_name
    parts = [p.strip().lower() for p in pronouns.split("/") if p.strip()]
    if not parts or not all(p.isalpha() for p in parts):
        return by_name
    subject = parts[0]
    table = KNOWN.get(subject)
    # "she/they" names two sets: use the first, as given first.
    rest = [] if len(parts) > 1 and parts[1] in KNOWN else parts[1:]
    if rest:
        obj = rest[0]
        possessive = rest[1] if len(rest) > 1 else (table[1] if table else None)
    elif table:
        obj, possessive = table
    else:
        return by_name
    return Forms(
        they=subject,
        them=obj,
        their=possessive if possessive else f"{label}’s",
        known=True,
    )
