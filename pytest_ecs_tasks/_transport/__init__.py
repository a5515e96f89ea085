"""Floor 2 transport: put the fake ECS service behind real boto3 clients.

``EcsRoute`` sends every boto3 ECS request to a dispatch function inside
moto's ``mock_aws``; ``install_sleeper`` decides what botocore's waiter and
retry sleeps do, so they can advance a fake clock instead of the wall clock.
"""

from __future__ import annotations

from .moto_bridge import Dispatch, EcsRoute
from .virtual_time import Sleeper, install_sleeper

__all__ = ["Dispatch", "EcsRoute", "Sleeper", "install_sleeper"]
