"""Routes that exist only in tests, to exercise the core with a body, a crash and writes."""

from __future__ import annotations

from fastapi import Query
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import text

from app.core.database import SessionDep
from app.core.routing import api_router

router = api_router(prefix="/probe")


class Thing(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=20)
    size: int = Field(ge=0)


@router.post("/things", status_code=201)
async def create_thing(thing: Thing, verbose: bool = Query(default=False)) -> Thing:
    return thing


@router.get("/crash")
async def crash() -> None:
    raise RuntimeError("secret internals: password=hunter2")


@router.post("/notes/{word}")
async def write_note(word: str, session: SessionDep, fail: bool = False) -> dict[str, str]:
    await session.execute(text("INSERT INTO probe_notes (word) VALUES (:word)"), {"word": word})
    await session.flush()
    if fail:
        raise RuntimeError("failed after writing")
    return {"word": word}
