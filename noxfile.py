"""Nox sessions: tests (newest and oldest supported dependencies), lint, types, docs, benchmarks."""

from __future__ import annotations

import nox

nox.options.sessions = ["tests", "tests_oldest", "lint", "types", "docs"]
nox.options.reuse_existing_virtualenvs = True

#: The oldest releases the project supports (the lower bounds in pyproject.toml).
OLDEST = [
    "moto==5.0.0",
    "boto3==1.34.0",
    "botocore==1.34.0",
    "awscli==1.32.0",  # the AWS CLI release that pins botocore 1.34.0
    "factory-boy==3.3.0",
    "faker==20.0.0",
]


PYTHONS = ["3.10", "3.11", "3.12", "3.13"]


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """The test suite against the newest releases, on every supported Python."""
    session.install("-e", ".[dev]")
    session.run("pytest", *session.posargs)


@nox.session(python=PYTHONS[0])
def tests_oldest(session: nox.Session) -> None:
    """The test suite against the oldest supported moto, boto3, factory-boy and Faker."""
    session.install("-e", ".[dev]")
    session.install(*OLDEST)
    session.run("pytest", *session.posargs)


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
