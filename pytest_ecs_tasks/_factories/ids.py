"""Ids and ARNs of a task and its containers: task ids, UUIDs, and per place
(region, account, cluster) the ARNs with placeholders for the ids."""

from __future__ import annotations

from typing import NamedTuple

from .. import _arns as arns
from .._arns import TaskIdentity
from .draws import getrandbits, hex_digits

__all__ = ["CONTAINER_ID", "TASK_ID", "PlaceArns", "arns_of", "new_task_id", "uuid"]


def new_task_id(*, old_format: bool = False) -> str:
    """A task id: 32 lowercase hex characters, or a 36-character UUID (old format)."""
    if old_format:
        return uuid(hex_digits(32))
    return f"{getrandbits(128):032x}"


def uuid(h: str) -> str:
    """A random (version 4) UUID from 32 random hex digits ``h``, as
    ``str(uuid.UUID(int=int(h, 16), version=4))`` writes it."""
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:32]}"


#: A UUID's variant digit (RFC 4122: 10xx) for a random hex digit.
_VARIANT = {f"{i:x}": f"{i & 3 | 8:x}" for i in range(16)}


class PlaceArns(NamedTuple):
    """A place's ARNs, as ``arns`` writes them: the cluster's, and the task's
    and a container's with placeholders for the ids (built once, filled per record)."""

    cluster: str
    task: str
    container: str


#: The placeholders of ``PlaceArns`` for the task's id and the container's.
TASK_ID = "\x00"
CONTAINER_ID = "\x01"
_place_arns: dict[tuple[str, str, str, bool], PlaceArns] = {}


def arns_of(identity: TaskIdentity) -> PlaceArns:
    """The ARNs of ``identity``'s place (and ARN format)."""
    key = (identity.region, identity.account_id, identity.cluster, identity.long_arn_format)
    place = _place_arns.get(key)
    if place is None:
        region, account_id, cluster, long_format = key
        place = PlaceArns(
            arns.cluster_arn(region, account_id, cluster),
            arns.task_arn(region, account_id, cluster, TASK_ID, long_format=long_format),
            arns.container_arn(
                region, account_id, cluster, TASK_ID, CONTAINER_ID, long_format=long_format
            ),
        )
        if len(_place_arns) < 4096:
            _place_arns[key] = place
    return place
