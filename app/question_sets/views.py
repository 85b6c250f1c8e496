"""One shape for built-in and stored set versions, and their API representations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.question_sets.builtin import PUBLISHED_AT, BuiltinSet
from app.question_sets.definition import QuestionSetContent
from app.question_sets.locales import available_locales, localized
from app.question_sets.models import QuestionSetVersion
from app.question_sets.schemas import QuestionSetRead, QuestionSetStatus, QuestionSetSummary


@dataclass(frozen=True)
class SetVersionView:
    id: str
    key: str
    version: int
    status: QuestionSetStatus
    builtin: bool
    content: QuestionSetContent
    created_at: datetime
    published_at: datetime | None
    retired_at: datetime | None
    revision: int

    @classmethod
    def of_builtin(cls, builtin: BuiltinSet) -> SetVersionView:
        return cls(
            builtin.id,
            builtin.key,
            builtin.version,
            QuestionSetStatus.PUBLISHED,
            True,
            builtin.content,
            PUBLISHED_AT,
            PUBLISHED_AT,
            None,
            1,
        )

    @classmethod
    def of_row(cls, row: QuestionSetVersion) -> SetVersionView:
        return cls(
            row.id,
            row.key,
            row.version,
            QuestionSetStatus(row.status),
            False,
            QuestionSetContent.model_validate(row.content),
            row.created_at,
            row.published_at,
            row.retired_at,
            row.revision,
        )

    def etag(self, locale: str) -> str:
        return f'"{self.revision}-{locale}"'

    def summary(self) -> QuestionSetSummary:
        return QuestionSetSummary(**self._summary_fields())

    def read(self, locale: str) -> QuestionSetRead:
        texts = localized(self.content, locale)
        fields = self._summary_fields()
        fields.update(title=texts.title, description=texts.description)
        return QuestionSetRead(
            **fields,
            locale=locale,
            sections=texts.sections,
            translations=self.content.translations,
        )

    def _summary_fields(self) -> dict[str, object]:
        content = self.content
        return {
            "id": self.id,
            "key": self.key,
            "version": self.version,
            "status": self.status,
            "builtin": self.builtin,
            "purpose": content.purpose,
            "title": content.title,
            "description": content.description,
            "default_locale": content.default_locale,
            "available_locales": available_locales(content),
            "question_count": sum(len(s.questions) for s in content.sections),
            "created_at": self.created_at,
            "published_at": self.published_at,
            "retired_at": self.retired_at,
        }
