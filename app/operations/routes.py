"""Liveness, readiness, and the catalogue of problem types that `type` URIs point at."""

from __future__ import annotations

import asyncio
import logging
from typing import Annotated

from fastapi import Path, Request

from app.candidates.schemas import TIME_ZONES
from app.core.database import Database
from app.core.errors import (
    PROBLEM_TYPES,
    DatabaseUnavailable,
    NotFound,
    ServiceUnavailable,
    problem_responses,
)
from app.core.ids import shown_id
from app.core.routing import api_router
from app.core.schema_head import schema_head
from app.operations.schemas import Health, ProblemType, Readiness, TimeZoneList

READINESS_TIMEOUT_SECONDS = 2.0

logger = logging.getLogger(__name__)
router = api_router(tags=["operations"])

_PROBLEM_CATALOGUE = {
    kind.slug: ProblemType(
        type=kind.type_uri(), title=kind.title, status=kind.status, description=kind.description
    )
    for kind in PROBLEM_TYPES
}
# The whole list in one answer: it is small (~600 names), fixed per release, and a picker
# wants all of it at once.
_TIME_ZONE_LIST = TimeZoneList(items=list(TIME_ZONES))


@router.get("/healthz", summary="The process answers")
async def healthz() -> Health:
    return Health()


@router.get(
    "/readyz",
    summary="The database answers and its schema is at the latest migration",
    responses=problem_responses(ServiceUnavailable, DatabaseUnavailable),
)
async def readyz(request: Request) -> Readiness:
    database: Database = request.app.state.database
    try:
        async with asyncio.timeout(READINESS_TIMEOUT_SECONDS):
            await database.ping()
            revision = await database.schema_revision()
    except Exception as exc:
        logger.warning("readiness check failed: %s", type(exc).__name__)
        raise DatabaseUnavailable("The database is not answering.") from exc
    if revision != schema_head():
        raise ServiceUnavailable(
            "The database schema is not at the latest migration: run `debrief migrate`."
        )
    return Readiness()


@router.get("/problems", summary="Every kind of problem the API returns")
async def list_problem_types() -> list[ProblemType]:
    return list(_PROBLEM_CATALOGUE.values())


@router.get(
    "/problems/{slug}",
    summary="One kind of problem",
    responses=problem_responses(NotFound),
)
async def get_problem_type(
    slug: Annotated[str, Path(description="The problem type's slug; an unknown one is a 404.")],
) -> ProblemType:
    try:
        return _PROBLEM_CATALOGUE[slug]
    except KeyError:
        raise NotFound(f"No problem type is called {shown_id(slug)!r}.") from None


@router.get("/v1/time-zones", summary="Every time zone name a candidate can have")
async def list_time_zones() -> TimeZoneList:
    return _TIME_ZONE_LIST
