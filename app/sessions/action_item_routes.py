from __future__ import annotations

from typing import Annotated

from fastapi import Body, Request, Response, status

from app.access.auth import AUTH_PROBLEMS, ReadAccess, WriteAccess
from app.core.database import SessionDep
from app.core.errors import (
    Conflict,
    IdempotencyKeyReused,
    InvalidCursor,
    NotFound,
    PreconditionFailed,
    problem_responses,
)
from app.core.etags import ETAG_HEADER_DOC, IfMatch
from app.core.id_params import id_path
from app.core.idempotency import Created, IdempotencyKey, run_idempotently
from app.core.ids import ACTION_ITEM, SESSION
from app.core.merge_patch import MERGE_PATCH_MEDIA_TYPE
from app.core.pagination import LINK_HEADER_DOC, Page, PageParams, set_link_header
from app.core.routing import api_router
from app.sessions import action_items
from app.sessions.schemas import ActionItemCreate, ActionItemRead, ActionItemUpdate

router = api_router(
    prefix="/v1/sessions/{session_id}/action-items", tags=["action-items"], responses=AUTH_PROBLEMS
)

SessionId = Annotated[str, id_path(SESSION, "session")]
ItemId = Annotated[str, id_path(ACTION_ITEM, "action item")]


@router.get(
    "",
    summary="The session's action items",
    responses={
        200: {"headers": LINK_HEADER_DOC},
        **problem_responses(NotFound, InvalidCursor),
    },
)
async def list_action_items(
    session_id: SessionId,
    principal: ReadAccess,
    session: SessionDep,
    page: PageParams,
    request: Request,
    response: Response,
) -> Page[ActionItemRead]:
    result = await action_items.list_items(session, principal, session_id, page)
    set_link_header(request, response, result.next_cursor)
    return result


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ActionItemRead,
    summary="Add a next step",
    responses={
        201: {"headers": ETAG_HEADER_DOC},
        **problem_responses(NotFound, Conflict, IdempotencyKeyReused),
    },
)
async def create_action_item(
    session_id: SessionId,
    data: ActionItemCreate,
    principal: WriteAccess,
    session: SessionDep,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    async def create() -> Created:
        parent, item = await action_items.add_item(session, principal, session_id, data)
        return Created(
            status_code=status.HTTP_201_CREATED,
            body=action_items.read(item).model_dump_json(),
            resource_id=item.id,
            subject_id=parent.candidate_id,
            headers={
                "Location": f"/v1/sessions/{parent.id}/action-items/{item.id}",
                "ETag": action_items.etag(item),
            },
        )

    return await run_idempotently(session, principal, idempotency_key, request, data, create)


@router.get(
    "/{item_id}",
    summary="Get an action item",
    responses={200: {"headers": ETAG_HEADER_DOC}, **problem_responses(NotFound)},
)
async def get_action_item(
    session_id: SessionId,
    item_id: ItemId,
    principal: ReadAccess,
    session: SessionDep,
    response: Response,
) -> ActionItemRead:
    _, item = await action_items.get_item(session, principal, session_id, item_id)
    response.headers["ETag"] = action_items.etag(item)
    return action_items.read(item)


@router.patch(
    "/{item_id}",
    summary="Change an action item (JSON Merge Patch)",
    responses={
        200: {"headers": ETAG_HEADER_DOC},
        **problem_responses(NotFound, Conflict, PreconditionFailed),
    },
)
async def update_action_item(
    session_id: SessionId,
    item_id: ItemId,
    patch: Annotated[ActionItemUpdate, Body(media_type=MERGE_PATCH_MEDIA_TYPE)],
    principal: WriteAccess,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> ActionItemRead:
    item = await action_items.update_item(session, principal, session_id, item_id, patch, if_match)
    response.headers["ETag"] = action_items.etag(item)
    return action_items.read(item)


@router.delete(
    "/{item_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete an action item",
    responses=problem_responses(NotFound, Conflict, PreconditionFailed),
)
async def delete_action_item(
    session_id: SessionId,
    item_id: ItemId,
    principal: WriteAccess,
    session: SessionDep,
    if_match: IfMatch = None,
) -> None:
    await action_items.delete_item(session, principal, session_id, item_id, if_match)
