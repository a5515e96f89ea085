"""What the fake needs of moto's EC2: the subnets and security groups RunTask names,
and the ENIs (elastic network interfaces) of the awsvpc tasks it starts.

``MotoNetwork`` is the service's ``network`` lookup (``_fake.py`` passes it in;
the service never imports moto). With it, a task's ENI exists in moto's EC2 as it
does in AWS: in the subnet RunTask named, with a private IP from that subnet's
range (and a public IP when ``assignPublicIp`` is ``ENABLED``), described
``arn:aws:ecs:<region>:<account>:attachment/<attachment id>``, ``in-use`` and
requester-managed. Code under test can then go task -> ENI
(``DescribeNetworkInterfaces``) -> IP.

Which account: moto files a request under ``MOTO_ACCOUNT_ID`` if set, else the
account of its access key (moto's default account); the subnets the code under
test made are there, or in the fake's ``account_id``. Each is looked in, in that
order. The ENI is made in the account whose subnet it is in.

moto is imported only when a task needs it (the fake's route has imported moto by
then): with no moto loaded, no subnet is known.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from .moto_ecs import MOTO_LOCK, moto_backends

__all__ = ["MotoNetwork"]


class MotoNetwork:
    """moto's EC2 networks, for the ENIs of the tasks the fake starts (the service's
    ``NetworkLookup``)."""

    def missing_subnet(self, region: str, account_id: str, subnets: Sequence[str]) -> str | None:
        """The first of ``subnets`` moto's EC2 does not know, or ``None``."""
        with MOTO_LOCK:
            for subnet_id in subnets:
                if _find(region, account_id, "get_subnet", subnet_id) is None:
                    return subnet_id
        return None

    def missing_security_group(
        self, region: str, account_id: str, groups: Sequence[str]
    ) -> str | None:
        """The first of ``groups`` (ids) moto's EC2 does not know, or ``None``."""
        with MOTO_LOCK:
            for group_id in groups:
                if _find(region, account_id, "get_security_group_from_id", group_id) is None:
                    return group_id
        return None

    def create_interface(self, region: str, account_id: str, **interface: Any) -> dict[str, str]:
        """Make an ENI in ``interface["subnet_id"]`` (which ``missing_subnet`` found),
        with its ``security_groups``, ``public_ip`` and ``description``, as ECS makes
        a task's: its attachment details (``subnetId``, ``networkInterfaceId``,
        ``macAddress``, ``privateIPv4Address``) and ``availabilityZone``."""
        subnet_id: str = interface["subnet_id"]
        security_groups: Sequence[str] = interface["security_groups"]
        public_ip: bool = interface["public_ip"]
        description: str = interface["description"]
        with MOTO_LOCK:
            for backend in _backends(region, account_id):
                try:
                    subnet = backend.get_subnet(subnet_id)
                except Exception:  # moto's InvalidSubnetIdError: try the next account
                    continue
                eni = backend.create_network_interface(
                    subnet,
                    None,
                    group_ids=list(security_groups) or None,
                    description=description,
                    public_ip_auto_assign=public_ip,
                )
                eni.status = "in-use"
                eni.requester_managed = True
                eni.interface_type = "interface"
                return {
                    "subnetId": subnet.id,
                    "networkInterfaceId": eni.id,
                    "macAddress": eni.mac_address,
                    "privateIPv4Address": eni.private_ip_address,
                    "availabilityZone": subnet.availability_zone,
                }
        raise LookupError(f"subnet {subnet_id!r} is not in moto's EC2 ({region})")


def _find(region: str, account_id: str, getter: str, ident: str) -> Any:
    """What a backend's ``getter(ident)`` finds in the first account that has it, else
    ``None``."""
    for backend in _backends(region, account_id):
        try:
            found = getattr(backend, getter)(ident)
        except Exception:  # moto's not-found errors
            continue
        if found is not None:
            return found
    return None


def _backends(region: str, account_id: str) -> Iterator[Any]:
    """moto's EC2 backends of ``region``: moto's request account first, then the fake's."""
    return moto_backends("ec2", region, account_id)
