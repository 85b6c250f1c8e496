"""Everything stored about a candidate, as one document: composed here, above every feature
whose rows it gathers (sessions, diagnoses, messages, follow-ups, access, events)."""
