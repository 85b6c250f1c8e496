from tests.sessions.conftest import candidate, session_

__all__ = ["candidate", "session_"]
