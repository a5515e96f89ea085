"""RunTask's rules: what the service refuses, with its codes and messages, and what a
request resolves to (launch type, capacity provider, network, platform, sizes,
overrides, tags) before any task starts.

Sources (public pages and threads; ``# inferred`` where none gives the exact text):
the RunTask API page and botocore's model of it; the developer guide's "API
failure reasons", "Ensuring idempotency", "Tagging your Amazon ECS resources" and
Fargate platform version pages; the threads named beside each message.

What the lookups of ``run_task_lookups.py`` tell (moto's ECS and EC2, passed in
by ``_fake.py``) is passed in here; without them, the rules that need them are
not applied.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .. import _lifecycle as lifecycle
from .errors import EcsError
from .tags import checked_tags

__all__ = [
    "CAPACITY_UNAVAILABLE",
    "PLACEMENT_FAILURES",
    "RunRequest",
    "read_request",
    "resolve_definition",
    "task_size",
]

#: RunTask's ``failures`` reason when Fargate has no capacity for the task (the whole
#: ``reason``, no ``arn``: gchq/sleeper#904 logs ``ARN null``; its RunECSTasksIT and
#: AWS re:Post "ecs-fargate-runtask-capacity" quote the text).
CAPACITY_UNAVAILABLE = (
    "Capacity is unavailable at this time. Please try again later or in a different "
    "availability zone"
)
#: The reasons RunTask's ``failures`` can give for a task it could not place ("API
#: failure reasons", RunTask or StartTask: each about a container instance, whose ARN
#: is the failure's ``arn``), and Fargate's capacity shortage.
PLACEMENT_FAILURES = (
    "RESOURCE:CPU",
    "RESOURCE:MEMORY",
    "RESOURCE:PORTS",
    "RESOURCE:ENI",
    "RESOURCE:GPU",
    "AGENT",
    "ATTRIBUTE",
    "LOCATION",
    CAPACITY_UNAVAILABLE,
)
#: Fargate platform versions RunTask accepts, per operating system family, and what
#: ``LATEST`` means (Fargate Linux/Windows platform version pages; Linux 1.0.0-1.2.0
#: are retired; 1.3.0 is deprecated, its retirement announced for 2026).
_PLATFORM_VERSIONS = {"LINUX": ("1.4.0", "1.3.0"), "WINDOWS": ("1.0.0",)}
#: startedBy: "Up to 128 letters (uppercase and lowercase), numbers, hyphens (-),
#: forward slash (/), and underscores (_) are allowed" (botocore's model).
_STARTED_BY = re.compile(r"^[A-Za-z0-9_/-]{1,128}$")
#: clientToken: "Up to 64 characters ... in the range of 33-126, inclusive".
_CLIENT_TOKEN = re.compile(r"^[!-~]{1,64}$")
#: "A total of 8192 characters are allowed for overrides" (botocore's model).
_OVERRIDES_LIMIT = 8192
_FARGATE_PROVIDERS = ("FARGATE", "FARGATE_SPOT")


@dataclass
class RunRequest:
    """A RunTask request, checked and resolved: what each of its tasks starts with."""

    definition: Mapping[str, Any]
    count: int
    launch_type: str
    capacity_provider: str | None
    network_mode: str
    subnets: list[str] = field(default_factory=list)
    security_groups: list[str] = field(default_factory=list)
    public_ip: bool = False
    platform_version: str | None = None
    platform_family: str | None = None
    cpu_architecture: str | None = None
    cpu: str | None = None
    memory: str | None = None
    exact_size: bool = False
    ephemeral_storage: int | None = None
    overrides: dict[str, Any] | None = None
    tags: list[dict[str, str]] = field(default_factory=list)
    managed_tags: bool = False
    enable_execute_command: bool = False
    started_by: str | None = None
    group: str | None = None
    container_instances: list[str] = field(default_factory=list)


def _invalid(message: str) -> EcsError:
    return EcsError("InvalidParameterException", message)


DefinitionLookup = Callable[[str], "Mapping[str, Any] | None"]


def resolve_definition(lookup: DefinitionLookup, reference: str) -> Mapping[str, Any]:
    """The definition ``reference`` names: ``family:revision`` or an ARN as it is (an
    INACTIVE one refused), a bare family as its latest ACTIVE revision ("If a
    revision isn't specified, the latest ACTIVE revision is used", RunTask page)."""
    definition = lookup(reference)
    if definition is None:
        raise EcsError("ClientException", "TaskDefinition not found.")
    if definition.get("status", "ACTIVE") == "ACTIVE":
        return definition
    if ":" not in reference.rpartition("/")[2]:
        family = str(definition.get("family"))
        for revision in range(int(definition.get("revision") or 1) - 1, 0, -1):
            earlier = lookup(f"{family}:{revision}")
            if earlier is not None and earlier.get("status", "ACTIVE") == "ACTIVE":
                return earlier
    # ClientException "TaskDefinition is inactive": the text RunTask and UpdateService
    # callers report (e.g. code catching it from run_task); the code as UpdateService's
    raise EcsError("ClientException", "TaskDefinition is inactive")


def check_client_token(params: Mapping[str, Any]) -> str | None:
    token = params.get("clientToken")
    if token is None:
        return None
    if not isinstance(token, str) or not _CLIENT_TOKEN.match(token):
        # inferred: the rule is the model's, the text is not published
        raise _invalid(
            "clientToken can have up to 64 ASCII characters in the range of 33-126 (inclusive)."
        )
    return token


def read_request(
    params: Mapping[str, Any],
    definition: Mapping[str, Any],
    *,
    capacity: Mapping[str, Any] | None,
    extras: Mapping[str, Any] | None,
) -> RunRequest:
    """``params`` checked against ``definition`` and resolved, or the service's error.
    ``capacity`` / ``extras``: the placement lookup's answers (``None``: no lookup,
    and the rules needing it are skipped: any capacity provider, no tags to
    propagate, no task role known)."""
    count = params.get("count", 1)
    if not 1 <= count <= 10:
        raise _invalid("count must be between 1 and 10.")  # inferred text
    started_by = params.get("startedBy")
    if started_by is not None and not _STARTED_BY.match(started_by):
        # inferred text; the rule is the model's
        raise _invalid(
            "startedBy can have up to 128 letters (uppercase and lowercase), numbers, "
            "hyphens, forward slashes, and underscores."
        )
    launch_type, provider = _launch_type(params, definition, capacity)
    network_mode = definition.get("networkMode") or (
        "awsvpc" if launch_type == "FARGATE" else "bridge"
    )
    request = RunRequest(
        definition=definition,
        count=count,
        launch_type=launch_type,
        capacity_provider=provider,
        network_mode=network_mode,
        started_by=started_by,
        group=params.get("group"),
        managed_tags=bool(params.get("enableECSManagedTags")),
        enable_execute_command=bool(params.get("enableExecuteCommand")),
    )
    _network(request, params)
    _platform(request, params)
    _overrides(request, params)
    _tags(request, params, extras)
    if request.enable_execute_command and extras is not None:
        role = (params.get("overrides") or {}).get("taskRoleArn") or extras.get("taskRoleArn")
        if not role:
            # boto/boto3#3173 (RunTask, no task role in the definition or override)
            raise _invalid(
                "The execute command failed because a valid task role is not being used. "
                "Specify a valid task role in your task definition or as a task override "
                "and try again."
            )
    if capacity is not None:
        request.container_instances = list(capacity.get("container_instances") or [])
    return request


def _launch_type(
    params: Mapping[str, Any],
    definition: Mapping[str, Any],
    capacity: Mapping[str, Any] | None,
) -> tuple[str, str | None]:
    """The launch type and capacity provider: as given, else from the strategy given,
    else the cluster's default strategy ("If no capacityProviderStrategy or
    launchType is specified, the defaultCapacityProviderStrategy for the cluster is
    used"), else EC2. Without the placement lookup (no cluster strategy known):
    FARGATE for a definition that requires it, else EC2, as before it."""
    launch_type = params.get("launchType")
    strategy = params.get("capacityProviderStrategy") or []
    if launch_type and strategy:
        raise _invalid(
            "Specifying both a launch type and capacity provider strategy is not supported. "
            "Remove one and try again."
        )
    provider: str | None = None
    if strategy:
        known = None if capacity is None else set(capacity.get("providers") or [])
        for item in strategy:
            if known is not None and item.get("capacityProvider") not in known:
                # dask/dask-cloudprovider#328 (RunTask with FARGATE_SPOT not associated)
                raise _invalid(
                    "The specified capacity provider strategy cannot contain a capacity "
                    "provider that is not associated with the cluster. Associate the capacity "
                    "provider with the cluster or specify a valid capacity provider and try "
                    "again."
                )
        provider = _first_provider(strategy)
    elif not launch_type and capacity is not None and capacity.get("default_strategy"):
        provider = _first_provider(capacity["default_strategy"])
    if provider is not None:
        launch_type = "FARGATE" if provider in _FARGATE_PROVIDERS else "EC2"
    if launch_type is None:
        compatible = definition.get("requiresCompatibilities") or []
        fargate = capacity is None and "FARGATE" in compatible
        launch_type = "FARGATE" if fargate else "EC2"
    if launch_type not in lifecycle.LAUNCH_TYPES:
        raise _invalid(f"launchType should be one of [{', '.join(lifecycle.LAUNCH_TYPES)}]")
    compatibilities = definition.get("compatibilities") or []
    allowed = set(compatibilities) | ({"EXTERNAL"} if "EC2" in compatibilities else set())
    if compatibilities and launch_type not in allowed:
        # the text UpdateService answers (sil-org/ecs-deploy#134, aws/aws-cli#3983); the
        # same for RunTask is inferred
        raise _invalid(f"Task definition does not support launch_type {launch_type}.")
    return launch_type, provider


def _first_provider(strategy: Sequence[Mapping[str, Any]]) -> str | None:
    """The provider a task of ``strategy`` runs on: the first with a ``base``, else the
    first with a weight (a simplification: the service spreads tasks by weight)."""
    for item in strategy:
        if item.get("base"):
            return str(item["capacityProvider"])
    for item in strategy:
        if item.get("weight", 1):
            return str(item["capacityProvider"])
    return str(strategy[0]["capacityProvider"])


def _network(request: RunRequest, params: Mapping[str, Any]) -> None:
    configuration = params.get("networkConfiguration") or {}
    awsvpc = configuration.get("awsvpcConfiguration")
    if request.launch_type == "FARGATE" and request.network_mode != "awsvpc":
        raise EcsError(
            "ClientException",
            "Tasks using the Fargate launch type must use the 'awsvpc' network mode.",
        )
    if request.network_mode != "awsvpc":
        if awsvpc:
            # the text CreateService answers (terraform reports); RunTask's inferred the same
            raise _invalid(
                "Network Configuration is not valid for the given networkMode of this task "
                "definition."
            )
        return
    if not awsvpc:
        raise _invalid(
            "Network Configuration must be provided when networkMode 'awsvpc' is specified."
        )
    subnets = list(awsvpc.get("subnets") or [])
    if not subnets:
        raise _invalid("subnets can not be empty.")  # moto's and callers' reports
    if len(subnets) > 16:
        # "There's a limit of 16 subnets that can be specified" (model); text inferred
        raise _invalid("subnets can have at most 16 items.")
    request.subnets = subnets
    request.security_groups = list(awsvpc.get("securityGroups") or [])
    request.public_ip = awsvpc.get("assignPublicIp") == "ENABLED"
    if request.public_ip and request.launch_type != "FARGATE":
        # the text callers report for EC2 services and tasks
        raise _invalid("Assign public IP is not supported for this launch type.")


def _platform(request: RunRequest, params: Mapping[str, Any]) -> None:
    """Fargate's platform version and family, the CPU architecture, the ephemeral
    storage, from the request and the definition's ``runtimePlatform``."""
    runtime = request.definition.get("runtimePlatform") or {}
    architecture = runtime.get("cpuArchitecture")
    if architecture:
        request.cpu_architecture = "arm64" if architecture == "ARM64" else "x86_64"
    version = params.get("platformVersion")
    if request.launch_type != "FARGATE":
        if version is not None:
            # ansible-collections/community.aws#770 (text); the code is inferred
            raise _invalid("The platform version must be null when specifying an EC2 launch type.")
        return
    family = str(runtime.get("operatingSystemFamily") or "LINUX")
    windows = family.startswith("WINDOWS")
    known = _PLATFORM_VERSIONS["WINDOWS" if windows else "LINUX"]
    if version in (None, "LATEST"):
        version = known[0]
    elif version not in known:
        # the code's description in botocore's model; the text is inferred
        raise EcsError("PlatformUnknownException", "The specified platform version does not exist.")
    request.platform_version = version
    # Linux tasks show "Linux" (DescribeTasks samples); Windows ones their OS family (inferred)
    request.platform_family = family if windows else "Linux"
    request.cpu_architecture = request.cpu_architecture or "x86_64"
    storage = (params.get("overrides") or {}).get("ephemeralStorage") or request.definition.get(
        "ephemeralStorage"
    )
    if storage:
        if version == "1.3.0":
            # "only supported for tasks hosted on Fargate that use ... Linux platform version
            # 1.4.0 or later" (TaskOverride.ephemeralStorage, model); the text is inferred
            raise EcsError(
                "PlatformTaskDefinitionIncompatibilityException",
                "The specified platform version does not satisfy the task definition's "
                "required capabilities.",
            )
        request.ephemeral_storage = int(storage["sizeInGiB"])


def _overrides(request: RunRequest, params: Mapping[str, Any]) -> None:
    """Container overrides checked against the definition; the task's sizes; its
    ``overrides`` record (every container, those not overridden by name only)."""
    overrides: Mapping[str, Any] = params.get("overrides") or {}
    names = [str(spec.get("name")) for spec in request.definition.get("containerDefinitions") or []]
    given: dict[str, Mapping[str, Any]] = {}
    container_overrides = overrides.get("containerOverrides") or []
    for override in container_overrides:
        if not override:
            continue  # "An empty container override can be passed in" (model)
        name = override.get("name")
        if not name:
            raise _invalid("name cannot be blank.")  # aws/aws-sdk-go#2553
        if name not in names:
            # azavea/django-ecsmanage#21
            raise _invalid(
                f"Override for container named {name} is not a container in the TaskDefinition."
            )
        given[name] = override
    if len(json.dumps(list(container_overrides), separators=(",", ":"))) > _OVERRIDES_LIMIT:
        # the text RunTask callers report (Fargate and Batch)
        raise _invalid("Container Overrides length must be at most 8192")
    request.cpu, request.memory, request.exact_size = task_size(
        request.definition,
        request.definition.get("containerDefinitions") or [],
        request.launch_type,
        overrides,
    )
    if overrides:
        request.overrides = {
            **{k: v for k, v in overrides.items() if k != "containerOverrides"},
            "containerOverrides": [given.get(name, {"name": name}) for name in names],
            "inferenceAcceleratorOverrides": list(
                overrides.get("inferenceAcceleratorOverrides") or []
            ),
        }


def task_size(
    definition: Mapping[str, Any],
    specs: Sequence[Mapping[str, Any]],
    launch_type: str,
    overrides: Mapping[str, Any],
) -> tuple[str | None, str | None, bool]:
    """The task's ``cpu`` and ``memory``: the overrides' ("The CPU override for the
    task"; the task shows it, inferred), else the definition's task-level sizes.
    Fargate tasks always have both (registration requires them; a Python API task
    without them gets a drawn Fargate size: ``exact`` False). A non-Fargate task
    without task-level sizes shows its containers' (inferred: the sums of what the
    container definitions reserve; a size none sets is left out: ``exact`` True)."""
    cpu = overrides.get("cpu") or _text(definition.get("cpu"))
    memory = overrides.get("memory") or _text(definition.get("memory"))
    if launch_type == "FARGATE" or (cpu is not None and memory is not None):
        return cpu, memory, False
    cpu = cpu or _text(sum(int(spec.get("cpu") or 0) for spec in specs))
    total = sum(int(spec.get("memory") or spec.get("memoryReservation") or 0) for spec in specs)
    return cpu, memory or (_text(total) if total else None), True


def _tags(request: RunRequest, params: Mapping[str, Any], extras: Mapping[str, Any] | None) -> None:
    propagate = params.get("propagateTags")
    if propagate == "SERVICE":
        # "An error will be received if you specify the SERVICE option when running a
        # task" (RunTask page); the text is inferred
        raise _invalid(
            "The specified propagate tags option SERVICE is not supported for standalone tasks."
        )
    inherited: list[Mapping[str, Any]] = []
    if propagate == "TASK_DEFINITION" and extras is not None:
        inherited = list(extras.get("tags") or [])
    # the definition's tags first, the request's on top (a key in both: the request's
    # value; inferred)
    request.tags = checked_tags(params.get("tags") or [], onto=checked_tags(inherited))


def _text(value: object) -> str | None:
    return None if value is None else str(value)
