"""API keys and scopes, free of storage: generation, hashing, constant-time checks."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import string
from dataclasses import dataclass
from enum import StrEnum

KEY_PREFIX = "dbr_"
_ALPHABET = string.ascii_letters + string.digits
_RANDOM_LENGTH = 40  # 40 base-62 characters: about 238 bits
LOOKUP_LENGTH = len(KEY_PREFIX) + 8
KEY_LENGTH = len(KEY_PREFIX) + _RANDOM_LENGTH
# Compared against when no key has the presented prefix, so a miss costs what a hit costs.
_DECOY_HASH = hashlib.sha256(b"debrief-decoy").hexdigest()


class Scope(StrEnum):
    READ = "read"
    WRITE = "write"
    ADMIN = "admin"


# A scope grants itself and everything below it.
_IMPLIED: dict[Scope, frozenset[Scope]] = {
    Scope.READ: frozenset({Scope.READ}),
    Scope.WRITE: frozenset({Scope.READ, Scope.WRITE}),
    Scope.ADMIN: frozenset({Scope.READ, Scope.WRITE, Scope.ADMIN}),
}


def effective_scopes(granted: list[str] | frozenset[Scope]) -> frozenset[Scope]:
    result: frozenset[Scope] = frozenset()
    for scope in granted:
        result |= _IMPLIED[Scope(scope)]
    return result


@dataclass(frozen=True, slots=True)
class GeneratedKey:
    secret: str
    lookup_prefix: str
    secret_hash: str


class Role(StrEnum):
    """What kind of caller: the organisation's server, or one person through a token."""

    ORGANIZATION = "organization"
    CANDIDATE = "candidate"
    COACH = "coach"


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling, and what of the organisation they may see.

    An API key is the organisation: ``candidate_ids`` is None, every candidate. A person's
    token carries the candidates it may see (a candidate: itself; a coach: those who granted
    it access); every scoped lookup and list applies that set (app/core/lookup.py), so no
    service checks it on its own.
    """

    organization_id: str
    api_key_id: str | None
    scopes: frozenset[Scope]
    role: Role = Role.ORGANIZATION
    subject: str | None = None
    candidate_ids: frozenset[str] | None = None
    # A coach: the candidates whose grant also lets it comment (write action items and
    # session notes); every other write of a coach is refused (app/access/coach_writes.py).
    commentable_ids: frozenset[str] = frozenset()

    @property
    def is_organization(self) -> bool:
        return self.role is Role.ORGANIZATION


def hash_key(secret: str) -> str:
    # Keys carry over 200 bits of randomness: a fast hash is enough, no stretching needed.
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def generate_key() -> GeneratedKey:
    secret = KEY_PREFIX + "".join(secrets.choice(_ALPHABET) for _ in range(_RANDOM_LENGTH))
    return GeneratedKey(secret, secret[:LOOKUP_LENGTH], hash_key(secret))


def lookup_prefix_of(presented: str) -> str | None:
    """The indexed prefix of a well-formed key, or None for anything else."""
    if len(presented) != KEY_LENGTH or not presented.startswith(KEY_PREFIX):
        return None
    if not all(c in _ALPHABET for c in presented[len(KEY_PREFIX) :]):
        return None
    return presented[:LOOKUP_LENGTH]


def key_matches(presented: str, stored_hash: str | None) -> bool:
    """Constant-time comparison; with no stored hash, compares against a decoy and fails."""
    expected = stored_hash if stored_hash is not None else _DECOY_HASH
    matched = hmac.compare_digest(hash_key(presented), expected)
    return matched and stored_hash is not None
