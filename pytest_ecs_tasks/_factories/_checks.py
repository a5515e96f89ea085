"""The factories' arguments, checked where they are given.

Every check raises an error that names the argument, shows the value and says
what is valid: a ``ArgumentTypeError`` for a value of the wrong type, a
``ValueError`` for a value of the right type that the service never uses.
``ArgumentTypeError`` is a ``ValueError`` too, as the factories raised
``ValueError`` for every bad argument before they told the two apart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta, timezone
from functools import cache
from typing import Any, TypeGuard

from .. import _arns as arns
from .. import _lifecycle as lifecycle
from .. import _model as model
from .._clock import current_time, to_utc
from .._tags import FORMS as TAG_FORMS
from .._tags import TagWording, to_tag_list

__all__ = [
    "ArgumentTypeError",
    "RecordTypeError",
    "account_id",
    "batch_size",
    "choice",
    "cluster",
    "container_specs",
    "exit_code",
    "flag",
    "moment",
    "place",
    "region",
    "tag_list",
    "task_arn",
    "validate_members",
]


class ArgumentTypeError(TypeError, ValueError):
    """An argument of the wrong type (also a ``ValueError``, as it was before)."""


class RecordTypeError(model.RecordError, ArgumentTypeError):
    """Members of the wrong type for botocore's model of the ECS API."""


def _kind(value: object) -> str:
    return type(value).__name__


def _a(value: object) -> str:
    """``value``'s type with its article: ``an int``, ``a list``."""
    kind = _kind(value)
    return f"{'an' if kind[0] in 'aeiouAEIOU' else 'a'} {kind}"


def region(value: object, name: str = "region") -> str:
    if not isinstance(value, str):
        raise ArgumentTypeError(
            f"{name} must be a str like 'us-east-1', got {value!r} ({_kind(value)})"
        )
    try:
        return arns.check_region(value)
    except ValueError:
        raise ValueError(f"{name} must look like 'us-east-1', got {value!r}") from None


def account_id(value: object, name: str = "account_id") -> str:
    if not isinstance(value, str):
        raise ArgumentTypeError(
            f"{name} must be a str of 12 digits, like '123456789012', "
            f"got {value!r} ({_kind(value)})"
        )
    try:
        return arns.check_account(value)
    except ValueError:
        raise ValueError(f"{name} must be 12 digits, like '123456789012', got {value!r}") from None


_CLUSTER_RULE = "a cluster name is 1 to 255 letters, digits, hyphens and underscores"


def cluster(value: object, name: str = "cluster") -> str:
    if not isinstance(value, str):
        raise ArgumentTypeError(f"{_CLUSTER_RULE}, like 'default': {name}={value!r} is {_a(value)}")
    try:
        return arns.check_cluster_name(value)
    except ValueError:
        raise ValueError(f"{_CLUSTER_RULE}, got {name}={value!r}") from None


#: (region, account_id, cluster) triples already checked: most records share one.
_places: set[tuple[str, str, str]] = set()


def place(region_: object, account_id_: object, cluster_: object) -> tuple[str, str, str]:
    """``region=``, ``account_id=`` and ``cluster=``, checked."""
    if type(region_) is str and type(account_id_) is str and type(cluster_) is str:
        key = (region_, account_id_, cluster_)
        if key in _places:
            return key
    key = (region(region_), account_id(account_id_), cluster(cluster_))
    if len(_places) >= 1024:
        _places.clear()
    _places.add(key)
    return key


def task_arn(name: str, value: object, cluster: str) -> arns.TaskIdentity:
    """A task ARN given as ``name=``, as the identity it names: in ``cluster`` if
    the ARN (in the old format) names none."""
    parsed = arns.parse_task_arn(value) if isinstance(value, str) else None
    if parsed is None or not arns.is_task_id(parsed.task_id):
        raise ValueError(
            f"{name}={value!r} is not a task ARN; write it like "
            "'arn:aws:ecs:us-east-1:123456789012:task/default/0123456789abcdef0123456789abcdef'"
        )
    return arns.TaskIdentity(
        parsed.region,
        parsed.account_id,
        parsed.cluster or cluster,
        parsed.task_id,
        long_arn_format=parsed.cluster is not None,
    )


def choice(name: str, value: object, valid: Sequence[str]) -> str:
    if not isinstance(value, str) or value not in valid:
        raise ValueError(
            f"{name}={value!r} is not a value the service returns; valid: {', '.join(valid)}"
        )
    return value


def flag(name: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise ArgumentTypeError(f"{name}={value!r}: give True or False")
    return value


def exit_code(value: object, name: str = "exit_code") -> int | None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise ArgumentTypeError(
            f"{name}={value!r}: an exit code is an int, like 0 or 137 (or None: none reported)"
        )
    return value


#: The moments a record can describe: its timestamps go back up to a day before
#: ``now`` (and the lifecycle's later stages a little after it).
_EARLIEST = datetime.min.replace(tzinfo=timezone.utc) + timedelta(days=2)
_LATEST = datetime.max.replace(tzinfo=timezone.utc) - timedelta(days=2)


def moment(value: object) -> datetime:
    """``now=``: the moment a record describes, an aware UTC datetime (default: the
    current time, the active fake service's clock if there is one)."""
    if value is None:
        return current_time()
    if type(value) is datetime and value.tzinfo is timezone.utc:
        when = value  # as to_utc would give it, without making a copy
    else:
        try:
            when = to_utc(value)  # type: ignore[arg-type]
        except TypeError:
            raise ArgumentTypeError(
                f"now={value!r}: give a datetime (naive means UTC), a date, an ISO 8601 string "
                "like '2025-06-01T12:00:00Z' or epoch seconds"
            ) from None
        except ValueError as exc:
            raise ValueError(f"now={value!r}: {exc}") from None
    if not _EARLIEST <= when <= _LATEST:
        raise ValueError(
            f"now={value!r} is out of range: a record's timestamps go back up to a day "
            f"before it; give a time from {_EARLIEST.date()} to {_LATEST.date()}"
        )
    return when


class _TagWording(TagWording):
    """The factories' reading of ``tags=``: a dict or a list (or tuple) of tags, held
    to AWS's limits, each problem named by the tag it is in."""

    aws_limits = True

    def is_list(self, value: object) -> TypeGuard[Sequence[object]]:
        return isinstance(value, (list, tuple))

    def not_tags(self, name: str, value: object) -> Exception:
        return ArgumentTypeError(f"{name}={value!r} is {_a(value)}: give {TAG_FORMS}")

    def not_a_tag(self, where: str, tag: object) -> Exception:
        return ArgumentTypeError(f"{where}={tag!r} is {_a(tag)}: each tag is {_A_TAG}")

    def no_key(self, where: str, tag: Mapping[object, object]) -> Exception:
        return ValueError(f"{where}={tag!r} has no 'key': each tag is {_A_TAG}")

    def unknown_members(
        self, where: str, tag: Mapping[object, object], unknown: set[object]
    ) -> Exception:
        names = ", ".join(map(repr, sorted(map(str, unknown))))
        return ValueError(f"{where}={tag!r}: unknown member {names}; a tag has 'key' and 'value'")

    def not_text(
        self, name: str, value: object, where: str, key: object, text: object
    ) -> Exception:
        if not isinstance(key, str):
            return ArgumentTypeError(f"{where}: the tag key {key!r} is {_a(key)}, not a str")
        return ArgumentTypeError(
            f"{where}: the value {text!r} of tag {key!r} is {_a(text)}, not a str"
        )


_A_TAG = "a dict like {'key': 'team', 'value': 'data'}"
_TAGS = _TagWording()


def tag_list(value: object, name: str = "tags") -> list[dict[str, str]]:
    """``tags=`` (``None``, a dict or boto3's list of ``{"key", "value"}`` dicts) as
    the list a record holds."""
    return to_tag_list(value, name, _TAGS)


#: Container definition members a ``containers`` entry may carry besides Container members.
DEFINITION_ONLY = frozenset({"essential", "portMappings", "command", "environment", "entryPoint"})


def container_specs(value: object) -> list[Mapping[str, Any]] | None:
    """``containers=``: a list of partial Container records or container definitions.

    Checks what botocore's model cannot see (the list itself, unknown members,
    statuses, repeated names) and the definition members against botocore's
    ``ContainerDefinition``; the Container members are checked with the task's
    other members (see ``validate_members``)."""
    if value is None:
        return None
    if not isinstance(value, (list, tuple)) or not all(isinstance(c, Mapping) for c in value):
        raise ArgumentTypeError(
            "containers must be a list of dicts (Container members or definitions), like "
            f"[{{'name': 'app', 'exitCode': 1}}], got {value!r}"
        )
    known = model.members("Container")
    names: dict[object, int] = {}
    for i, spec in enumerate(value):
        unknown = sorted(map(str, set(spec) - known - DEFINITION_ONLY))
        if unknown:
            raise ValueError(
                f"unknown Container member {', '.join(map(repr, unknown))} in containers[{i}]; "
                "use Container members (name, image, exitCode, reason, ...) or container "
                f"definition members ({', '.join(sorted(DEFINITION_ONLY))})"
            )
        if "lastStatus" in spec:
            choice(f"containers[{i}].lastStatus", spec["lastStatus"], lifecycle.CONTAINER_STATUSES)
        if "healthStatus" in spec:
            choice(
                f"containers[{i}].healthStatus",
                spec["healthStatus"],
                model.enum_values("HealthStatus"),
            )
        name = spec.get("name")
        if name:
            if name in names:
                raise ValueError(
                    f"containers[{i}]: the name {name!r} is taken by containers[{names[name]}]; "
                    "the containers of a task have distinct names"
                )
            names[name] = i
        definition = {k: v for k, v in spec.items() if k in DEFINITION_ONLY}
        if definition:
            try:
                validate_members("ContainerDefinition", definition)
            except model.RecordError as exc:
                problems = str(exc).split("\n", 1)[1]
                raise type(exc)(f"containers[{i}]: {problems}") from None
    return list(value)


def validate_members(shape: str, record: Mapping[str, Any]) -> None:
    """botocore's validation of ``record`` as the named shape (see ``model.validate_shape``);
    a report of wrong types only raises ``RecordTypeError``.

    Members botocore would pass at a glance (a ``str`` for a string member, a
    ``bool`` for a boolean one, with no length limits) skip the call: it costs
    more than the rest of a record. Anything else is botocore's to judge."""
    plain = _plain_members(shape)
    if all(type(value) is plain.get(name) for name, value in record.items()):
        return
    try:
        model.validate_shape(shape, record)
    except model.RecordError as exc:
        problems = str(exc).splitlines()[1:]
        if problems and all(p.startswith("Invalid type for parameter") for p in problems):
            raise RecordTypeError(str(exc)) from None
        raise


@cache
def _plain_members(shape_name: str) -> dict[str, type]:
    """The members of a structure that botocore checks by type alone: string
    and boolean members without length limits."""
    from botocore.model import StructureShape

    the_shape = model.shape(shape_name)
    assert isinstance(the_shape, StructureShape)
    kinds = {"string": str, "boolean": bool}
    return {
        name: kinds[member.type_name]
        for name, member in the_shape.members.items()
        if member.type_name in kinds and not {"min", "max"} & set(member.metadata)
    }


def batch_size(size: object) -> int:
    if isinstance(size, bool) or not isinstance(size, int):
        raise ArgumentTypeError(f"size={size!r}: the size of a batch is an int, like 10")
    if size < 0:
        raise ValueError(f"size={size!r}: the size of a batch is 0 or more")
    return size
