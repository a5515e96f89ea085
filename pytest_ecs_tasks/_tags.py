"""Resource tags as every Python API of the project takes them.

Floor 1: imports nothing from the rest of the package.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

__all__ = ["TagsInput", "to_tag_list"]

#: A dict ``{"team": "data"}`` or the boto3 list ``[{"key": "team", "value": "data"}]``.
TagsInput = Mapping[str, str] | Sequence[Mapping[str, str]]

_FORMS = "a dict like {'team': 'data'} or a list like [{'key': 'team', 'value': 'data'}]"


def to_tag_list(value: object, name: str = "tags") -> list[dict[str, str]]:
    """``value`` (``None``, a dict or the boto3 list) as the boto3 list of
    ``{"key", "value"}`` dicts, as records hold them. Anything else raises a
    ``TypeError`` or ``ValueError`` naming ``name``, the value and what is valid."""
    if value is None:
        return []
    if isinstance(value, Mapping):
        pairs = list(value.items())
    elif isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        pairs = []
        for i, tag in enumerate(value):
            if not isinstance(tag, Mapping) or "key" not in tag:
                raise ValueError(f"{name}[{i}]={tag!r}: each tag is a dict with 'key' and 'value'")
            unknown = sorted(set(tag) - {"key", "value"})
            if unknown:
                raise ValueError(
                    f"{name}[{i}]={tag!r}: unknown member {unknown[0]!r}; a tag has 'key' and 'value'"
                )
            pairs.append((tag["key"], tag.get("value", "")))
    else:
        raise TypeError(f"{name}={value!r}: give {_FORMS}")
    tags = []
    for key, text in pairs:
        if not isinstance(key, str) or not isinstance(text, str):
            raise TypeError(f"{name}={value!r}: tag keys and values are strings")
        tags.append({"key": key, "value": text})
    return tags
