"""RFC 7396 JSON Merge Patch."""

from __future__ import annotations

from typing import Any

MERGE_PATCH_MEDIA_TYPE = "application/merge-patch+json"


def apply_merge_patch(target: Any, patch: Any) -> Any:
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for name, value in patch.items():
        if value is None:
            result.pop(name, None)
        else:
            result[name] = apply_merge_patch(result.get(name), value)
    return result
