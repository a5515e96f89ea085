"""Nox sessions: tests (newest and oldest supported dependencies), lint, types, docs, benchmarks.

The async clients are covered at both ends of the supported aiobotocore range
(``SUPPORTED`` in pytest_ecs_tasks/_transport/aio.py, the ``async`` extra):
``tests`` gets the aiobotocore the newest aioboto3 pins, ``tests_oldest`` the
oldest supported aiobotocore, and ``tests_async_newest`` the newest, which no
aioboto3 release may pin yet.
"""

from __future__ import annotations

import nox

nox.options.sessions = ["tests", "tests_oldest", "tests_async_newest", "lint", "types", "docs"]
nox.options.reuse_existing_virtualenvs = True

#: The oldest releases the project supports (the lower bounds in pyproject.toml).
OLDEST = [
    "moto==5.0.0",
    "boto3==1.34.0",
    "botocore==1.34.0",
    "awscli==1.32.0",  # the AWS CLI release that pins botocore 1.34.0
    "factory-boy==3.3.0",
    "faker==20.0.0",
    # aiobotocore 2.11.0-2.11.2 differ only in their botocore range (all admit
    # botocore 1.34.0); 2.11.2 is the one an aioboto3 release pins.
    "aiobotocore==2.11.2",
    # The first aioboto3 on a supported aiobotocore (12.0-12.2 pin 2.7-2.9).
    "aioboto3==12.3.0",
]

#: The newest aiobotocore served in-process: below SUPPORTED's upper bound.
NEWEST_AIOBOTOCORE = "aiobotocore<4"

#: What the sessions print before the tests, so a log says what was tested.
VERSIONS = [
    "python",
    "-c",
    "from importlib.metadata import version\n"
    "for name in ('aiobotocore', 'aioboto3', 'botocore', 'boto3', 'moto'):\n"
    "    print(name, version(name))",
]


PYTHONS = ["3.10", "3.11", "3.12", "3.13"]


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """The test suite against the newest releases, on every supported Python."""
    session.install("-e", ".[dev]")
    session.run("pytest", *session.posargs)


@nox.session(python=PYTHONS[0])
def tests_oldest(session: nox.Session) -> None:
    """The test suite against the oldest supported releases (aiobotocore and aioboto3 too)."""
    session.install("-e", ".[dev]")
    session.install(*OLDEST)
    session.run(*VERSIONS)
    session.run("pytest", *session.posargs)


@nox.session(python="3.12")
def tests_async_newest(session: nox.Session) -> None:
    """The async clients against the newest supported aiobotocore.

    The newest aioboto3 pins an older aiobotocore, so ``.[dev]`` never gets the
    newest: it is upgraded here (botocore and boto3 move to match), and
    aioboto3 stays, its pin ignored (pip says so), so the aioboto3 tests run too.
    """
    session.install("-e", ".[dev]")
    session.install("--upgrade", NEWEST_AIOBOTOCORE, "botocore", "boto3", "awscli")
    session.run(*VERSIONS)
    session.run(
        "pytest", "tests/test_async_clients.py", "tests/test_transport.py", *session.posargs
    )


@nox.session
def lint(session: nox.Session) -> None:
    """ruff: lint and formatting."""
    session.install("ruff")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def types(session: nox.Session) -> None:
    """mypy --strict over the package, the tests and the benchmarks."""
    session.install("-e", ".[dev]")
    session.run("mypy")


@nox.session
def docs(session: nox.Session) -> None:
    """Build the docs site, failing on any warning."""
    session.install("-e", ".[dev]")
    session.run("mkdocs", "build", "--strict")


@nox.session
def benchmarks(session: nox.Session) -> None:
    """Speed and memory, as ratios against moto and botocore's Stubber measured in the same run."""
    session.install("-e", ".[dev]")
    session.run("python", "benchmarks/run.py", *session.posargs)
