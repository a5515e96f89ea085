"""``maxResults`` and ``nextToken`` for the listing operations (ListTasks, ListClusters).

A ``nextToken`` is an opaque cursor on an order that never changes, not an offset
into the list as it is today: it holds the place of the last item returned (a
task's creation order number, a cluster name's place among the names), and the
next page starts after that place. So tasks that start, stop or expire between
pages never make a later page skip or repeat an item that was there all along;
and a token the fake gave out is never refused later, even when the item it
points after has stopped, expired or been dropped from memory: the next page
simply starts after its place. Only a token the fake cannot have issued (not
base64, not the structure below, another listing's) is refused, with
``InvalidParameterException: Invalid nextToken.``

The token is base64 of ``{"list": <listing>, "after": <place>}``. Nothing
public says what the real service puts in its tokens or whether it accepts one
listing's token in another; refusing it is the plausible choice.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Mapping
from typing import Any

from .errors import EcsError

__all__ = ["next_token", "read_page_request", "take_page"]

#: The place before every item: what a request without ``nextToken`` starts after.
BEFORE_ALL = -1
_MAX_PLACE = 2**63 - 1


def read_page_request(params: Mapping[str, Any], listing: str) -> tuple[int, int]:
    """``(maxResults, the place to start after)`` of a listing request, checked."""
    limit = params.get("maxResults", 100)
    if not 1 <= limit <= 100:
        raise EcsError("InvalidParameterException", "maxResults must be between 1 and 100.")
    token = params.get("nextToken")
    if not token:
        return limit, BEFORE_ALL
    return limit, _read_token(token, listing)


def take_page(
    items: Iterable[tuple[int, str]], limit: int, listing: str
) -> tuple[list[str], str | None]:
    """The first ``limit`` of ``items`` (``(place, item)`` in increasing place, all
    after the requested one) and the token for the rest, ``None`` if nothing is left.
    Reads at most one item past the page."""
    page: list[str] = []
    last = BEFORE_ALL
    for place, item in items:
        if len(page) == limit:
            return page, next_token(listing, last)
        page.append(item)
        last = place
    return page, None


def next_token(listing: str, after: int) -> str:
    """The token of the page that starts after ``after``."""
    raw = json.dumps({"list": listing, "after": after}, separators=(",", ":"))
    return base64.b64encode(raw.encode()).decode()


def _read_token(token: object, listing: str) -> int:
    invalid = EcsError("InvalidParameterException", "Invalid nextToken.")
    if not isinstance(token, str):
        raise invalid
    try:
        decoded = json.loads(base64.b64decode(token, validate=True))
    except (ValueError, TypeError, RecursionError):  # binascii.Error is a ValueError
        raise invalid from None
    if not isinstance(decoded, dict) or set(decoded) != {"list", "after"}:
        raise invalid
    after = decoded["after"]
    if (
        decoded["list"] != listing
        or isinstance(after, bool)
        or not isinstance(after, int)
        or not 0 <= after <= _MAX_PLACE
    ):
        raise invalid
    return after
