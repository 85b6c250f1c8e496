"""Debrief as an MCP server: hand-picked tools over the same services and scoping."""
