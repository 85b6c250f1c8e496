from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class Health(BaseModel):
    status: Literal["ok"] = "ok"


class Readiness(BaseModel):
    status: Literal["ok"] = "ok"
    database: Literal["ok"] = "ok"


class ProblemType(BaseModel):
    type: str = Field(examples=["/problems/not-found"])
    title: str
    status: int
    description: str


class TimeZoneList(BaseModel):
    items: list[str] = Field(
        description="IANA time zone names, sorted.", examples=[["Africa/Abidjan", "Europe/Paris"]]
    )
