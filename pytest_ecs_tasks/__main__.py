"""``python -m pytest_ecs_tasks``: the ``ecs-tasks`` command."""

from __future__ import annotations

from ._cli import main

if __name__ == "__main__":
    raise SystemExit(main())
