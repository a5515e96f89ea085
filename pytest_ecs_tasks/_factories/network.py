"""A task's networking: its ENI attachment (awsvpc: Fargate, and EC2 tasks whose
definition says ``awsvpc``) or its host's network (bridge, host, none: EC2), with a
private IP and DNS name.

By default every detail is drawn; the fake service passes what it decided instead
(the subnet RunTask named, an ENI it created in moto's EC2), and then nothing is
drawn for those details."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from .draws import hex_digits, random
from .ids import uuid

__all__ = ["INTERFACE_DETAILS", "NETWORK_HEX", "Network", "new_network"]

#: Hex digits a task's network takes, per awsvpc or not: its attachment id, and for
#: awsvpc a subnet, an ENI and a MAC address (32 + 17 + 17 + 12).
NETWORK_HEX = {True: 78, False: 32}
#: A MAC address's first octet, unicast and locally administered, for a random one.
_MAC_FIRST = {f"{i:02x}": f"{i & 0xFC | 0x02:02x}" for i in range(256)}
#: AWS's rule, not a default: in us-east-1 private DNS names end in ``ec2.internal``;
#: in every other region, in ``<region>.compute.internal``.
_EC2_INTERNAL_REGION = "us-east-1"


class Network(NamedTuple):
    """A task's ENI (awsvpc) or host (bridge, host, none) networking."""

    attachment_id: str
    private_ip: str
    launch_type: str
    #: The task definition's ``networkMode``; ``None``: awsvpc for every launch type
    #: but EC2, bridge for EC2.
    network_mode: str | None = None

    @property
    def awsvpc(self) -> bool:
        if self.network_mode is None:
            return self.launch_type != "EC2"
        return self.network_mode == "awsvpc"


#: The ENI details a task's attachment shows, as ``interface=`` gives them.
INTERFACE_DETAILS = ("subnetId", "networkInterfaceId", "macAddress", "privateIPv4Address")


def new_network(
    region: str,
    launch_type: str,
    digits: str | None = None,
    *,
    network_mode: str | None = None,
    subnet_id: str | None = None,
    interface: Mapping[str, str] | None = None,
) -> tuple[Network, dict[str, Any] | None]:
    """The task's network and, for awsvpc, its ENI attachment record (``digits``:
    its random hex digits, ``NETWORK_HEX`` of them).

    ``network_mode``: the definition's (``None``: by launch type). ``subnet_id``: the
    subnet the ENI is in (``None``: drawn). ``interface``: an ENI that exists (its
    ``INTERFACE_DETAILS``): its id, MAC address and private IP are shown as given."""
    net_mode = Network("", "", launch_type, network_mode)
    awsvpc = net_mode.awsvpc
    h = digits if digits is not None else hex_digits(NETWORK_HEX[awsvpc])
    if interface is not None:
        ip = interface["privateIPv4Address"]
    else:
        ip = f"10.0.{int(random() * 256)}.{1 + int(random() * 254)}"
    net = Network(uuid(h), ip, launch_type, network_mode)
    if not awsvpc:
        return net, None
    dns_suffix = "ec2.internal" if region == _EC2_INTERNAL_REGION else f"{region}.compute.internal"
    if interface is not None:
        subnet, eni, mac = (
            interface["subnetId"],
            interface["networkInterfaceId"],
            interface["macAddress"],
        )
    else:
        subnet = subnet_id or f"subnet-{h[32:49]}"
        eni = f"eni-{h[49:66]}"
        mac = f"{_MAC_FIRST[h[66:68]]}:{h[68:70]}:{h[70:72]}:{h[72:74]}:{h[74:76]}:{h[76:78]}"
    attachment = {
        "id": net.attachment_id,
        "type": "ElasticNetworkInterface",
        "status": "ATTACHED",
        "details": [
            {"name": "subnetId", "value": subnet},
            {"name": "networkInterfaceId", "value": eni},
            {"name": "macAddress", "value": mac},
            {"name": "privateDnsName", "value": f"ip-{ip.replace('.', '-')}.{dns_suffix}"},
            {"name": "privateIPv4Address", "value": ip},
        ],
    }
    return net, attachment
