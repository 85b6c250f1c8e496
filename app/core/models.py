"""Every table module, imported so that ``metadata`` is complete for Alembic."""

from __future__ import annotations

from app.core.database import Base

metadata = Base.metadata
