"""A user's type checker sees the records as boto3's own TypedDicts."""

from __future__ import annotations

from pathlib import Path

import pytest

mypy_api = pytest.importorskip("mypy.api")

USER_CODE = """
from pytest_ecs_tasks import ContainerFactory, FailureFactory, FakeEcs, TaskFactory

task = TaskFactory(stopped=True)
reveal_type(task)
reveal_type(task["containers"][0].get("exitCode"))
reveal_type(TaskFactory.build_batch(2))
reveal_type(ContainerFactory())
reveal_type(FailureFactory())
with FakeEcs() as fake:
    reveal_type(fake.run_task())
    reveal_type(fake.create_cluster("jobs"))
    reveal_type(fake.client())
    task["lastStatus"] = 3
"""


def test_records_are_mypy_boto3_ecs_typed_dicts(tmp_path: Path) -> None:
    user = tmp_path / "user_code.py"
    user.write_text(USER_CODE)
    stdout, _, status = mypy_api.run(
        ["--strict", "--no-incremental", "--cache-dir", str(tmp_path / "cache"), str(user)]
    )
    reveals = [
        line.split("Revealed type is ", 1)[1]
        for line in stdout.splitlines()
        if "Revealed type" in line
    ]
    assert reveals[0].startswith('"TypedDict(mypy_boto3_ecs.type_defs.TaskTypeDef')
    assert reveals[1] == '"int | None"'
    assert reveals[2].startswith('"list[TypedDict(mypy_boto3_ecs.type_defs.TaskTypeDef')
    assert reveals[3].startswith('"TypedDict(mypy_boto3_ecs.type_defs.ContainerTypeDef')
    assert reveals[4].startswith('"TypedDict(mypy_boto3_ecs.type_defs.FailureTypeDef')
    assert reveals[5].startswith('"TypedDict(mypy_boto3_ecs.type_defs.TaskTypeDef')
    assert reveals[6].startswith('"TypedDict(mypy_boto3_ecs.type_defs.ClusterTypeDef')
    assert reveals[7] == '"mypy_boto3_ecs.client.ECSClient"'
    # and a wrong use of a record is caught
    errors = [line for line in stdout.splitlines() if ": error:" in line]
    assert len(errors) == 1, stdout
    assert 'Value of "lastStatus" has incompatible type "int"' in errors[0]
    assert status == 1
