"""Languages: which locales Debrief speaks, choosing one for a request, formatting per locale."""
