"""ListTasks paging while the clock moves and tasks start, stop and expire between pages.

A ``nextToken`` is a cursor on the tasks' creation order, not an offset into
the list as it is at the time: whatever happens between two pages, a task that
could be listed all along is listed exactly once, nothing is listed twice, and a
token the fake gave out is never refused later. Every call goes through a real
boto3 client.
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_ecs_tasks import FakeEcs
from tests.consistency import assert_valid_response

if TYPE_CHECKING:
    from mypy_boto3_ecs import ECSClient
    from mypy_boto3_ecs.literals import DesiredStatusType

# -- the property -----------------------------------------------------------------------------

#: How a task the test starts will end: runs until stopped, exits by itself after
#: a while, or never starts.
PLANS = ("forever", "short", "long", "fail")
#: Clock moves, in seconds: small steps through the lifecycle, and big ones past
#: the retention window (an hour), so tasks expire between pages.
STEPS = (1, 20, 45, 90, 600, 3_500, 3_700)
DESIRED: tuple[DesiredStatusType, ...] = ("RUNNING", "STOPPED")

actions = st.lists(
    st.one_of(
        st.tuples(st.just("page"), st.integers(1, 7)),  # the next page, with this maxResults
        st.tuples(st.just("stop"), st.integers(0, 1_000)),  # which task (modulo)
        st.tuples(st.just("advance"), st.sampled_from(STEPS)),
        st.tuples(st.just("run"), st.integers(0, len(PLANS) - 1)),
    ),
    max_size=30,
)


_clusters = itertools.count()


def _start(fake: FakeEcs, cluster: str, plan: str) -> str:
    if plan == "short":
        task = fake.run_task(cluster, runs_for=30)
    elif plan == "long":
        task = fake.run_task(cluster, runs_for=3_000)
    elif plan == "fail":
        task = fake.run_task(cluster, fail_to_start="CannotPullContainerError: no such image")
    else:
        task = fake.run_task(cluster)
    return task["taskArn"]


def _listable(client: ECSClient, cluster: str, arns: list[str], desired: str) -> set[str]:
    """The tasks ListTasks may list now, asked independently of ListTasks: those
    DescribeTasks still finds with that ``desiredStatus``."""
    found: set[str] = set()
    for at in range(0, len(arns), 100):
        answer = client.describe_tasks(cluster=cluster, tasks=arns[at : at + 100])
        found |= {t["taskArn"] for t in answer["tasks"] if t["desiredStatus"] == desired}
    return found


def _page_through(
    fake: FakeEcs,
    initial: list[str],
    settle: int,
    desired: DesiredStatusType,
    steps: list[tuple[str, int]],
) -> None:
    """Start ``initial`` tasks in a new cluster, let ``settle`` seconds pass, then page
    through ListTasks doing ``steps`` between pages; check nothing was skipped or repeated."""
    client = fake.client()
    cluster = f"paging-{next(_clusters)}"
    fake.create_cluster(cluster)
    arns = [_start(fake, cluster, plan) for plan in initial]
    fake.clock.advance(seconds=settle)

    listed: list[str] = []
    snapshots: list[set[str]] = []  # what could be listed at each page fetch
    token: str | None = None
    done = False

    def fetch(max_results: int) -> None:
        nonlocal token, done
        listable = _listable(client, cluster, arns, desired)
        snapshots.append(listable)
        if token is None:
            response = client.list_tasks(
                cluster=cluster, desiredStatus=desired, maxResults=max_results
            )
        else:
            response = client.list_tasks(
                cluster=cluster, desiredStatus=desired, maxResults=max_results, nextToken=token
            )
        assert_valid_response(
            "ListTasks", {k: v for k, v in response.items() if k != "ResponseMetadata"}
        )
        page = response["taskArns"]
        assert len(page) <= max_results
        assert set(page) <= listable, "listed a task that cannot be listed now"
        listed.extend(page)
        token = response.get("nextToken")
        done = token is None

    fetch(3)
    for action, value in steps:
        if done:
            break
        if action == "page":
            fetch(value)
        elif action == "stop" and arns:
            with contextlib.suppress(ValueError):  # expired and dropped: nothing to stop
                fake.stop_task(arns[value % len(arns)], cluster=cluster)
        elif action == "advance":
            fake.clock.advance(seconds=value)
        elif action == "run":
            arns.append(_start(fake, cluster, PLANS[value]))
    for _ in range(len(arns) + 1):
        if done:
            break
        fetch(3)
    assert done, "paging never ended"

    repeated = [arn for arn in set(listed) if listed.count(arn) > 1]
    assert repeated == [], "listed twice"
    always = set.intersection(*snapshots)
    assert always <= set(listed), f"skipped {sorted(always - set(listed))}"


def test_no_live_task_is_skipped_or_repeated_while_tasks_come_and_go() -> None:
    """Random interleavings of page fetches, stops, clock moves and new tasks: every
    task listable throughout the paging is listed exactly once, nothing twice."""
    with FakeEcs() as fake:  # one fake for every example: each works in a cluster of its own

        @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
        @given(
            initial=st.lists(st.sampled_from(PLANS), max_size=25),
            settle=st.sampled_from((0, 60, 3_000)),
            desired=st.sampled_from(DESIRED),
            steps=actions,
        )
        def page_through(
            initial: list[str],
            settle: int,
            desired: DesiredStatusType,
            steps: list[tuple[str, int]],
        ) -> None:
            _page_through(fake, initial, settle, desired, steps)

        page_through()


# -- tokens -----------------------------------------------------------------------------------


def _b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8", "surrogatepass")).decode()


def _first_token(client: ECSClient, **kwargs: Any) -> str:
    response = client.list_tasks(maxResults=1, **kwargs)
    assert response["taskArns"]
    token = response.get("nextToken")
    assert token is not None
    return token


GARBAGE_TOKENS = [
    "not-a-token",
    "!!not base64!!",
    "e30",  # "{}" without its padding
    "A",
    "====",
    _b64("{}"),
    _b64('{"start": 1}'),  # an offset, as the fake's tokens once were
    _b64("[1]"),
    _b64('"after"'),
    _b64("1"),
    _b64('{"list": "ListTasks"}'),
    _b64('{"list": "ListTasks", "after": -1}'),
    _b64('{"list": "ListTasks", "after": "1"}'),
    _b64('{"list": "ListTasks", "after": 1.5}'),
    _b64('{"list": "ListTasks", "after": true}'),
    _b64('{"list": "ListTasks", "after": null}'),
    _b64('{"list": "ListTasks", "after": 1e999}'),
    _b64('{"list": "ListTasks", "after": 100000000000000000000000}'),
    _b64('{"list": "ListTasks", "after": 1, "more": 2}'),
    _b64('{"list": "ListClusters", "after": 1}'),  # another listing's token
    _b64("\udcff\udcfe"),
    _b64("[" * 5_000),
]


@pytest.mark.parametrize("token", GARBAGE_TOKENS)
def test_list_tasks_refuses_a_token_it_cannot_have_issued(ecs: ECSClient, token: str) -> None:
    with pytest.raises(ClientError) as error:
        ecs.list_tasks(nextToken=token)

    assert error.value.response["Error"]["Code"] == "InvalidParameterException"
    assert error.value.response["Error"]["Message"] == "Invalid nextToken."
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


@pytest.mark.parametrize(
    "token", [_b64('{"list": "ListTasks", "after": 1}'), _b64('{"start": 1}'), "not-a-token"]
)
def test_list_clusters_refuses_a_token_it_cannot_have_issued(ecs: ECSClient, token: str) -> None:
    with pytest.raises(ClientError) as error:
        ecs.list_clusters(nextToken=token)

    assert error.value.response["Error"]["Code"] == "InvalidParameterException"
    assert error.value.response["Error"]["Message"] == "Invalid nextToken."


def test_an_issued_token_stays_valid_after_every_task_stopped_and_expired(
    ecs: ECSClient, ecs_tasks: FakeEcs
) -> None:
    tasks = [ecs_tasks.run_task()["taskArn"] for _ in range(5)]
    ecs_tasks.clock.advance(minutes=1)
    running = _first_token(ecs)
    ecs_tasks.stop_task(tasks[0])
    ecs_tasks.stop_task(tasks[1])
    ecs_tasks.clock.advance(minutes=2)
    stopped = _first_token(ecs, desiredStatus="STOPPED")

    for arn in tasks[2:]:
        ecs_tasks.stop_task(arn)
    ecs_tasks.clock.advance(ecs_tasks.retention + timedelta(minutes=5))
    assert ecs.describe_tasks(tasks=tasks)["tasks"] == []  # all expired
    assert ecs_tasks._service.region_state(ecs_tasks.region).tasks == {}  # and dropped from memory

    for token in (running, stopped):
        for desired in DESIRED:
            page = ecs.list_tasks(desiredStatus=desired, nextToken=token)
            assert page["taskArns"] == []
            assert "nextToken" not in page
    # tasks started since come after the place the token holds
    fresh = ecs_tasks.run_task()["taskArn"]
    assert ecs.list_tasks(nextToken=running)["taskArns"] == [fresh]


def test_a_token_pointing_after_a_stopped_task_still_pages_on(
    ecs: ECSClient, ecs_tasks: FakeEcs
) -> None:
    arns = [ecs_tasks.run_task()["taskArn"] for _ in range(5)]

    first = ecs.list_tasks(maxResults=2)
    ecs_tasks.stop_task(arns[1])  # the last task of the first page
    ecs_tasks.stop_task(arns[0])
    second = ecs.list_tasks(maxResults=2, nextToken=first["nextToken"])
    third = ecs.list_tasks(maxResults=2, nextToken=second["nextToken"])

    assert first["taskArns"] == arns[:2]
    assert second["taskArns"] == arns[2:4]
    assert third["taskArns"] == arns[4:]
    assert "nextToken" not in third


def test_a_task_stopped_between_pages_skips_no_other(ecs: ECSClient, ecs_tasks: FakeEcs) -> None:
    """With a list offset, the task after the stopped one would slip to an earlier page."""
    arns = [ecs_tasks.run_task()["taskArn"] for _ in range(6)]

    first = ecs.list_tasks(maxResults=3)
    ecs_tasks.stop_task(arns[0])
    second = ecs.list_tasks(maxResults=3, nextToken=first["nextToken"])

    assert first["taskArns"] == arns[:3]
    assert second["taskArns"] == arns[3:]


def test_list_tasks_token_is_opaque_base64(ecs: ECSClient, ecs_tasks: FakeEcs) -> None:
    for _ in range(3):
        ecs_tasks.run_task()

    token = _first_token(ecs)

    decoded = json.loads(base64.b64decode(token, validate=True))
    assert isinstance(decoded, dict)
