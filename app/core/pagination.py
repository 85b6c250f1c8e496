"""Keyset pagination: ``?limit=&cursor=``, ``{"items", "next_cursor"}`` and ``Link: rel=next``.

A cursor is the last id of a page and the name of the list, signed with the secret key:
a page costs one index range scan whatever the table's size, and a cursor that was
tampered with, or issued for another list, is a 400 problem.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query, Request, Response
from pydantic import BaseModel
from sqlalchemy import Select, bindparam
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from app.core.config import Settings
from app.core.dependencies import awaited
from app.core.driver_reads import driver_rows
from app.core.errors import InvalidCursor

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_CURSOR_LENGTH = 512
_SIGNATURE_BYTES = 16

ItemT = TypeVar("ItemT", bound=BaseModel)
RowT = TypeVar("RowT")


class Page(BaseModel, Generic[ItemT]):
    items: list[ItemT]
    next_cursor: str | None


class PageRequest:
    def __init__(
        self,
        request: Request,
        limit: Annotated[
            int, Query(ge=1, le=MAX_LIMIT, description="Items per page (1–100).")
        ] = DEFAULT_LIMIT,
        cursor: Annotated[
            str | None,
            Query(max_length=MAX_CURSOR_LENGTH, description="`next_cursor` of the last page."),
        ] = None,
    ) -> None:
        self.limit = limit
        self.cursor = cursor
        self.settings: Settings = request.app.state.settings


PageParams = Annotated[PageRequest, Depends(awaited(PageRequest))]


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(secret: str, payload: bytes) -> bytes:
    return hmac.new(secret.encode(), payload, hashlib.sha256).digest()[:_SIGNATURE_BYTES]


def encode_cursor(secret: str, list_name: str, after: str) -> str:
    payload = json.dumps({"l": list_name, "a": after}, separators=(",", ":")).encode()
    return f"{_b64encode(payload)}.{_b64encode(_sign(secret, payload))}"


def decode_cursor(secret: str, list_name: str, cursor: str) -> str:
    """The id to continue after; InvalidCursor unless this API signed it for this list."""
    try:
        encoded_payload, encoded_signature = cursor.split(".")
        payload = _b64decode(encoded_payload)
        signature = _b64decode(encoded_signature)
    except (ValueError, binascii.Error):
        raise InvalidCursor("The cursor is not in the form this API issues.") from None
    if not hmac.compare_digest(signature, _sign(secret, payload)):
        raise InvalidCursor("The cursor was altered or comes from another deployment.")
    data = json.loads(payload)
    if data.get("l") != list_name or not isinstance(data.get("a"), str):
        raise InvalidCursor("The cursor belongs to another list.")
    return str(data["a"])


def position(page: PageRequest, list_name: str) -> str | None:
    """The key to continue after, or None on the first page."""
    if page.cursor is None:
        return None
    return decode_cursor(page.settings.secret_key.get_secret_value(), list_name, page.cursor)


def page_of(
    rows: Sequence[RowT],
    page: PageRequest,
    list_name: str,
    key_of: Callable[[RowT], str],
    to_item: Callable[[RowT], ItemT],
) -> Page[ItemT]:
    """A page from up to ``limit + 1`` rows in key order: the extra row means "more"."""
    return Page[ItemT](
        items=[to_item(row) for row in rows[: page.limit]],
        next_cursor=_next_cursor(rows, page, list_name, key_of),
    )


def _next_cursor(
    rows: Sequence[RowT], page: PageRequest, list_name: str, key_of: Callable[[RowT], str]
) -> str | None:
    if len(rows) <= page.limit:
        return None
    secret = page.settings.secret_key.get_secret_value()
    return encode_cursor(secret, list_name, key_of(rows[page.limit - 1]))


def _keyset(
    statement: Select[RowT], key: InstrumentedAttribute[str], page: PageRequest, list_name: str
) -> Select[RowT]:
    """The statement for one page: after the cursor, in key order, one row more than asked."""
    after = position(page, list_name)
    if after is not None:
        statement = statement.where(key > after)
    return statement.order_by(key).limit(page.limit + 1)


async def paginate(
    session: AsyncSession,
    statement: Select[RowT],
    key: InstrumentedAttribute[str],
    page: PageRequest,
    list_name: str,
    to_item: Callable[[RowT], ItemT],
) -> Page[ItemT]:
    """Run ``statement`` (already scoped and filtered) as one keyset page ordered by ``key``."""
    rows = (await session.execute(_keyset(statement, key, page, list_name))).scalars().all()
    return page_of(rows, page, list_name, lambda row: str(getattr(row, key.key)), to_item)


@dataclass(frozen=True)
class Documents:
    """A page as plain JSON-ready documents, for routes that write their own response."""

    items: list[dict[str, Any]]
    next_cursor: str | None

    def as_json(self) -> dict[str, Any]:
        return {"items": self.items, "next_cursor": self.next_cursor}


# A statement built once (`lookup.visible_rows`) → (it, its page without and with a cursor).
_PAGED: dict[int, tuple[Select[Any], Select[Any], Select[Any]]] = {}


def _paged_once(statement: Select[Any], key: InstrumentedAttribute[str]) -> tuple[Select[Any], ...]:
    paged = _PAGED.get(id(statement))
    if paged is None:
        first = statement.order_by(key).limit(bindparam("page_rows"))
        after = statement.where(key > bindparam("after")).order_by(key)
        paged = (statement, first, after.limit(bindparam("page_rows")))
        _PAGED[id(statement)] = paged  # keeps the statement, so its id stays its own
    return paged


async def paginate_documents(
    session: AsyncSession,
    statement: Select[Any],
    key: InstrumentedAttribute[str],
    page: PageRequest,
    list_name: str,
    to_document: Callable[[Sequence[Any]], dict[str, Any]],
    *,
    parameters: dict[str, Any] | None = None,
) -> Documents:
    """`paginate` for a statement that selects columns, not entities: rows come back as
    plain `Row`s, or tuples from the driver (app/core/driver_reads), the values in the
    statement's order (no ORM identity map or instrumentation), and become documents.

    With `parameters`, `statement` was built once and is kept (with its pages) for good:
    only the parameters change from request to request."""
    rows: Sequence[Any]
    if parameters is None:
        # Through the connection: columns need none of the ORM's result handling.
        connection = await session.connection()
        rows = (await connection.execute(_keyset(statement, key, page, list_name))).all()
    else:
        after = position(page, list_name)
        _, first, later = _paged_once(statement, key)
        paged = first if after is None else later
        values = {**parameters, "page_rows": page.limit + 1}
        if after is not None:
            values["after"] = after
        found = await driver_rows(session, paged, values)  # on PostgreSQL, maybe
        if found is None:
            connection = await session.connection()
            found = (await connection.execute(paged, values)).all()
        rows = found
    at = _position_of(statement, key)
    return Documents(
        [to_document(row) for row in rows[: page.limit]],
        _next_cursor(rows, page, list_name, lambda row: str(row[at])),
    )


def _position_of(statement: Select[Any], key: InstrumentedAttribute[str]) -> int:
    """Where the key column is among the statement's (a row is a `Row` or a tuple)."""
    for at, column in enumerate(statement.selected_columns):
        if column.key == key.key:
            return at
    raise ValueError(f"{key.key} is not selected")


LINK_HEADER_DOC = {
    "Link": {
        "description": 'The next page, as `<url>; rel="next"`; absent on the last page.',
        "schema": {"type": "string"},
    }
}


def set_link_header(request: Request, response: Response, next_cursor: str | None) -> None:
    if next_cursor is not None:
        url = request.url.include_query_params(cursor=next_cursor)
        response.headers["Link"] = f'<{url}>; rel="next"'
