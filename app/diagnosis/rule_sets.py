"""Rule sets as resources: the built-in default and an organisation's own, with versions."""

from __future__ import annotations

import re
from collections import OrderedDict
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import ids
from app.core.concurrency import flush_changes
from app.core.database import SessionOnDemand, opened
from app.core.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from app.core.etags import check_if_match, etag_for
from app.core.ids import shown_id, utc_now
from app.core.lookup import visible
from app.core.pagination import Page, PageRequest, page_of, position
from app.core.security import Principal
from app.diagnosis.builtin import (
    BUILTIN_RULE_SETS,
    BUILTIN_VERSIONS,
    DEFAULT_RULE_SET,
    BuiltinRuleSet,
)
from app.diagnosis.models import ActiveRuleSet, RuleSetVersion
from app.diagnosis.rule_set_limits import check_limits
from app.diagnosis.schemas import (
    RULE_SET_KEY_PATTERN,
    ProblemItem,
    RuleSetCheck,
    RuleSetCreate,
    RuleSetRead,
    RuleSetRef,
    RuleSetStatus,
    RuleSetSummary,
    RuleSetUpdate,
)
from app.diagnosis.variables import KNOWN_FIELDS, VALUE_LABELS, prepare_inputs
from app.i18n.formatting import english_count
from app.rules.definition import RuleSetContent
from app.rules.engine import (
    CompiledRuleSet,
    InvalidRuleSet,
    content_hash,
    limit_problems,
    run_tests,
)

BUILTIN_ID = ids.RULE_SET.lowest_at(datetime(1970, 1, 1, tzinfo=UTC))[:-2] + "01"
BUILTIN_CREATED = datetime(2026, 11, 26, tzinfo=UTC)
_CACHE_SIZE = 128
_compiled: OrderedDict[str, CompiledRuleSet] = OrderedDict()


def compile_cached(content: RuleSetContent, *, screened: bool = False) -> CompiledRuleSet:
    """Compiled once per content: a published version never changes, so its hash is its key.

    Its limits are checked every time (a cached compilation may come from a version
    published before a limit existed) unless `screened`: checked already, or a published
    version, which keeps working (filling holds the caps whatever the rule set)."""
    if not screened:
        problems = limit_problems(content)
        if problems:
            raise InvalidRuleSet(problems)
    digest = content_hash(content)
    cached = _compiled.get(digest)
    if cached is None:
        cached = CompiledRuleSet(content, KNOWN_FIELDS, VALUE_LABELS, screened=True)
        _compiled[digest] = cached
        if len(_compiled) > _CACHE_SIZE:
            _compiled.popitem(last=False)
    else:
        _compiled.move_to_end(digest)
    return cached


def problems_of(content: RuleSetContent) -> list[ProblemItem]:
    try:
        compile_cached(content)
    except InvalidRuleSet as exc:
        return [ProblemItem(pointer=p.pointer, detail=p.message) for p in exc.problems]
    return []


def _check_key(key: str) -> None:
    if not re.fullmatch(RULE_SET_KEY_PATTERN, key):
        raise NotFound(f"There is no rule set {shown_id(key)!r}.")


async def active_ref(session: AsyncSession | SessionOnDemand, caller: Principal) -> tuple[str, int]:
    active = await (await opened(session)).get(ActiveRuleSet, caller.organization_id)
    if active is None:
        return DEFAULT_RULE_SET.key, DEFAULT_RULE_SET.version
    return active.key, active.version


def _builtin(key: str, version: int) -> BuiltinRuleSet:
    builtin = BUILTIN_VERSIONS.get((key, version))
    if builtin is None:
        raise NotFound(f"There is no version {version} of rule set {shown_id(key)!r}.")
    return builtin


def _builtin_read(
    active: tuple[str, int], builtin: BuiltinRuleSet = DEFAULT_RULE_SET
) -> RuleSetRead:
    compiled = builtin.compiled
    return RuleSetRead(
        id=BUILTIN_ID,
        key=builtin.key,
        version=builtin.version,
        status=RuleSetStatus.PUBLISHED,
        builtin=True,
        active=active == (builtin.key, builtin.version),
        title=compiled.content.title,
        rule_count=len(compiled.content.rules),
        content_hash=compiled.hash,
        created_at=BUILTIN_CREATED,
        published_at=BUILTIN_CREATED,
        content=compiled.content,
    )


def _row_read(row: RuleSetVersion, active: tuple[str, int]) -> RuleSetRead:
    content = RuleSetContent.model_validate(row.content)
    return RuleSetRead(
        id=row.id,
        key=row.key,
        version=row.version,
        status=RuleSetStatus(row.status),
        builtin=False,
        active=active == (row.key, row.version),
        title=content.title,
        rule_count=len(content.rules),
        content_hash=row.content_hash,
        created_at=row.created_at,
        published_at=row.published_at,
        content=content,
    )


async def list_rule_sets(
    session: AsyncSession, caller: Principal, page: PageRequest
) -> Page[RuleSetSummary]:
    active = await active_ref(session, caller)
    after = position(page, "rule-sets") or ""
    reads: list[RuleSetRead] = [_builtin_read(active)] if after < BUILTIN_ID else []
    rows = await session.scalars(
        select(RuleSetVersion)
        .where(*visible(RuleSetVersion, caller), RuleSetVersion.id > after)
        .order_by(RuleSetVersion.id)
        .limit(page.limit + 1)
    )
    reads += [_row_read(row, active) for row in rows]
    return page_of(
        reads[: page.limit + 1],
        page,
        "rule-sets",
        lambda r: r.id,
        lambda r: RuleSetSummary(**r.model_dump(exclude={"content"})),
    )


async def _row(
    session: AsyncSession, caller: Principal, key: str, version: int
) -> RuleSetVersion | None:
    return await session.scalar(
        select(RuleSetVersion).where(
            *visible(RuleSetVersion, caller),
            RuleSetVersion.key == key,
            RuleSetVersion.version == version,
        )
    )


async def get_version(
    session: AsyncSession, caller: Principal, key: str, version: int
) -> tuple[RuleSetRead, RuleSetVersion | None]:
    _check_key(key)
    active = await active_ref(session, caller)
    if key in BUILTIN_RULE_SETS:
        return _builtin_read(active, _builtin(key, version)), None
    row = await _row(session, caller, key, version)
    if row is None:
        raise NotFound(f"There is no version {version} of rule set {shown_id(key)!r}.")
    return _row_read(row, active), row


async def compiled_version(
    session: AsyncSession | SessionOnDemand, caller: Principal, key: str, version: int
) -> tuple[CompiledRuleSet, RuleSetRef]:
    """A version ready to run; the hot path of every diagnosis: one query at most, and a
    published version's stored hash as the cache key instead of hashing it again."""
    if key in BUILTIN_RULE_SETS:  # a built-in key is a well-formed one
        compiled = _builtin(key, version).compiled
    else:
        _check_key(key)
        row = await _row(await opened(session), caller, key, version)
        if row is None:
            raise NotFound(f"There is no version {version} of rule set {shown_id(key)!r}.")
        cached = _compiled.get(row.content_hash) if row.content_hash else None
        compiled = cached or compile_cached(
            RuleSetContent.model_validate(row.content),
            screened=row.status == RuleSetStatus.PUBLISHED.value,
        )
    return compiled, RuleSetRef(key=key, version=version, content_hash=compiled.hash)


async def _mutable_draft(
    session: AsyncSession, caller: Principal, key: str, version: int
) -> RuleSetVersion:
    _read, row = await get_version(session, caller, key, version)
    if row is None:
        raise Conflict(f"{key!r} is built in: it cannot be changed. Create your own rule set.")
    if row.status != RuleSetStatus.DRAFT.value:
        raise Conflict(
            f"Version {version} of {key!r} is published and never changes; create a new draft."
        )
    return row


async def create_draft(
    session: AsyncSession, caller: Principal, data: RuleSetCreate
) -> RuleSetVersion:
    if data.key in BUILTIN_RULE_SETS:
        raise Conflict(
            f"{data.key!r} is the key of a built-in rule set; choose another.",
            errors=[FieldProblem(pointer="/body/key", detail="built-in key", code="reserved")],
        )
    existing = (
        await session.scalars(
            select(RuleSetVersion).where(
                *visible(RuleSetVersion, caller), RuleSetVersion.key == data.key
            )
        )
    ).all()
    draft = next((r for r in existing if r.status == RuleSetStatus.DRAFT.value), None)
    if draft is not None:
        raise Conflict(f"Version {draft.version} of {data.key!r} is a draft: edit or publish it.")
    now = utc_now()
    row = RuleSetVersion(
        id=ids.RULE_SET.new(now),
        organization_id=caller.organization_id,
        key=data.key,
        version=max((r.version for r in existing), default=0) + 1,
        status=RuleSetStatus.DRAFT.value,
        content=RuleSetContent.model_validate(data.model_dump(exclude={"key"})).model_dump(
            mode="json"
        ),
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    await flush_changes(session, "rule set", None)
    return row


async def update_draft(
    session: AsyncSession,
    caller: Principal,
    key: str,
    version: int,
    patch: RuleSetUpdate,
    if_match: str | None,
) -> RuleSetVersion:
    row = await _mutable_draft(session, caller, key, version)
    check_if_match(if_match, etag_for(row.revision))
    merged = {**row.content, **patch.model_dump(mode="json", exclude_unset=True)}
    check_limits(merged, "/body")  # each part was within them, but not their sum
    content = RuleSetContent.model_validate(merged).model_dump(mode="json")
    if content != row.content:
        row.content = content
        row.updated_at = utc_now()
        await flush_changes(session, "rule set", if_match)
    return row


def check(content: RuleSetContent) -> RuleSetCheck:
    problems = problems_of(content)
    return RuleSetCheck(valid=not problems, problems=problems)


async def publish(
    session: AsyncSession, caller: Principal, key: str, version: int, if_match: str | None
) -> RuleSetVersion:
    row = await _mutable_draft(session, caller, key, version)
    check_if_match(if_match, etag_for(row.revision))
    content = RuleSetContent.model_validate(row.content)
    problems = problems_of(content)
    if problems:
        raise ValidationFailed(
            f"The rule set has {english_count(len(problems), 'problem', 'problems')}; "
            "see POST …/validate.",
            errors=[
                FieldProblem(pointer=p.pointer, detail=p.detail, code="rule_set") for p in problems
            ],
        )
    failing = [
        r.name for r in run_tests(compile_cached(content), prepare=prepare_inputs) if not r.passed
    ]
    if failing:
        raise Conflict(
            english_count(len(failing), "embedded test fails", "embedded tests fail")
            + ", so it cannot be published: "
            + "; ".join(failing),
            extensions={"failing_tests": failing},
        )
    now = utc_now()
    row.status = RuleSetStatus.PUBLISHED.value
    row.content_hash = content_hash(content)
    row.published_at = now
    row.updated_at = now
    await flush_changes(session, "rule set", if_match)
    return row


async def activate(session: AsyncSession, caller: Principal, key: str, version: int) -> None:
    read, _ = await get_version(session, caller, key, version)
    if read.status is not RuleSetStatus.PUBLISHED:
        raise Conflict(f"Version {version} of {key!r} is a draft: publish it first.")
    active = await session.get(ActiveRuleSet, caller.organization_id)
    now = utc_now()
    if active is None:
        session.add(
            ActiveRuleSet(
                organization_id=caller.organization_id, key=key, version=version, activated_at=now
            )
        )
    else:
        active.key, active.version, active.activated_at = key, version, now
    await flush_changes(session, "rule set", None)
