"""``maxResults`` and ``nextToken`` for the listing operations."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from typing import Any

from .errors import EcsError

__all__ = ["paginate"]


def paginate(items: list[str], params: Mapping[str, Any]) -> tuple[list[str], str | None]:
    limit = params.get("maxResults", 100)
    if not 1 <= limit <= 100:
        raise EcsError("InvalidParameterException", "maxResults must be between 1 and 100.")
    start = 0
    token = params.get("nextToken")
    if token:
        try:
            start = int(json.loads(base64.b64decode(token))["start"])
        except (ValueError, KeyError, TypeError, OverflowError, RecursionError):
            raise EcsError("InvalidParameterException", "Invalid nextToken.") from None
        if not 0 <= start <= len(items):
            raise EcsError("InvalidParameterException", "Invalid nextToken.")
    page = items[start : start + limit]
    end = start + len(page)
    next_token = None
    if end < len(items):
        next_token = base64.b64encode(json.dumps({"start": end}).encode()).decode()
    return page, next_token
