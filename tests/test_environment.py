"""Any AWS environment: the plugin and the fake never depend on the user's AWS set-up.

Each environment is made for real in a subprocess: a ``HOME`` whose
``~/.aws/config`` is malformed, ``AWS_PROFILE`` naming a missing profile, or no
AWS variables and files at all. In each, pytest runs, ``ecs-tasks sample`` and
``serve`` work, and the code under test's own clients are answered by the fake:
made inside the test with no region, or at import time with no credentials and
before moto was imported. A guard in each subprocess refuses every connection
and name lookup that would leave the machine, and the test fails if any was tried.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

TIMEOUT = 60

#: Loaded in every subprocess (``sitecustomize``): refuses and records any
#: connection or name lookup that is not for this machine.
GUARD = """
import os, socket

_LOCAL = ("127.", "::1", "localhost", "0.0.0.0")

def _refuse(host):
    with open(os.environ["NETWORK_ATTEMPTS"], "a") as log:
        log.write(f"{host}\\n")
    raise OSError(f"network guard: {host} is not on this machine")

def _host(address):
    return str(address[0] if isinstance(address, tuple) else address)

_connect = socket.socket.connect
def connect(self, address):
    host = _host(address)
    if self.family in (socket.AF_INET, socket.AF_INET6) and not host.startswith(_LOCAL):
        _refuse(host)
    return _connect(self, address)
socket.socket.connect = connect

_getaddrinfo = socket.getaddrinfo
def getaddrinfo(host, *args, **kwargs):
    if host is not None and not str(host).startswith(_LOCAL):
        _refuse(host)
    return _getaddrinfo(host, *args, **kwargs)
socket.getaddrinfo = getaddrinfo
"""

IMPORTED = "--- the code under test's import-time client exists ---\n"
ENVIRONMENTS = ["malformed-config", "missing-profile", "nothing"]


@pytest.fixture(params=ENVIRONMENTS)
def aws_environment(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """Make the named AWS environment for subprocesses; yields the network attempts log."""
    home = tmp_path / "home"
    (home / ".aws").mkdir(parents=True)
    guard = tmp_path / "guard"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(GUARD)
    attempts = tmp_path / "network-attempts.log"
    attempts.touch()
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("NETWORK_ATTEMPTS", str(attempts))
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join([str(guard), os.environ.get("PYTHONPATH", "")])
    )
    if request.param == "malformed-config":
        (home / ".aws" / "config").write_text("[default\nregion = us-east-1\n  = = =\n")
        (home / ".aws" / "credentials").write_text("this is not an ini file\n[")
    elif request.param == "missing-profile":
        (home / ".aws" / "config").write_text("[profile real]\nregion = eu-west-1\n")
        monkeypatch.setenv("AWS_PROFILE", "doesnotexist")
    yield attempts
    # botocore looks for instance-metadata credentials when a client is made with
    # none (as the code under test's import-time client is, before any fake): that
    # is botocore's own doing, outside the fake. From then on, nothing.
    after_import = attempts.read_text().rpartition(IMPORTED)[2]
    assert after_import.strip() == "", f"a request tried to leave the machine: {after_import}"


def test_a_run_that_never_uses_the_plugin_passes(
    aws_environment: Path, pytester: pytest.Pytester
) -> None:
    pytester.makepyfile("def test_nothing():\n    assert True\n")
    result = pytester.runpytest_subprocess("-p", "no:randomly")
    result.assert_outcomes(passed=1)


def test_the_code_under_tests_clients_are_answered(
    aws_environment: Path, pytester: pytest.Pytester
) -> None:
    # The module-level client is made in conftest-free code the test imports:
    # it needs a region at import, as in production (ECS sets AWS_REGION).
    pytester.makepyfile(
        early_client="""
        import os
        import sys

        import boto3
        from botocore.exceptions import ProfileNotFound

        assert "moto" not in sys.modules
        try:
            ECS = boto3.client("ecs", region_name="us-east-1")
        except ProfileNotFound:
            ECS = None  # with AWS_PROFILE naming a missing profile boto3 makes no client at all
        with open(os.environ["NETWORK_ATTEMPTS"], "a") as log:
            log.write(IMPORTED)
        """.replace("IMPORTED", repr(IMPORTED)),
    )
    pytester.makepyfile(
        test_job="""
        import os
        import sys

        import boto3
        import pytest


        def test_a_client_with_no_region(ecs_tasks):
            task = ecs_tasks.run_task(runs_for=60, exit_code=3)
            ecs = boto3.client("ecs")  # no region: the fake's home region
            assert ecs.meta.region_name == "us-east-1"
            ecs.get_waiter("tasks_stopped").wait(tasks=[task["taskArn"]])
            (stopped,) = ecs.describe_tasks(tasks=[task["taskArn"]])["tasks"]
            assert stopped["containers"][0]["exitCode"] == 3
            # other services are moto's, in the same region
            sqs = boto3.client("sqs")
            assert "us-east-1" in sqs.create_queue(QueueName="jobs")["QueueUrl"]


        @pytest.mark.ecs_tasks(region="eu-west-1")
        def test_the_markers_region(ecs_tasks):
            assert boto3.client("ecs").meta.region_name == "eu-west-1"
            task = ecs_tasks.run_task()
            assert boto3.client("ecs").list_tasks()["taskArns"] == [task["taskArn"]]


        def test_a_client_made_at_import_time(ecs_tasks):
            import early_client  # imported before: see conftest

            if early_client.ECS is None:
                pytest.skip("boto3 makes no client where AWS_PROFILE names a missing profile")
            task = ecs_tasks.run_task()
            found = early_client.ECS.describe_tasks(tasks=[task["taskArn"]])["tasks"]
            assert [t["taskArn"] for t in found] == [task["taskArn"]]


        def test_the_environment_is_back_after_the_fake(ecs_tasks):
            pass


        def test_after():
            assert not any(k.startswith("AWS_") and k != "AWS_PROFILE" for k in os.environ)
        """,
    )
    # Imported while collecting, before any fixture and before moto.
    pytester.makeconftest("import early_client\n")
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-p", "no:cacheprovider")
    if os.environ.get("AWS_PROFILE"):
        result.assert_outcomes(passed=4, skipped=1)
    else:
        result.assert_outcomes(passed=5)


def test_ecs_tasks_sample_and_serve_work(aws_environment: Path) -> None:
    sample = subprocess.run(
        [sys.executable, "-m", "pytest_ecs_tasks", "sample", "--seed", "1"],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert sample.returncode == 0, sample.stderr
    assert json.loads(sample.stdout)["tasks"]

    with subprocess.Popen(
        [sys.executable, "-m", "pytest_ecs_tasks", "serve", "--port", "0", "--quiet"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as server:
        _talk_to(server)


def _talk_to(server: subprocess.Popen[str]) -> None:
    """A client in another process (with an AWS set-up of its own) uses the server."""
    client_env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    client_env.update(AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    try:
        assert server.stdout is not None
        assert server.stderr is not None
        first = server.stdout.readline()
        assert first.startswith("Serving fake ECS at http://127.0.0.1:"), (
            first + server.stderr.read() if server.poll() is not None else first
        )
        url = first.split(" at ")[1].strip()
        client = f"""
import boto3
ecs = boto3.client("ecs", region_name="us-east-1", endpoint_url={url!r},
                   aws_access_key_id="x", aws_secret_access_key="x")
print(ecs.list_clusters()["clusterArns"][0])
"""
        done = subprocess.run(
            [sys.executable, "-c", client],
            env=client_env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == "arn:aws:ecs:us-east-1:123456789012:cluster/default"
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=TIMEOUT)


def test_a_request_nothing_answers_never_leaves(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import boto3
        import pytest
        from pytest_ecs_tasks._transport.moto_bridge import UnansweredRequestError

        def test_dual_stack_endpoint(ecs_tasks):
            # moto does not answer AWS's dual-stack domain: the request stops here
            sqs = boto3.client("sqs", endpoint_url="https://sqs.us-east-1.api.aws")
            with pytest.raises(UnansweredRequestError, match="would have reached real AWS"):
                sqs.list_queues()
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:randomly")
    result.assert_outcomes(passed=1)


def test_importing_the_plugin_loads_nothing_heavy() -> None:
    heavy = ("boto3", "botocore", "moto", "faker", "factory")
    code = (
        "import sys, pytest_ecs_tasks._plugin, pytest_ecs_tasks._seeding, pytest_ecs_tasks._cli; "
        f"print(' '.join(m for m in {heavy!r} if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=TIMEOUT, check=True
    )
    assert done.stdout.strip() == ""
    # the public names still load what they need on first use
    code = "import pytest_ecs_tasks as p; print(p.FakeEcs.__name__, p.TaskFactory.__name__)"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=TIMEOUT, check=True
    )
    assert done.stdout.split() == ["FakeEcs", "TaskFactory"]


def test_a_star_import_gives_every_public_name() -> None:
    namespace: dict[str, object] = {}
    exec("from pytest_ecs_tasks import *", namespace)
    import pytest_ecs_tasks

    assert set(pytest_ecs_tasks.__all__) <= set(namespace)
    with pytest.raises(AttributeError, match="has no attribute 'Nope'"):
        pytest_ecs_tasks.Nope  # noqa: B018


def test_the_pytest_randomly_seeder_keeps_the_seed_until_the_factories_load() -> None:
    """Seeded before or after the factories load, the records are the same."""
    from importlib.metadata import entry_points

    (seeder,) = [
        e for e in entry_points(group="pytest_randomly.random_seeder") if e.name == "ecs_tasks"
    ]
    assert seeder.value == "pytest_ecs_tasks._seeding:reseed"
    before = "from pytest_ecs_tasks._seeding import reseed; reseed({seed}); from pytest_ecs_tasks import TaskFactory"
    after = "from pytest_ecs_tasks import TaskFactory; from pytest_ecs_tasks._seeding import reseed; reseed({seed})"
    arns = {}
    for name, code, seed in (("before", before, 7), ("after", after, 7), ("other", before, 8)):
        done = subprocess.run(
            [sys.executable, "-c", code.format(seed=seed) + "; print(TaskFactory()['taskArn'])"],
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=True,
        )
        arns[name] = done.stdout.strip()
    assert arns["before"] == arns["after"] != arns["other"]
