"""Running Debrief as a platform: rate limits, metrics, traces and the MCP server."""
