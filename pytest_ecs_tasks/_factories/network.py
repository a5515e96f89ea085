"""A task's networking: its ENI attachment (awsvpc: Fargate and the like) or its
host's network (bridge: EC2), with a private IP and DNS name."""

from __future__ import annotations

from typing import Any, NamedTuple

from .draws import hex_digits, random
from .ids import uuid

__all__ = ["NETWORK_HEX", "Network", "new_network"]

#: Hex digits a task's network takes, per awsvpc or not: its attachment id, and for
#: awsvpc a subnet, an ENI and a MAC address (32 + 17 + 17 + 12).
NETWORK_HEX = {True: 78, False: 32}
#: A MAC address's first octet, unicast and locally administered, for a random one.
_MAC_FIRST = {f"{i:02x}": f"{i & 0xFC | 0x02:02x}" for i in range(256)}
#: AWS's rule, not a default: in us-east-1 private DNS names end in ``ec2.internal``;
#: in every other region, in ``<region>.compute.internal``.
_EC2_INTERNAL_REGION = "us-east-1"


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
    its random hex digits, ``NETWORK_HEX`` of them)."""
    awsvpc = launch_type != "EC2"
    h = digits if digits is not None else hex_digits(NETWORK_HEX[awsvpc])
    ip = f"10.0.{int(random() * 256)}.{1 + int(random() * 254)}"
    net = Network(uuid(h), ip, launch_type)
    if not awsvpc:
        return net, None
    dns_suffix = "ec2.internal" if region == _EC2_INTERNAL_REGION else f"{region}.compute.internal"
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
