"""The static parts of ECS records: everything about a task that does not change
with time (ids, ARNs, network details, images, sizes), drawn with Faker and
factory_boy's random generator so that ``factory.random.reseed_random`` makes
them reproducible.

The fake service asks for these too, through :func:`static_task`, so records the
factories build and tasks the fake runs look alike.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, TypeVar

import factory.random
from factory.faker import Faker as _FactoryFaker
from faker import Faker

from .. import _arns as arns
from .. import _model as model
from .._arns import TaskIdentity

__all__ = ["TaskIdentity", "faker", "new_task_id", "randgen", "static_container", "static_task"]

_T = TypeVar("_T")

#: Fargate task sizes: (cpu units, memory MiB).
FARGATE_SIZES: tuple[tuple[str, str], ...] = (
    ("256", "512"),
    ("512", "1024"),
    ("1024", "2048"),
    ("2048", "4096"),
    ("4096", "8192"),
)
IMAGES: tuple[str, ...] = (
    "nginx:1.27",
    "python:3.12-slim",
    "public.ecr.aws/docker/library/busybox:latest",
    "public.ecr.aws/aws-observability/aws-otel-collector:v0.40.0",
    "redis:7",
    "amazon/aws-cli:2.17.0",
)


def randgen() -> Any:
    """factory_boy's random generator (reseeded by ``factory.random.reseed_random``)."""
    return _RANDOM


def faker() -> Faker:
    """The Faker instance factory_boy's declarations use (same seeding)."""
    return _FactoryFaker._get_faker()  # type: ignore[no-any-return]


#: factory_boy's generator itself: ``reseed_random`` sets its state in place, so the
#: object never changes and every draw can use it without a lookup.
_RANDOM = factory.random.randgen
_getrandbits = _RANDOM.getrandbits
_random = _RANDOM.random


def _choice(seq: Sequence[_T]) -> _T:
    """``random.choice`` from one ``random()`` draw: twice as fast, and for the
    short sequences drawn from here (a few thousand items at most) no further from
    uniform than 2**-40."""
    return seq[int(_random() * len(seq))]


def _randrange(start: int, stop: int | None = None) -> int:
    """``random.randrange`` (one or two arguments) from one ``random()`` draw, like
    :func:`_choice`: for the ranges drawn from here (under 2**16)."""
    if stop is None:
        start, stop = 0, start
    return start + int(_random() * (stop - start))


@dataclass(frozen=True)
class _Vocabulary:
    """The words and names of one Faker instance (its locale), read once."""

    words: tuple[str, ...]
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]

    @classmethod
    def of(cls, fake: Faker) -> _Vocabulary:
        first: tuple[str, ...] = ()
        last: tuple[str, ...] = ()
        for provider in fake.providers:
            if hasattr(provider, "first_names") and hasattr(provider, "last_names"):
                first, last = tuple(provider.first_names), tuple(provider.last_names)
                break
        return cls(_word_list(fake), first, last)


def _word_list(fake: Faker) -> tuple[str, ...]:
    """The words ``fake.word()`` draws from: ``get_words_list()`` where Faker has it
    (newer Faker), else its lorem provider's ``word_list`` (Faker 20)."""
    get_words_list = getattr(fake, "get_words_list", None)
    if get_words_list is not None:
        return tuple(get_words_list())
    for provider in fake.providers:
        words = getattr(provider, "word_list", None)
        if words:
            return tuple(words)
    return tuple(fake.words(50))


#: The vocabulary of the Faker instance last asked, with that instance.
_vocabulary: tuple[object, _Vocabulary | None] = (None, None)


def _words_of(fake: Faker) -> _Vocabulary:
    global _vocabulary
    owner, vocabulary = _vocabulary
    if owner is not fake or vocabulary is None:  # another locale, say
        vocabulary = _Vocabulary.of(fake)
        _vocabulary = (fake, vocabulary)
    return vocabulary


def word() -> str:
    """A word from Faker's word list, like ``Faker().word()``: drawn from the seeded
    generator, without Faker's provider lookups on every call."""
    return _choice(_words_of(faker()).words)


def user_name() -> str:
    """A user name from Faker's names, like ``Faker().user_name()`` (``jsmith``)."""
    fake = faker()
    vocabulary = _words_of(fake)
    if vocabulary.first_names and vocabulary.last_names:
        name = f"{_choice(vocabulary.first_names)[0]}{_choice(vocabulary.last_names)}"
        name = "".join(c for c in name.lower() if c.isalnum())
        if name:
            return name
    return fake.user_name()


def new_task_id(*, old_format: bool = False) -> str:
    """A task id: 32 lowercase hex characters, or a 36-character UUID (old format)."""
    if old_format:
        return _uuid(_hex(32))
    return f"{_getrandbits(128):032x}"


def digits(n: int) -> str:
    if n <= 15:  # within the 53 bits of one random() draw
        return f"{int(_random() * 10**n):0{n}d}"
    return f"{_RANDOM.randrange(10**n):0{n}d}"


def _hex(count: int) -> str:
    """``count`` random hex digits. A record draws all its ids' digits at once:
    one draw and one formatting instead of one per id."""
    return f"{_getrandbits(4 * count):0{count}x}"


def _uuid(h: str) -> str:
    """A random (version 4) UUID from 32 random hex digits ``h``, as
    ``str(uuid.UUID(int=int(h, 16), version=4))`` writes it."""
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:32]}"


#: A UUID's variant digit (RFC 4122: 10xx) for a random hex digit.
_VARIANT = {f"{i:x}": f"{i & 3 | 8:x}" for i in range(16)}
#: A MAC address's first octet, unicast and locally administered, for a random one.
_MAC_FIRST = {f"{i:02x}": f"{i & 0xFC | 0x02:02x}" for i in range(256)}

#: Hex digits each part of a record takes: the network (its attachment id, and for
#: awsvpc a subnet, an ENI and a MAC address: 32 + 17 + 17 + 12), a container (its
#: id, and on EC2 a runtime id), a container instance id.
_NETWORK_HEX = {True: 78, False: 32}
_CONTAINER_HEX = {True: 32, False: 96}
_INSTANCE_HEX = 32


class Network(NamedTuple):
    """A task's ENI (awsvpc) or host (bridge) networking."""

    attachment_id: str
    private_ip: str
    launch_type: str

    @property
    def awsvpc(self) -> bool:
        return self.launch_type != "EC2"


def new_network(
    region: str, launch_type: str, digits: str | None = None
) -> tuple[Network, dict[str, Any] | None]:
    """The task's network and, for awsvpc, its ENI attachment record (``digits``:
    its random hex digits, ``_NETWORK_HEX`` of them)."""
    awsvpc = launch_type != "EC2"
    h = digits if digits is not None else _hex(_NETWORK_HEX[awsvpc])
    ip = f"10.0.{int(_random() * 256)}.{1 + int(_random() * 254)}"
    net = Network(_uuid(h), ip, launch_type)
    if not awsvpc:
        return net, None
    dns_suffix = "ec2.internal" if region == "us-east-1" else f"{region}.compute.internal"
    mac = f"{_MAC_FIRST[h[66:68]]}:{h[68:70]}:{h[70:72]}:{h[72:74]}:{h[74:76]}:{h[76:78]}"
    attachment = {
        "id": net.attachment_id,
        "type": "ElasticNetworkInterface",
        "status": "ATTACHED",
        "details": [
            {"name": "subnetId", "value": f"subnet-{h[32:49]}"},
            {"name": "networkInterfaceId", "value": f"eni-{h[49:66]}"},
            {"name": "macAddress", "value": mac},
            {"name": "privateDnsName", "value": f"ip-{ip.replace('.', '-')}.{dns_suffix}"},
            {"name": "privateIPv4Address", "value": ip},
        ],
    }
    return net, attachment


def static_container(
    identity: TaskIdentity,
    net: Network,
    spec: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """One container of a task, without its time-dependent members.

    ``spec`` is a container definition or a partial Container record: its
    ``name``, ``image``, ``cpu``, ``memory``, ``memoryReservation`` and port
    mappings are honoured.
    """
    digits = _hex(_CONTAINER_HEX[net.launch_type != "EC2"])
    task_id = identity.task_id
    container_arn = _arns_of(identity).container.replace(_TASK_ID, task_id)
    return _container(identity.task_arn, container_arn, task_id, net, spec or {}, digits)


def _container(
    task_arn: str,
    container_arn: str,
    task_id: str,
    net: Network,
    spec: Mapping[str, Any],
    h: str,
) -> dict[str, Any]:
    """A container (see :func:`static_container`): ``container_arn`` has a placeholder
    for the container's id, ``h`` are its random hex digits."""
    image = spec.get("image") or IMAGES[int(_random() * len(IMAGES))]
    container: dict[str, Any] = {
        "containerArn": container_arn.replace(_CONTAINER_ID, _uuid(h)),
        "taskArn": task_arn,
        "name": spec.get("name") or word(),
        "image": image,
        "imageDigest": _digest(image),
    }
    attachment_id, private_ip, launch_type = net
    if launch_type != "EC2":
        container["runtimeId"] = f"{task_id}-{int(_random() * 10**10):010d}"
        container["networkBindings"] = []
        container["networkInterfaces"] = [
            {"attachmentId": attachment_id, "privateIpv4Address": private_ip}
        ]
    else:
        container["runtimeId"] = h[32:96]
        ports = [
            m.get("containerPort") for m in spec.get("portMappings", ()) if m.get("containerPort")
        ]
        if not ports and "portMappings" not in spec:
            ports = [_choice((80, 8080, 3000, 5000))]
        container["networkBindings"] = [
            {
                "bindIP": "0.0.0.0",
                "containerPort": int(port),
                "hostPort": _randrange(32768, 61000),
                "protocol": "tcp",
            }
            for port in ports
        ]
        container["networkInterfaces"] = []
    container["healthStatus"] = "UNKNOWN"
    if spec:
        container["cpu"] = str(spec.get("cpu", 0))
        for member in ("memory", "memoryReservation"):
            if spec.get(member) is not None:
                container[member] = str(spec[member])
    else:
        container["cpu"] = "0"
    return _known(container, "Container")


_digests: dict[str, str] = {}


def _digest(image: str) -> str:
    """An image's digest: the same for every container of the image, as a registry's is."""
    digest = _digests.get(image)
    if digest is None:
        import hashlib

        digest = f"sha256:{hashlib.sha256(image.encode()).hexdigest()}"
        if len(_digests) < 4096:
            _digests[image] = digest
    return digest


class _PlaceArns(NamedTuple):
    """A place's ARNs, as :mod:`arns` writes them: the cluster's, and the task's
    and a container's with placeholders for the ids (built once, filled per record)."""

    cluster: str
    task: str
    container: str


_TASK_ID = "\x00"
_CONTAINER_ID = "\x01"
_place_arns: dict[tuple[str, str, str, bool], _PlaceArns] = {}


def _arns_of(identity: TaskIdentity) -> _PlaceArns:
    key = (identity.region, identity.account_id, identity.cluster, identity.long_arn_format)
    place = _place_arns.get(key)
    if place is None:
        region, account_id, cluster, long_format = key
        place = _PlaceArns(
            arns.cluster_arn(region, account_id, cluster),
            arns.task_arn(region, account_id, cluster, _TASK_ID, long_format=long_format),
            arns.container_arn(
                region, account_id, cluster, _TASK_ID, _CONTAINER_ID, long_format=long_format
            ),
        )
        if len(_place_arns) < 4096:
            _place_arns[key] = place
    return place


_CPU_ARCHITECTURES = ("x86_64", "x86_64", "arm64")
_CONTAINER_INSTANCE_LAUNCH_TYPES = frozenset({"EC2", "EXTERNAL", "MANAGED_INSTANCES"})


def static_task(
    identity: TaskIdentity,
    *,
    launch_type: str = "FARGATE",
    family: str | None = None,
    revision: int | None = None,
    task_definition_arn: str | None = None,
    containers: Sequence[Mapping[str, Any]] | None = None,
    cpu: str | None = None,
    memory: str | None = None,
    group: str | None = None,
    started_by: str | None = None,
    tags: Sequence[Mapping[str, str]] = (),
    capacity_provider: str | None = None,
    task_id: str | None = None,
) -> dict[str, Any]:
    """A task record without its time-dependent members (see ``lifecycle.render_task``).

    ``task_id``: the task's id, if not ``identity``'s (the factories keep one
    identity for a whole batch)."""
    # The draws below are _choice and _randrange, written out: this runs for every record.
    random = _random
    if not family:
        words = _words_of(faker()).words
        count = len(words)
        family = f"{words[int(random() * count)]}-{words[int(random() * count)]}"
    revision = revision if revision is not None else 1 + int(random() * 39)
    specs = containers if containers is not None else ({"name": family.split("-")[0]},)
    awsvpc = launch_type != "EC2"
    network_hex, container_hex = _NETWORK_HEX[awsvpc], _CONTAINER_HEX[awsvpc]
    h = _hex(network_hex + len(specs) * container_hex + _INSTANCE_HEX)
    net, attachment = new_network(identity.region, launch_type, h)
    if cpu is None or memory is None:
        size_cpu, size_memory = _SMALL_SIZES[int(random() * 3)]
        cpu = cpu or size_cpu
        memory = memory or size_memory
    region, account_id, cluster = identity.region, identity.account_id, identity.cluster
    place = _arns_of(identity)
    task_id = task_id or identity.task_id
    task_arn = place.task.replace(_TASK_ID, task_id)
    fargate = launch_type == "FARGATE"
    task: dict[str, Any] = {
        "attachments": [attachment] if attachment is not None else [],
        "attributes": [
            {"name": "ecs.cpu-architecture", "value": _CPU_ARCHITECTURES[int(random() * 3)]}
        ],
        "availabilityZone": region + "abc"[int(random() * 3)],
    }
    if fargate:
        task["capacityProviderName"] = capacity_provider or "FARGATE"
    elif capacity_provider:
        task["capacityProviderName"] = capacity_provider
    task["clusterArn"] = place.cluster
    if launch_type in _CONTAINER_INSTANCE_LAUNCH_TYPES:
        task["containerInstanceArn"] = arns.container_instance_arn(
            region, account_id, cluster, h[-_INSTANCE_HEX:]
        )
    container_arn = place.container.replace(_TASK_ID, task_id)
    at = network_hex
    containers = []
    for spec in specs:
        containers.append(
            _container(task_arn, container_arn, task_id, net, spec, h[at : at + container_hex])
        )
        at += container_hex
    task["containers"] = containers
    task["cpu"] = str(cpu)
    task["enableExecuteCommand"] = False
    if fargate:
        task["ephemeralStorage"] = {"sizeInGiB": 20}
        task["fargateEphemeralStorage"] = {"sizeInGiB": 20}
    task["group"] = group or f"family:{family}"
    task["healthStatus"] = "UNKNOWN"
    task["launchType"] = launch_type
    task["memory"] = str(memory)
    task["overrides"] = {
        "containerOverrides": [{"name": c["name"]} for c in task["containers"]],
        "inferenceAcceleratorOverrides": [],
    }
    if fargate:
        task["platformVersion"] = "1.4.0"
        task["platformFamily"] = "Linux"
    if started_by is not None:
        task["startedBy"] = started_by
    task["tags"] = [dict(t) for t in tags] if tags else []
    task["taskArn"] = task_arn
    task["taskDefinitionArn"] = task_definition_arn or arns.task_definition_arn(
        region, account_id, family, revision
    )
    return _known(task, "Task")


_SMALL_SIZES = FARGATE_SIZES[:3]


#: Every member :func:`static_task` and its containers may carry, per shape.
_EMITTED = {
    "Task": frozenset(
        {
            "attachments",
            "attributes",
            "availabilityZone",
            "capacityProviderName",
            "clusterArn",
            "containerInstanceArn",
            "containers",
            "cpu",
            "enableExecuteCommand",
            "ephemeralStorage",
            "fargateEphemeralStorage",
            "group",
            "healthStatus",
            "launchType",
            "memory",
            "overrides",
            "platformFamily",
            "platformVersion",
            "startedBy",
            "tags",
            "taskArn",
            "taskDefinitionArn",
        }
    ),
    "Container": frozenset(
        {
            "containerArn",
            "cpu",
            "healthStatus",
            "image",
            "imageDigest",
            "memory",
            "memoryReservation",
            "name",
            "networkBindings",
            "networkInterfaces",
            "runtimeId",
            "taskArn",
        }
    ),
}
#: Per shape: botocore's members when last asked, and which emitted ones it lacks.
_lacking: dict[str, tuple[frozenset[str], frozenset[str]]] = {}


def _known(record: dict[str, Any], shape: str) -> dict[str, Any]:
    """``record`` without the members the installed botocore's model does not know
    (an older botocore lacks newer members, like ``fargateEphemeralStorage``)."""
    known = model.members(shape)
    seen = _lacking.get(shape)
    if seen is None or seen[0] is not known:
        seen = _lacking[shape] = (known, _EMITTED[shape] - known)
    lacking = seen[1]
    if not lacking:
        return record
    return {k: v for k, v in record.items() if k not in lacking}


_TAG_KEYS = ("team", "env", "service", "cost-center", "owner", "project")


def new_tags(count: int | None = None) -> list[dict[str, str]]:
    count = count if count is not None else _randrange(1, 4)
    chosen = _RANDOM.sample(_TAG_KEYS, count)
    values: dict[str, Callable[[], str]] = {
        "team": word,
        "env": lambda: _choice(("dev", "staging", "prod")),
        "service": word,
        "cost-center": lambda: digits(4),
        "owner": user_name,
        "project": word,
    }
    return [{"key": k, "value": values[k]()} for k in chosen]


def service_started_by() -> str:
    return f"ecs-svc/{digits(19)}"
