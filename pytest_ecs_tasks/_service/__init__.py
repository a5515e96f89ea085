"""The fake ECS task service: state, operations and faults. Never imports pytest or moto."""

from __future__ import annotations

from .ecs import SERVED_OPERATIONS, Call, EcsService
from .errors import EcsError

__all__ = ["SERVED_OPERATIONS", "Call", "EcsError", "EcsService"]
