"""The Container factory: one element of a task's ``containers``, on its own
(``task_arn=`` ties it to a task)."""

from __future__ import annotations

from typing import Any

from .. import _arns as arns
from .. import _lifecycle as lifecycle
from .. import _model as model
from .._record_types import ContainerRecord
from .._settings import Settings
from . import _checks
from ._declarations import Trait
from ._parts import static_container
from .base import DictFactory
from .ids import new_task_id
from .network import new_network

__all__ = ["ContainerFactory", "build_container"]

_CONTAINER_MEMBERS = model.members("Container")


def build_container(params: dict[str, Any]) -> dict[str, Any]:
    params = dict(params)
    task_arn = params.pop("task_arn")
    region, account_id, cluster = _checks.place(
        params.pop("region"), params.pop("account_id"), params.pop("cluster")
    )
    if task_arn is not None:
        identity = _checks.task_arn("task_arn", task_arn, cluster)
    else:
        identity = arns.TaskIdentity(region, account_id, cluster, new_task_id())
    launch_type = _checks.choice("launch_type", params.pop("launch_type"), lifecycle.LAUNCH_TYPES)
    status = _checks.choice("lastStatus", params.pop("lastStatus"), lifecycle.CONTAINER_STATUSES)
    unknown = sorted(set(params) - _CONTAINER_MEMBERS)
    if unknown:
        raise ValueError(
            f"unknown Container member {', '.join(map(repr, unknown))}; use the API's member "
            "names (name, image, exitCode, reason, ...) or cluster=, region=, account_id=, "
            "task_arn=, launch_type="
        )
    if "healthStatus" in params:
        _checks.choice("healthStatus", params["healthStatus"], model.enum_values("HealthStatus"))
    if params:
        _checks.validate_members("Container", params)
    net, _ = new_network(identity.region, launch_type)
    spec: dict[str, Any] = {
        k: params[k] for k in ("name", "image", "cpu", "memory", "memoryReservation") if k in params
    }
    container = static_container(identity, net, spec)
    container["lastStatus"] = status
    if status == "PENDING":
        for member in lifecycle.STARTED_CONTAINER_MEMBERS:
            container.pop(member, None)
    if status == "STOPPED" and "exitCode" not in params:
        container["exitCode"] = 0
    container.update(params)
    return container


class ContainerFactory(DictFactory[ContainerRecord]):
    """One element of a task's ``containers``, on its own: ``task_arn=`` ties it
    to a task (else it belongs to a new one in ``cluster``, ``region`` and
    ``account_id``). Override any Container member by its API name. Traits:
    ``running`` (default), ``pending``, ``stopped``, ``ec2``."""

    class Params:
        running = Trait(lastStatus="RUNNING")
        pending = Trait(lastStatus="PENDING")
        stopped = Trait(lastStatus="STOPPED")
        ec2 = Trait(launch_type="EC2")

    cluster = "default"
    region = Settings.region
    account_id = Settings.account_id
    task_arn = None
    launch_type = "FARGATE"
    lastStatus = "RUNNING"

    @classmethod
    def _build(cls, model_class: type, *args: Any, **kwargs: Any) -> dict[str, Any]:
        return build_container(kwargs)
