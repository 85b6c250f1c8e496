"""Who is calling: people's tokens, the scoping of what they see, and browsers (CORS)."""
