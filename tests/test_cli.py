"""The ``ecs-tasks`` command: ``sample`` in-process and as a script, ``serve``'s start-up errors."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from datetime import datetime
from typing import Any

import pytest

from pytest_ecs_tasks import _model as model
from pytest_ecs_tasks._cli import main
from pytest_ecs_tasks._clock import DEFAULT_START
from pytest_ecs_tasks._factories.traits import task_traits
from tests.consistency import assert_consistent_task, assert_valid_response

TIMEOUT = 60  # seconds: a bound for every subprocess, never reached when all is well


def sample(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[str, dict[str, Any]]:
    """Run ``ecs-tasks sample`` in this process: its stdout, and that parsed by botocore."""
    assert main(["sample", *args]) == 0
    out = capsys.readouterr().out
    return out, model.from_wire("DescribeTasks", out)


def test_sample_prints_a_describe_tasks_response_as_the_service_sends_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    out, response = sample(capsys, "--seed", "1")
    raw = json.loads(out)
    assert set(raw) == {"tasks", "failures"}
    assert isinstance(raw["tasks"][0]["createdAt"], float)  # epoch seconds, as sent
    assert_valid_response("DescribeTasks", response)
    (task,) = response["tasks"]
    assert isinstance(task["createdAt"], datetime)
    assert task["createdAt"].tzinfo is not None
    assert_consistent_task(task, now=DEFAULT_START)
    assert task["lastStatus"] == "RUNNING"
    assert response["failures"] == []


def test_count_and_traits(capsys: pytest.CaptureFixture[str]) -> None:
    _, response = sample(capsys, "--count", "3", "--trait", "stopped", "ec2", "--trait", "tagged")
    assert_valid_response("DescribeTasks", response)
    tasks = response["tasks"]
    assert len(tasks) == 3
    assert len({t["taskArn"] for t in tasks}) == 3
    for task in tasks:
        assert_consistent_task(task, now=DEFAULT_START)
        assert task["lastStatus"] == "STOPPED"
        assert task["launchType"] == "EC2"
        assert task["tags"]


def test_count_zero_missing_region_and_cluster(capsys: pytest.CaptureFixture[str]) -> None:
    _, response = sample(
        capsys, "--count", "0", "--missing", "2", "--region", "eu-west-1", "--cluster", "jobs"
    )
    assert_valid_response("DescribeTasks", response)
    assert response["tasks"] == []
    assert [f["reason"] for f in response["failures"]] == ["MISSING", "MISSING"]
    assert all(":eu-west-1:" in f["arn"] and "/jobs/" in f["arn"] for f in response["failures"])
    _, response = sample(capsys, "--region", "eu-west-1", "--cluster", "jobs", "--trait", "pending")
    (task,) = response["tasks"]
    assert task["taskArn"].startswith("arn:aws:ecs:eu-west-1:123456789012:task/jobs/")
    assert task["lastStatus"] == "PENDING"


def test_same_seed_same_output(capsys: pytest.CaptureFixture[str]) -> None:
    first, _ = sample(capsys, "--seed", "42", "--count", "2", "--trait", "essential_exited")
    again, _ = sample(capsys, "--seed", "42", "--count", "2", "--trait", "essential_exited")
    other, _ = sample(capsys, "--seed", "43", "--count", "2", "--trait", "essential_exited")
    assert first == again
    assert other != first


def test_compact_is_the_same_response_on_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    indented, _ = sample(capsys, "--seed", "5")
    compact, _ = sample(capsys, "--seed", "5", "--compact")
    assert compact.count("\n") == 1
    assert json.loads(compact) == json.loads(indented)


def test_unknown_trait_exits_2_listing_the_valid_ones(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sample", "--trait", "stopped", "--trait", "sleepy"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "unknown trait 'sleepy'" in captured.err
    for trait in task_traits():
        assert trait in captured.err
    assert "failed_to_start" in task_traits()


@pytest.mark.parametrize(
    ("traits", "reason"),
    [
        (
            ["running", "stopped"],
            "traits 'running' and 'stopped' cannot be given together: running sets "
            "lastStatus='RUNNING' and stopped sets lastStatus='STOPPED'; give one of them",
        ),
        (
            ["spot_interrupted", "ec2"],
            "traits 'spot_interrupted' and 'ec2' cannot be given together: spot_interrupted "
            "sets launchType='FARGATE' and ec2 sets launchType='EC2'; give one of them",
        ),
    ],
)
def test_traits_that_set_one_field_differently_exit_2(
    traits: list[str], reason: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # Not the last one silently: which lastStatus would the user get?
    assert main(["sample", "--trait", *traits]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip().splitlines()[-1] == f"ecs-tasks sample: error: {reason}"


def test_traits_that_agree_combine(capsys: pytest.CaptureFixture[str]) -> None:
    _, response = sample(capsys, "--trait", "essential_exited", "stopped", "ec2", "ec2")
    (task,) = response["tasks"]
    assert (task["lastStatus"], task["stopCode"], task["launchType"]) == (
        "STOPPED",
        "EssentialContainerExited",
        "EC2",
    )


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["bogus"],
        ["sample", "--count", "-1"],
        ["sample", "--now", "yesterday"],
        ["serve", "--port", "70000"],
        ["serve", "--start", "yesterday"],
        ["serve", "--region", "moon-1"],
    ],
    ids=lambda argv: " ".join(argv) or "nothing",
)
def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "usage: ecs-tasks" in err
    assert "Traceback" not in err


def test_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "sample" in out
    assert "serve" in out


def test_python_dash_m_prints_the_same_sample(capsys: pytest.CaptureFixture[str]) -> None:
    in_process, _ = sample(capsys, "--seed", "7", "--trait", "user_stopped")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest_ecs_tasks",
            "sample",
            "--seed",
            "7",
            "--trait",
            "user_stopped",
        ],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == in_process


def test_serve_on_a_port_in_use_says_so_and_exits_1() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "pytest_ecs_tasks", "serve", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.strip().splitlines() == [
        f"ecs-tasks serve: cannot serve on 127.0.0.1:{port}: the port is already in use"
    ]


def test_version_prints_the_installed_version() -> None:
    """``ecs-tasks --version``, the installed console script, as a user runs it."""
    from importlib.metadata import version
    from pathlib import Path

    script = Path(sys.executable).with_name("ecs-tasks")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "pytest_ecs_tasks._cli"]
    done = subprocess.run(
        [*command, "--version"], capture_output=True, text=True, timeout=TIMEOUT, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"ecs-tasks {version('pytest-ecs-tasks')}\n"


def test_the_license_ships_with_the_source() -> None:
    from pathlib import Path

    text = (Path(__file__).parent.parent / "LICENSE").read_text()
    assert text.startswith("MIT License")
