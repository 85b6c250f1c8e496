"""Choosing a representation from an `Accept` header (RFC 9110, section 12.5.1)."""

from __future__ import annotations


def _ranges(accept: str) -> list[tuple[str, float]]:
    ranges = []
    for part in accept.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        if not media:
            continue
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        ranges.append((media.lower(), max(0.0, min(quality, 1.0))))
    return ranges


def _quality(offered: str, ranges: list[tuple[str, float]]) -> float:
    """The quality of the most specific range that matches `offered` (0 when none does)."""
    kind = offered.split("/")[0]
    best, specificity = 0.0, -1
    for media, quality in ranges:
        if media == offered:
            level = 2
        elif media == f"{kind}/*":
            level = 1
        elif media == "*/*":
            level = 0
        else:
            continue
        if level > specificity:
            best, specificity = quality, level
    return best


def negotiate(accept: str | None, offered: list[str]) -> str | None:
    """The offered media type the client prefers (ties go to the first offered), or None
    when it accepts none of them. No header means anything is fine."""
    if not accept or not accept.strip():
        return offered[0] if offered else None
    ranges = _ranges(accept)
    scored = [(_quality(media, ranges), -index, media) for index, media in enumerate(offered)]
    quality, _, media = max(scored, default=(0.0, 0, ""))
    return media if quality > 0 else None
