"""People's tokens: signed JWTs (HS256, PyJWT) with rotating signing keys.

The current key signs; every configured key verifies, chosen by the token's `kid`
header, so a key can be retired once the tokens it signed have expired.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from app.core.config import Settings
from app.core.ids import utc_now
from app.core.security import Role, Scope, hash_key

AUDIENCE = "debrief"
ALGORITHM = "HS256"
# Only the algorithm chosen here is accepted: a token saying `none` or RS256 is refused.
ACCEPTED_ALGORITHMS = [ALGORITHM]
REQUIRED_CLAIMS = ["exp", "iat", "iss", "aud", "sub", "org", "role", "scopes"]
TOKEN_ROLES = frozenset({Role.CANDIDATE, Role.COACH})
TOKEN_SCOPES = frozenset({Scope.READ, Scope.WRITE})
# An app presents the same token on every request until it expires: checking its
# signature and claims once per process, not per request, saves most of the cost of a
# token (PyJWT's decode is ~100x a dictionary look-up).
MAX_VERIFIED = 10_000


class InvalidToken(Exception):
    """Any reason a token is not accepted; the caller sees one uniform 401."""


@dataclass(frozen=True, slots=True)
class TokenClaims:
    organization_id: str
    subject: str
    role: Role
    scopes: tuple[Scope, ...]
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class MintedToken:
    token: str
    kid: str
    expires_at: datetime


class TokenKeys:
    def __init__(self, keys: dict[str, str], current_kid: str, issuer: str) -> None:
        self._keys = dict(keys)
        self.current_kid = current_kid
        self.issuer = issuer
        # SHA-256 of the token → its claims; never the token itself.
        self._verified: OrderedDict[str, TokenClaims] = OrderedDict()

    @classmethod
    def from_settings(cls, settings: Settings) -> TokenKeys:
        return cls(settings.signing_keys, settings.current_kid, settings.token_issuer)

    def mint(
        self,
        organization_id: str,
        subject: str,
        role: Role,
        scopes: list[Scope],
        expires_in: int,
    ) -> MintedToken:
        issued_at = utc_now().replace(microsecond=0)
        expires_at = issued_at + timedelta(seconds=expires_in)
        claims = {
            "iss": self.issuer,
            "aud": AUDIENCE,
            "sub": subject,
            "org": organization_id,
            "role": role.value,
            "scopes": [scope.value for scope in scopes],
            "iat": issued_at,
            "exp": expires_at,
        }
        token = jwt.encode(
            claims, self._keys[self.current_kid], ALGORITHM, headers={"kid": self.current_kid}
        )
        return MintedToken(token, self.current_kid, expires_at)

    def verify(self, token: str) -> TokenClaims:
        digest = hash_key(token)
        claims = self._verified.get(digest)
        if claims is None:
            claims = self._decode(token)
            self._verified[digest] = claims
            while len(self._verified) > MAX_VERIFIED:
                self._verified.popitem(last=False)
        if claims.expires_at <= utc_now():
            self._verified.pop(digest, None)
            raise InvalidToken("expired")
        return claims

    def _decode(self, token: str) -> TokenClaims:
        try:
            kid = jwt.get_unverified_header(token).get("kid")
            key = self._keys.get(kid) if isinstance(kid, str) else None
            if key is None:
                raise InvalidToken("unknown signing key")
            claims = jwt.decode(
                token,
                key,
                algorithms=ACCEPTED_ALGORITHMS,
                audience=AUDIENCE,
                issuer=self.issuer,
                options={"require": REQUIRED_CLAIMS},
            )
        except jwt.PyJWTError as error:
            raise InvalidToken(str(error)) from error
        return _typed(claims)


def _typed(claims: dict[str, object]) -> TokenClaims:
    organization, subject, role, scopes = (
        claims["org"],
        claims["sub"],
        claims["role"],
        claims["scopes"],
    )
    if not (isinstance(organization, str) and isinstance(subject, str)):
        raise InvalidToken("malformed subject or organisation")
    if not isinstance(role, str) or role not in TOKEN_ROLES:
        raise InvalidToken("unknown role")
    if not isinstance(scopes, list) or not scopes:
        raise InvalidToken("malformed scopes")
    if not all(scope in TOKEN_SCOPES for scope in scopes):
        raise InvalidToken("unknown scope")
    expires = claims["exp"]
    if not isinstance(expires, int):
        raise InvalidToken("malformed expiry")
    return TokenClaims(
        organization,
        subject,
        Role(role),
        tuple(Scope(scope) for scope in scopes),
        datetime.fromtimestamp(expires, UTC),
    )
