"""The import floors, checked by reading a module's imports (``ast``)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path
from types import ModuleType


def assert_on_floor_1(module: ModuleType, floor_1: set[str]) -> None:
    """``module`` imports only the standard library and the floor-1 modules named."""
    assert module.__file__ is not None
    for node in ast.walk(ast.parse(Path(module.__file__).read_text())):
        if isinstance(node, ast.ImportFrom) and node.level:
            assert node.level == 1 and node.module in floor_1, (module, node.module)
        elif isinstance(node, ast.ImportFrom):
            assert str(node.module).split(".")[0] in sys.stdlib_module_names, node.module
        elif isinstance(node, ast.Import):
            for alias in node.names:
                assert alias.name.split(".")[0] in sys.stdlib_module_names, alias.name
