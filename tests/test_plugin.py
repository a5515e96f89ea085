"""The plugin as users meet it: fixtures, marker, options, report, isolation (pytester)."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest_subprocess("-p", "no:randomly", "-p", "no:cacheprovider", *args)


def test_fixtures_are_registered_without_conftest(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import boto3
        from pytest_ecs_tasks import Clock, FakeEcs

        def test_fixture(ecs_tasks, ecs_clock):
            assert isinstance(ecs_tasks, FakeEcs)
            assert ecs_clock is ecs_tasks.clock
            assert isinstance(ecs_clock, Clock)
            arn = ecs_tasks.run_task()["taskArn"]
            client = boto3.client("ecs", region_name="us-east-1")
            assert client.describe_tasks(tasks=[arn])["tasks"][0]["taskArn"] == arn
        """
    )
    run(pytester).assert_outcomes(passed=1)


def test_closest_marker_wins_over_options_and_ini(pytester: pytest.Pytester) -> None:
    pytester.makeini(
        """
        [pytest]
        ecs_tasks_region = ap-southeast-2
        ecs_tasks_account_id = 111111111111
        ecs_tasks_retention = 30m
        """
    )
    pytester.makepyfile(
        """
        from datetime import datetime, timedelta, timezone
        import pytest

        pytestmark = pytest.mark.ecs_tasks(region="eu-west-1", start="2030-05-06T07:08:09Z")

        def test_module_marker(ecs_tasks):
            assert ecs_tasks.region == "eu-west-1"
            assert ecs_tasks.account_id == "222222222222"  # command line over ini
            assert ecs_tasks.retention == timedelta(minutes=30)  # ini
            assert ecs_tasks.clock.now() == datetime(2030, 5, 6, 7, 8, 9, tzinfo=timezone.utc)

        @pytest.mark.ecs_tasks(region="sa-east-1", retention=timedelta(minutes=5))
        def test_closest_wins(ecs_tasks):
            assert ecs_tasks.region == "sa-east-1"
            assert ecs_tasks.retention == timedelta(minutes=5)
            assert ecs_tasks.clock.now().year == 2030  # the module marker still applies

        def test_default_start(ecs_tasks):
            pass
        """
    )
    run(pytester, "--ecs-tasks-account-id=222222222222").assert_outcomes(passed=3)


def test_default_start_is_fixed(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        from datetime import datetime, timezone

        def test_start(ecs_clock):
            assert ecs_clock.now() == datetime(2024, 1, 1, 12, 0, tzinfo=timezone.utc)
        """
    )
    run(pytester).assert_outcomes(passed=1)


def test_bad_marker_options_say_what_is_wrong(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.ecs_tasks(regoin="eu-west-1")
        def test_typo(ecs_tasks):
            pass

        @pytest.mark.ecs_tasks(retention="forever")
        def test_bad_value(ecs_tasks):
            pass
        """
    )
    result = run(pytester)
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(
        [
            "*@pytest.mark.ecs_tasks: unknown option 'regoin'; the options are: account_id, "
            "assert_all_faults_used, calls_limit, events_limit, eventual_consistency, invalid_task_ids, long_arn_format, region, retention, seed, start, "
            "task_order, time_machine",
            "*@pytest.mark.ecs_tasks: retention='forever': give a timedelta, seconds, or text like '90m' or '1h'",
        ]
    )


def test_failing_test_reports_the_fake_state(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import boto3

        def test_fails(ecs_tasks, ecs_clock):
            ecs_tasks.create_cluster("prod")
            arn = ecs_tasks.run_task("prod", runs_for=60)["taskArn"]
            ecs_clock.advance(minutes=10)
            boto3.client("ecs", region_name="us-east-1").describe_tasks(cluster="prod", tasks=[arn])
            assert False
        """
    )
    result = run(pytester)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*- fake ECS (pytest-ecs-tasks) -*",
            "clock: 2024-01-01T12:10:00+00:00  region: us-east-1  account: 123456789012  retention: 1:00:00",
            "cluster us-east-1/default #1 ACTIVE",
            "cluster us-east-1/prod #1 ACTIVE",
            "  task * STOPPED",
            "    timeline: PROVISIONING 12:00:00.000, PENDING 12:00:03.662, ACTIVATING 12:00:22.667, RUNNING 12:00:22.777, *",
            "    stop: EssentialContainerExited at 2024-01-01T12:01:22.777000+00:00: Essential container in task exited",
            "calls: 1",
            "  12:10:00 us-east-1 DescribeTasks cluster='prod', "
            "tasks=?'arn:aws:ecs:us-east-1:123456789012:task/prod/*'? -> ok",
        ]
    )


def test_passing_test_has_no_report(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_ok(ecs_tasks):\n    ecs_tasks.run_task()\n")
    result = run(pytester, "-rA")
    result.assert_outcomes(passed=1)
    assert "fake ECS" not in result.stdout.str()


def test_tests_never_see_each_others_tasks(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import boto3

        ARNS = []

        def test_first(ecs_tasks):
            ARNS.append(ecs_tasks.run_task()["taskArn"])

        def test_second(ecs_tasks):
            client = boto3.client("ecs", region_name="us-east-1")
            response = client.describe_tasks(tasks=ARNS)
            assert response["tasks"] == []
            assert [f["reason"] for f in response["failures"]] == ["MISSING"]
            assert client.list_tasks()["taskArns"] == []
        """
    )
    run(pytester).assert_outcomes(passed=2)


def test_joins_a_users_own_mock_aws(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import boto3
        import pytest
        from moto import mock_aws

        @pytest.fixture
        def queue():
            with mock_aws():
                sqs = boto3.client("sqs", region_name="us-east-1")
                sqs.create_queue(QueueName="jobs")
                yield sqs

        def test_both(queue, ecs_tasks):
            arn = ecs_tasks.run_task()["taskArn"]
            ecs = boto3.client("ecs", region_name="us-east-1")
            assert ecs.describe_tasks(tasks=[arn])["tasks"][0]["taskArn"] == arn
            assert queue.list_queues()["QueueUrls"][0].endswith("/jobs")

        @mock_aws
        def test_inside_decorator(ecs_tasks):
            sqs = boto3.client("sqs", region_name="us-east-1")
            sqs.create_queue(QueueName="data")
            ecs_tasks.run_task()
            assert sqs.list_queues()["QueueUrls"][0].endswith("/data")
        """
    )
    run(pytester).assert_outcomes(passed=2)


def test_other_services_behave_as_under_moto(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import boto3

        def test_dynamodb(ecs_tasks):
            ddb = boto3.client("dynamodb", region_name="us-east-1")
            ddb.create_table(
                TableName="jobs",
                KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                BillingMode="PAY_PER_REQUEST",
            )
            assert ddb.list_tables()["TableNames"] == ["jobs"]
        """
    )
    run(pytester).assert_outcomes(passed=1)


def test_teardown_undoes_everything_even_when_the_test_fails(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import time
        import botocore.waiter
        from moto.core.models import botocore_stubber

        ORIGINAL = botocore_stubber.process_request

        def test_fails(ecs_tasks):
            assert botocore.waiter.time is not time
            raise RuntimeError("boom")

        def test_after():
            assert botocore.waiter.time is time
            assert botocore_stubber.process_request == ORIGINAL
            assert botocore_stubber.enabled is False
        """
    )
    run(pytester).assert_outcomes(passed=1, failed=1)


def test_fake_works_without_pytest() -> None:
    import boto3

    from pytest_ecs_tasks import FakeEcs

    with FakeEcs(region="eu-west-1") as fake:
        arn = fake.run_task()["taskArn"]
        client = boto3.client("ecs", region_name="eu-west-1")
        assert client.describe_tasks(tasks=[arn])["tasks"][0]["lastStatus"] == "PROVISIONING"
    assert not fake.active


def test_time_machine_moves_wall_time_with_the_fake_clock(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import time
        from datetime import datetime, timezone
        import pytest

        @pytest.mark.ecs_tasks(time_machine=True, start="2030-01-01T00:00:00Z")
        def test_synced(ecs_tasks, ecs_clock):
            assert datetime.now(timezone.utc) == datetime(2030, 1, 1, tzinfo=timezone.utc)
            ecs_clock.advance(minutes=90)
            assert time.time() == datetime(2030, 1, 1, 1, 30, tzinfo=timezone.utc).timestamp()
            ecs_tasks.client().get_waiter("tasks_stopped").wait(
                tasks=[ecs_tasks.run_task(runs_for=60)["taskArn"]]
            )
            assert datetime.now(timezone.utc) == ecs_clock.now()

        def test_after():
            assert datetime.now(timezone.utc).year < 2030
        """
    )
    run(pytester).assert_outcomes(passed=2)


def test_a_bad_ini_value_stops_the_run_once_at_start_up(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\necs_tasks_retention = forever\n")
    pytester.makepyfile(
        "def test_one(ecs_tasks):\n    pass\n\n"
        "def test_two(ecs_tasks):\n    pass\n\n"
        "def test_not_using_it():\n    pass\n"
    )
    result = run(pytester)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    errors = [line for line in result.errlines if "ecs_tasks_retention" in line]
    assert errors == [
        f"ERROR: tox.ini ({pytester.path / 'tox.ini'}): ecs_tasks_retention='forever': give a "
        "timedelta, seconds, or text like '90m' or '1h'"
    ]
    result.stdout.no_fnmatch_line("*test_one*")


def test_a_bad_command_line_value_stops_the_run_once_at_start_up(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        "def test_one(ecs_tasks):\n    pass\n\ndef test_two(ecs_tasks):\n    pass\n"
    )
    result = run(pytester, "--ecs-tasks-task-order=random")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert [line for line in result.errlines if "task" in line] == [
        "ERROR: the command line: --ecs-tasks-task-order='random': give one of 'request', 'created'"
    ]


def test_a_bad_marker_value_fails_only_its_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.ecs_tasks(calls_limit=0)
        def test_bad(ecs_tasks):
            pass

        def test_good(ecs_tasks):
            pass
        """
    )
    result = run(pytester)
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        ["*@pytest.mark.ecs_tasks: calls_limit=0: give a whole number of calls, 1 or more"]
    )


def test_the_report_says_how_many_calls_were_not_kept(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.ecs_tasks(calls_limit=3)
        def test_fails(ecs_tasks):
            ecs = ecs_tasks.client()
            for _ in range(5):
                ecs.list_clusters()
            assert ecs_tasks.calls_limit == 3
            assert len(ecs_tasks.calls) == 3
            assert False
        """
    )
    result = run(pytester)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "calls: 5 (the last 3 kept; calls_limit=3)",
            "  12:00:00 us-east-1 ListClusters  -> ok",
            "  ... and 2 earlier calls",
        ]
    )
