"""The condition language and, later, the diagnosis engine. Pure: no web, no database."""
