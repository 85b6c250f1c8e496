"""The next steps a candidate commits to, within one session."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import ids
from app.core.concurrency import flush_changes
from app.core.errors import Conflict, NotFound
from app.core.etags import check_if_match, etag_for
from app.core.ids import shown_id, utc_now
from app.core.lookup import find_owned, visible
from app.core.pagination import Page, PageRequest, paginate
from app.core.security import Principal
from app.sessions.models import ActionItem, ReflectionSession
from app.sessions.schemas import (
    ActionItemCreate,
    ActionItemRead,
    ActionItemUpdate,
    ActionSource,
    ActionStatus,
)
from app.sessions.service import get_session, record

MAX_ITEMS_PER_SESSION = 100


def etag(item: ActionItem) -> str:
    return etag_for(item.revision)


def read(item: ActionItem) -> ActionItemRead:
    return ActionItemRead(
        id=item.id,
        session_id=item.session_id,
        text=item.text,
        source=ActionSource(item.source),
        status=ActionStatus(item.status),
        due_date=item.due_date,
        created_at=item.created_at,
        updated_at=item.updated_at,
    )


async def add_item(
    session: AsyncSession,
    caller: Principal,
    session_id: str,
    data: ActionItemCreate,
    source: ActionSource = ActionSource.MANUAL,
    step_id: str | None = None,
) -> tuple[ReflectionSession, ActionItem]:
    parent = await get_session(session, caller, session_id)
    count = await session.scalar(
        select(func.count()).select_from(ActionItem).where(ActionItem.session_id == parent.id)
    )
    if (count or 0) >= MAX_ITEMS_PER_SESSION:
        raise Conflict(f"A session holds at most {MAX_ITEMS_PER_SESSION} action items.")
    now = utc_now()
    item = ActionItem(
        id=ids.ACTION_ITEM.new(now),
        organization_id=caller.organization_id,
        session_id=parent.id,
        text=data.text,
        source=source.value,
        status=data.status.value,
        due_date=data.due_date,
        step_id=step_id,
        created_at=now,
        updated_at=now,
    )
    session.add(item)
    await session.flush()
    record(session, parent, "action_item_added", {"action_item_id": item.id, "text": item.text})
    await session.flush()
    return parent, item


async def get_item(
    session: AsyncSession, caller: Principal, session_id: str, item_id: str
) -> tuple[ReflectionSession, ActionItem]:
    parent = await get_session(session, caller, session_id)
    item = await find_owned(
        session,
        ActionItem,
        ids.ACTION_ITEM,
        item_id,
        caller,
        ActionItem.session_id == parent.id,
    )
    if item is None:
        raise NotFound(f"No action item with id {shown_id(item_id)} in this session.")
    return parent, item


async def list_items(
    session: AsyncSession, caller: Principal, session_id: str, page: PageRequest
) -> Page[ActionItemRead]:
    parent = await get_session(session, caller, session_id)
    statement = select(ActionItem).where(
        ActionItem.session_id == parent.id, *visible(ActionItem, caller)
    )
    return await paginate(session, statement, ActionItem.id, page, f"items:{parent.id}", read)


async def update_item(
    session: AsyncSession,
    caller: Principal,
    session_id: str,
    item_id: str,
    patch: ActionItemUpdate,
    if_match: str | None,
) -> ActionItem:
    parent, item = await get_item(session, caller, session_id, item_id)
    check_if_match(if_match, etag(item))
    changes = patch.model_dump(exclude_unset=True)
    if "status" in changes:
        changes["status"] = ActionStatus(changes["status"]).value
    changed = [name for name, value in changes.items() if getattr(item, name) != value]
    for name in changed:
        setattr(item, name, changes[name])
    if changed:
        item.updated_at = utc_now()
        record(
            session,
            parent,
            "action_item_updated",
            {"action_item_id": item.id, "fields": sorted(changed), "status": item.status},
        )
        await flush_changes(session, "action item", if_match)
    return item


async def delete_item(
    session: AsyncSession,
    caller: Principal,
    session_id: str,
    item_id: str,
    if_match: str | None,
) -> None:
    parent, item = await get_item(session, caller, session_id, item_id)
    check_if_match(if_match, etag(item))
    await session.delete(item)
    record(session, parent, "action_item_deleted", {"action_item_id": item.id})
    await flush_changes(session, "action item", if_match)
