"""What the fake needs of moto's ECS: the one module that reads or changes moto's
ECS state (``ecs_backends``).

- ``task_definition``: a task definition registered through moto, for RunTask.
- ``reset_account``: clear moto's ECS state of an account (``FakeEcs.reset()``).
- ``MotoClusters``: keep moto's ECS aware of the clusters the fake creates
  and deletes, and tell the fake what moto runs on them (services, container
  instances).

The fake answers CreateCluster and DeleteCluster itself, so moto's ECS, which
answers what the fake leaves to it (CreateService and the other service calls,
RegisterContainerInstance, PutClusterCapacityProviders, ...), would otherwise
know none of those clusters and answer ``ClusterNotFoundException``.

``MotoClusters`` is the service's cluster mirror (``cluster_mirror=`` of
``EcsService``, passed in by ``fake.py``; the service never imports moto). Its
``sync`` makes moto's ECS backend of a region hold a cluster
record for each cluster the fake has ACTIVE there (same name, ARN and tags; the
fake's settings when moto's record is made), and none for a name the fake
deleted: that one goes from moto with its (inactive) services, container
instances and tasks, so a cluster created again under the name starts empty, as
a new incarnation does. The service syncs after each change to its clusters and
before every request it leaves to moto (moto may have been reset in between:
each new ``mock_aws``). The fake's records stay what DescribeClusters answers.

Which moto account: moto files a request under ``MOTO_ACCOUNT_ID`` if set, else
the account of its access key (moto's default account for any key IAM did not
make). The clusters go to that default account and to the fake's ``account_id``
(where they differ), with the fake's ARNs.

moto is imported only once something else has imported it (the fake's route,
when it starts): a sync before that does nothing, as moto has nothing to answer.
"""

from __future__ import annotations

import os
import sys
import threading
import weakref
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Protocol

__all__ = [
    "MOTO_LOCK",
    "ClusterView",
    "MotoClusters",
    "RegionView",
    "moto_backends",
    "register_container_instances",
    "reset_account",
    "task_definition",
]

#: Held while moto's ECS state is read or changed here, and by ``ecs-tasks serve``
#: around each request it hands to moto (moto's backends are not built for
#: concurrent use).
MOTO_LOCK = threading.RLock()

#: Attribute names set on moto's objects: on a cluster record, a weak reference to
#: the fake's cluster incarnation it mirrors; on a backend, what it was last synced to.
_SOURCE = "_pytest_ecs_tasks_source"
_SYNCED = "_pytest_ecs_tasks_synced"
#: Service statuses moto or ECS counts as active (moto marks a deleted one INACTIVE).
_ACTIVE_SERVICE = frozenset({"ACTIVE", "DRAINING"})


class ClusterView(Protocol):
    """What the mirror reads of one incarnation of one of the fake's clusters."""

    name: str
    tags: list[dict[str, str]]
    settings: list[dict[str, str]]

    @property
    def arn(self) -> str: ...

    @property
    def active(self) -> bool: ...


class RegionView(Protocol):
    """What the mirror reads of the fake's clusters in one region of its account."""

    region: str
    account_id: str
    revision: int

    @property
    def clusters(self) -> Mapping[str, Sequence[ClusterView]]: ...


class MotoClusters:
    """The fake's clusters, mirrored into moto's ECS backends (see the module's text)."""

    def sync(self, region_state: RegionView) -> None:
        """Make moto's clusters in ``region_state``'s region agree with the fake's: a record
        for each ACTIVE one, none for a deleted one. Cheap when neither side
        changed since the last sync."""
        with MOTO_LOCK:
            for backend in _backends(region_state):
                synced = vars(backend).get(_SYNCED)
                if (
                    synced is not None
                    and synced[0]() is region_state
                    and synced[1] == region_state.revision
                ):
                    continue  # this backend already agrees (a reset of moto clears the mark)
                for name, incarnations in region_state.clusters.items():
                    if incarnations:
                        _sync_one(backend, name, incarnations[-1])
                vars(backend)[_SYNCED] = (weakref.ref(region_state), region_state.revision)

    def usage(self, region_state: RegionView, name: str) -> tuple[int, int]:
        """What moto runs on cluster ``name``: (active services, registered container
        instances), summed over the accounts the clusters are mirrored into."""
        services = instances = 0
        with MOTO_LOCK:
            self.sync(region_state)
            for backend in _backends(region_state):
                if name not in backend.clusters:
                    continue
                services += sum(
                    1
                    for service in list(backend.services.values())
                    if service.cluster_name == name
                    and getattr(service, "status", "ACTIVE") in _ACTIVE_SERVICE
                )
                instances += len(backend.container_instances.get(name) or {})
        return services, instances

    def services(self, region_state: RegionView, name: str) -> dict[str, tuple[str, str]]:
        """The services moto holds on cluster ``name`` (deleted ones it still keeps, as
        INACTIVE, included): service name -> (status, launch type), over the accounts
        the clusters are mirrored into (the fake's own account wins a name held in both)."""
        found: dict[str, tuple[str, str]] = {}
        with MOTO_LOCK:
            self.sync(region_state)
            for backend in _backends(region_state):
                if name not in backend.clusters:
                    continue
                for service in list(backend.services.values()):
                    if service.cluster_name != name:
                        continue
                    status = str(getattr(service, "status", None) or "ACTIVE")
                    launch_type = str(getattr(service, "launch_type", None) or "EC2")
                    found[str(service.name)] = (status, launch_type)
        return found


def task_definition(region: str, account_id: str, reference: str) -> Mapping[str, Any] | None:
    """A task definition registered through moto (``family:revision``, family or
    ARN), as a TaskDefinition record; ``None`` if moto has none by that reference.
    Looked up in ``account_id`` and in moto's default account."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ecs.models import ecs_backends

    for account in dict.fromkeys((account_id, DEFAULT_ACCOUNT_ID)):
        try:
            backend = ecs_backends[account][region]
            definition = backend.describe_task_definition(reference)
        except Exception:  # moto's own "not found" errors, or a region it does not know
            continue
        return {
            "taskDefinitionArn": definition.arn,
            "family": definition.family,
            "revision": definition.revision,
            "containerDefinitions": list(definition.container_definitions),
            "networkMode": getattr(definition, "network_mode", None),
            "requiresCompatibilities": list(
                getattr(definition, "requires_compatibilities", None) or []
            ),
            "cpu": getattr(definition, "cpu", None),
            "memory": getattr(definition, "memory", None),
            "status": getattr(definition, "status", "ACTIVE"),
            "compatibilities": list(getattr(definition, "compatibilities", None) or []),
            "runtimePlatform": getattr(definition, "runtime_platform", None),
            "ephemeralStorage": getattr(definition, "ephemeral_storage", None),
        }
    return None


#: What ``register_container_instances`` starts in moto's EC2: any AMI id will do.
_ECS_AMI = "ami-0123456789abcdef0"
_INSTANCE_TYPE = "m5.large"


def register_container_instances(region: str, cluster: str, count: int) -> list[str]:
    """Start ``count`` EC2 instances in moto's EC2 and register each as a container
    instance of ``cluster`` (through the public APIs, inside the active mock, as an
    ECS agent would); returns their container instance ARNs."""
    import json

    import boto3

    ec2 = boto3.client("ec2", region_name=region)
    ecs = boto3.client("ecs", region_name=region)
    started = ec2.run_instances(
        ImageId=_ECS_AMI, MinCount=count, MaxCount=count, InstanceType=_INSTANCE_TYPE
    )["Instances"]
    arns = []
    for instance in started:
        document = {
            "instanceId": instance["InstanceId"],
            "region": region,
            "instanceType": _INSTANCE_TYPE,
            "availabilityZone": instance["Placement"]["AvailabilityZone"],
            "privateIp": instance.get("PrivateIpAddress"),
            "imageId": _ECS_AMI,
        }
        registered = ecs.register_container_instance(
            cluster=cluster,
            instanceIdentityDocument=json.dumps(document),
            instanceIdentityDocumentSignature="",
        )["containerInstance"]
        arns.append(registered["containerInstanceArn"])
    return arns


def reset_account(account_id: str) -> None:
    """Clear moto's ECS state of ``account_id`` in every region (if moto is loaded)."""
    if "moto.ecs.models" not in sys.modules:
        return
    from moto.ecs.models import ecs_backends

    with MOTO_LOCK:
        for backend in list(ecs_backends[account_id].values()):
            backend.reset()


def _backends(region_state: RegionView) -> Iterator[Any]:
    """moto's ECS backends of ``region_state``'s region for the accounts the clusters go to;
    none if moto is not imported yet, or does not know the region."""
    return moto_backends("ecs", region_state.region, region_state.account_id)


def moto_backends(service: str, region: str, account_id: str) -> Iterator[Any]:
    """moto's ``service`` backends of ``region``: the account moto files requests under
    (``MOTO_ACCOUNT_ID``, else its default) first, then ``account_id``; none if moto is
    not imported yet, or does not know the region."""
    if "moto" not in sys.modules:
        return
    from moto.backends import get_backend
    from moto.core import DEFAULT_ACCOUNT_ID

    lookup: Any = get_backend  # typed per service name in moto; any name here
    by_account = lookup(service)
    default = os.environ.get("MOTO_ACCOUNT_ID") or DEFAULT_ACCOUNT_ID
    for account in dict.fromkeys((default, account_id)):
        try:
            backend = by_account[account][region]
        except KeyError:  # a region moto does not know
            continue
        yield backend


def _sync_one(backend: Any, name: str, cluster: ClusterView) -> None:
    """Make moto's record for ``name`` agree with the fake's newest incarnation of it."""
    held = backend.clusters.get(name)
    if not cluster.active:
        if held is not None:
            _forget(backend, name)
        return
    if held is not None:
        source = _source_of(held)
        if source is not None and source is not cluster and not source.active:
            # moto still holds an incarnation the fake deleted (no sync in between)
            _forget(backend, name)
            held = None
    if held is None:
        held = backend.create_cluster(
            cluster_name=name,
            tags=[dict(t) for t in cluster.tags] or None,
            cluster_settings=[dict(s) for s in cluster.settings] or None,
        )
    held.arn = cluster.arn
    held.status = "ACTIVE"
    held.tags = [dict(t) for t in cluster.tags] or None
    vars(held)[_SOURCE] = weakref.ref(cluster)


def _source_of(held: Any) -> ClusterView | None:
    ref = vars(held).get(_SOURCE)
    source: ClusterView | None = ref() if ref is not None else None
    return source


def _forget(backend: Any, name: str) -> None:
    """Drop moto's cluster ``name`` and what moto keeps under it (services, container
    instances, tasks): the fake deleted the cluster."""
    backend.clusters.pop(name, None)
    for key, service in list(backend.services.items()):
        if service.cluster_name == name:
            del backend.services[key]
    backend.container_instances.pop(name, None)
    backend.tasks.pop(name, None)
