"""A hermetic AWS environment while a fake is active: nothing of the user's AWS set-up counts.

botocore builds a client from the process environment (``AWS_*`` variables) and
the user's files (``~/.aws/config``, ``~/.aws/credentials``). A test that passes
on a laptop with a working profile would then fail in CI without one (or with
``AWS_PROFILE`` naming a missing profile, or a malformed config file: botocore
raises ``ProfileNotFound`` / ``ConfigParseError`` when the client is made), and
a region configured on the laptop would send the code under test's clients
somewhere the fake's tasks are not.

While ``isolate`` is in force, every ``AWS_*`` variable is put aside except
``AWS_DATA_PATH`` (where the user keeps extra botocore models), and the
environment says only this: fake credentials (moto's), the fake's home region
(``AWS_DEFAULT_REGION`` and ``AWS_REGION``, so clients made without a region
get it), empty config and credentials files, and no instance metadata service.
boto3's default session is dropped, so the next ``boto3.client(...)`` reads the
new environment. Undoing puts back every variable and the default session
exactly as they were.

Isolations nest like the fakes: the innermost one's region is in force; when the
last is undone, the environment is as before the first.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable

__all__ = ["CREDENTIALS", "isolate"]

#: What clients see as credentials while a fake is active: moto's own fake keys.
CREDENTIALS = ("FOOBARKEY", "FOOBARSECRET")
#: Kept as the user set them: not about who or where, only where botocore finds models.
_KEPT = frozenset({"AWS_DATA_PATH"})

_lock = threading.Lock()
_regions: list[tuple[object, str]] = []  # (token, region) of each isolation in force
_saved: list[tuple[dict[str, str], object]] = []  # while any: (AWS_* vars, boto3 session)


def isolate(region: str) -> Callable[[], None]:
    """Make the process's AWS environment the fake's (see the module's text);
    returns the function that undoes it (calling that again does nothing)."""
    token = object()
    with _lock:
        if not _regions:
            _saved.append((_aws_variables(), _default_session()))
        _regions.append((token, region))
        _apply(region)

    def undo() -> None:
        with _lock:
            for i, (held, _) in enumerate(_regions):
                if held is token:
                    del _regions[i]
                    break
            else:
                return
            if _regions:
                _apply(_regions[-1][1])
                return
            variables, session = _saved.pop()
            _restore(variables, session)

    return undo


def _aws_variables() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k.startswith("AWS_") and k not in _KEPT}


def _default_session() -> object:
    import boto3

    return boto3.DEFAULT_SESSION


def _apply(region: str) -> None:
    for name in _aws_variables():
        del os.environ[name]
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": CREDENTIALS[0],
            "AWS_SECRET_ACCESS_KEY": CREDENTIALS[1],
            "AWS_DEFAULT_REGION": region,
            "AWS_REGION": region,
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_EC2_METADATA_DISABLED": "true",
        }
    )
    import boto3

    boto3.DEFAULT_SESSION = None


def _restore(variables: dict[str, str], session: object) -> None:
    for name in _aws_variables():
        del os.environ[name]
    os.environ.update(variables)
    import boto3

    boto3.DEFAULT_SESSION = session  # type: ignore[assignment]
