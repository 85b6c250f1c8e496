"""Every table module, imported so that ``metadata`` is complete for Alembic."""

from __future__ import annotations

from app.access import models as access_models
from app.candidates import models as candidates_models
from app.core import cadence, idempotency_models, outbox_models
from app.core.database import Base
from app.diagnosis import models as diagnosis_models
from app.events import models as events_models
from app.follow_ups import models as follow_ups_models
from app.messages import models as messages_models
from app.organizations import models as organizations_models
from app.question_sets import models as question_sets_models
from app.sessions import models as sessions_models
from app.worker import models as worker_models

metadata = Base.metadata

__all__ = [
    "access_models",
    "cadence",
    "candidates_models",
    "diagnosis_models",
    "events_models",
    "follow_ups_models",
    "idempotency_models",
    "messages_models",
    "metadata",
    "organizations_models",
    "outbox_models",
    "question_sets_models",
    "sessions_models",
    "worker_models",
]
