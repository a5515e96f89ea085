"""Resource tags as every Python API of the project takes them.

One reading of tags for every surface: ``to_tag_list``. A surface words its
errors its own way through a ``TagWording`` (the fake's methods use this
module's; the factories', in ``_factories._checks``, also hold tags to AWS's
limits).

Floor 1: imports nothing from the rest of the package.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypeGuard

__all__ = ["FORMS", "TagWording", "TagsInput", "to_tag_list"]

#: A dict ``{"team": "data"}`` or the boto3 list ``[{"key": "team", "value": "data"}]``.
TagsInput = Mapping[str, str] | Sequence[Mapping[str, str]]

#: The forms tags are given in, as error messages name them.
FORMS = "a dict like {'team': 'data'} or a list like [{'key': 'team', 'value': 'data'}]"
_MEMBERS = frozenset({"key", "value"})


class TagWording:
    """What a surface takes for tags and how it words what is wrong with them.

    Each method gets what is wrong and returns the exception to raise. This one
    is the fake's Python API: any sequence of tags, AWS's limits left to the
    service (which reports them as the API does).
    """

    #: Hold tags to AWS's limits: at most 50, keys of 1 to 128 characters and
    #: values of at most 256, each key once.
    aws_limits = False

    def is_list(self, value: object) -> TypeGuard[Sequence[object]]:
        """``value`` is a list of tags (not a dict of them)."""
        return isinstance(value, Sequence) and not isinstance(value, (str, bytes))

    def not_tags(self, name: str, value: object) -> Exception:
        return TypeError(f"{name}={value!r}: give {FORMS}")

    def not_a_tag(self, where: str, tag: object) -> Exception:
        return ValueError(f"{where}={tag!r}: each tag is a dict with 'key' and 'value'")

    def no_key(self, where: str, tag: Mapping[object, object]) -> Exception:
        return self.not_a_tag(where, tag)

    def unknown_members(
        self, where: str, tag: Mapping[object, object], unknown: set[object]
    ) -> Exception:
        first = sorted(unknown)[0]  # type: ignore[type-var]
        return ValueError(f"{where}={tag!r}: unknown member {first!r}; a tag has 'key' and 'value'")

    def not_text(
        self, name: str, value: object, where: str, key: object, text: object
    ) -> Exception:
        """A tag's key or value is not a str (``where`` names the tag)."""
        return TypeError(f"{name}={value!r}: tag keys and values are strings")


_PLAIN = TagWording()


def to_tag_list(
    value: object, name: str = "tags", wording: TagWording = _PLAIN
) -> list[dict[str, str]]:
    """``value`` (``None``, a dict or the boto3 list) as the boto3 list of
    ``{"key", "value"}`` dicts, as records hold them. Anything else raises a
    ``TypeError`` or ``ValueError`` naming ``name``, the value and what is valid,
    as ``wording`` words it."""
    if value is None:
        return []
    pairs: list[tuple[str, object, object]]
    if isinstance(value, Mapping):
        pairs = [(f"{name}[{key!r}]", key, text) for key, text in value.items()]
    elif wording.is_list(value):
        pairs = []
        for i, tag in enumerate(value):
            where = f"{name}[{i}]"
            if not isinstance(tag, Mapping):
                raise wording.not_a_tag(where, tag)
            if "key" not in tag:
                raise wording.no_key(where, tag)
            unknown = set(tag) - _MEMBERS
            if unknown:
                raise wording.unknown_members(where, tag, unknown)
            pairs.append((where, tag["key"], tag.get("value", "")))
    else:
        raise wording.not_tags(name, value)
    limits = wording.aws_limits
    if limits and len(pairs) > 50:
        raise ValueError(f"{name}: {len(pairs)} tags, but a resource has at most 50")
    tags: list[dict[str, str]] = []
    seen: set[str] = set()
    for where, key, text in pairs:
        if not isinstance(key, str) or not isinstance(text, str):
            raise wording.not_text(name, value, where, key, text)
        if limits:
            if not 1 <= len(key) <= 128:
                raise ValueError(f"{where}: the tag key {key!r} is not 1 to 128 characters long")
            if len(text) > 256:
                raise ValueError(f"{where}: the value of tag {key!r} is over 256 characters long")
            if key in seen:
                raise ValueError(f"{where}: the tag key {key!r} is given twice; keys are unique")
            seen.add(key)
        tags.append({"key": key, "value": text})
    return tags
