"""The fake ECS task service: state, operations and faults. Never imports pytest or moto."""

from __future__ import annotations

from .dispatch import OPERATIONS, SERVED_OPERATIONS, Call, EcsService
from .errors import EcsError

__all__ = ["OPERATIONS", "SERVED_OPERATIONS", "Call", "EcsError", "EcsService"]
