"""The page's prose: why moto / fake stays under its target, and what each section
measures, with which clients (filled in from a run's plan and results)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from harness import Target


def moto_gap(data: Mapping[str, Any], targets: Sequence[Target]) -> list[str]:
    """The paragraph on moto / fake at 5k, when that target fails."""
    failed = [t for t in targets if t.key.startswith("moto_") and not t.passed]
    gaps = (data.get("describe") or {}).get("moto_gap_5k")
    if not failed or not gaps:
        return []
    kind = failed[0].key.removeprefix("moto_")  # the first failing kind of record
    g = gaps[kind]
    label = {"added": "added records", "run": "run_task tasks"}[kind]
    return [
        "## Why moto / fake stays under 10x at 5k",
        "",
        f"With 5,000 tasks stored ({label}), moto's DescribeTasks of 100 tasks costs "
        f"{g['moto_ms']:.0f} ms:",
        f"{g['moto_server_ms']:.0f} ms on its server side (it compares every stored task",
        f"with every requested id) and about {g['moto_client_ms']:.1f} ms in the client. "
        "The fake's server side",
        f"(transport and service) costs {g['fake_server_ms']:.1f} ms, "
        f"{g['server_ratio']:.0f} times less than moto's, but",
        f"its whole call costs {g['fake_ms']:.1f} ms (through the client made inside the "
        f"fake), because about {g['fake_client_ms']:.1f} ms go to botocore",
        "parsing the response into boto3's shape. moto's records are skeletal "
        f"({g['moto_values_per_task']:.0f} values,",
        f"{g['moto_timestamps_per_task']:.0f} timestamps a task); the fake's are complete "
        f"({g['fake_values_per_task']:.0f} values, {g['fake_timestamps_per_task']:.0f} timestamps:",
        "the containers, the ENI attachment, every lifecycle instant), and parsing them",
        "costs what it costs against the real service. The `Stubber`, which skips the",
        f"wire and the parsing (but validates the records), takes {g['stubber_ms']:.1f} ms. "
        "Even a fake whose server side",
        f"cost nothing would be {g['ratio_if_fake_server_free']:.1f}x faster than moto here.",
        "See the profiles below.",
        "",
    ]


def lines(plan: Mapping[str, Any]) -> list[str]:
    """ "What is measured", section by section, with the clients each figure uses."""
    p = plan
    return [
        "## What is measured",
        "",
        "1. **DescribeTasks of 100 full tasks** (`benchmarks/describe.py`), with 1k, 5k,",
        "   10k and 100k tasks stored. *Added records*: the 100 described tasks are",
        "   `TaskFactory` records stored with `FakeEcs.add_task`; the other stored tasks",
        "   are copies of them under fresh task ids, also stored with `add_task`",
        "   (building 100,000 records with the factory would take over a minute).",
        "   *run_task tasks*: every task is started with `FakeEcs.run_task`, and the",
        "   clock moves 2 minutes on so that the 100 described tasks are RUNNING.",
        "   Everything runs inside one `mock_aws`: a started `FakeEcs` joins the mock and",
        "   answers ECS, a stopped one hands ECS back to moto. In each round, call after",
        "   call, the run times: a reference fake with 1k tasks of each kind, and the fake",
        "   of the size being measured, each through the client made inside the fake; the",
        "   fake of that size through the default client made before the fake; botocore's",
        "   `Stubber` (`add_response('describe_tasks', response, expected_params)` then",
        "   the call, serving the very records the fake returned: no wire, no parsing);",
        "   botocore's floor, the fake's own response bytes as a canned answer at",
        "   `before-send` (serialise, sign and parse still run), parsed as each kind of",
        "   client parses; and at 1k and 5k plain moto (a registered Fargate task",
        "   definition, a cluster, `run_task(count=10)` until that many tasks are",
        "   stored). Flatness is the size's median over the 1k reference's from the",
        "   same rounds. *Server side* is the time from botocore's `before-send` event,",
        "   where moto (and the fake, through moto) answers, to `before-parse`.",
        "   *Clients*: the fakes, a client made inside the fake (`boto3.client` while a",
        "   fake was started, in a fresh default session) and a default client made",
        "   before any fake started; moto, a default client made under the bare",
        "   `mock_aws` (moto's records carry no timestamps, so its parser hardly",
        "   matters); the Stubber, a default client it answers before anything is sent",
        "   or parsed; the floors, two clients from sessions without moto's stubber, one",
        "   parsing as the client made inside the fake does and one as botocore does.",
        "2. **Cost per test** (`benchmarks/per_test.py`): in process, `FakeEcs().start()`,",
        "   `boto3.client('ecs')`, one `describe_tasks`, `stop()`, against",
        "   `mock_aws().start()`, the same client and call, `stop()` (moto has no `default`",
        "   cluster, so its call answers `ClusterNotFoundException`; either way the cost",
        "   is mostly creating the client), interleaved. Through pytest: three files of",
        f"   {p['pytest_tests']} tests each (using `ecs_tasks`; under a bare `mock_aws`;",
        "   empty), each run with `pytest -p no:randomly -q` in a subprocess, interleaved,",
        f"   {p['pytest_repeats']} times each ({p['pytest_moto_repeats']} for the long",
        "   `mock_aws` file); ms per test is (the file's wall time - the empty file's) / N.",
        "   *Clients*: each test makes its own client inside its mock, so the fake's tests",
        "   use a client made inside the fake, and moto's a default client made under",
        "   `mock_aws`.",
        "3. **Factory throughput** (`benchmarks/factories.py`): `TaskFactory.build_batch`,",
        "   by default and per trait. No client.",
        "4. **Waiter** (`benchmarks/waiter.py`): `client.get_waiter('tasks_stopped').wait(...)`",
        "   on a task started with `run_task(runs_for=300)`: the waiter's 6-second sleeps",
        "   move the fake clock, so it polls through the whole simulated lifecycle at once.",
        "   Its bar is checked in section 7, against botocore's floor for as many polls.",
        "   *Client*: `fake.client()`, made inside the fake.",
        f"5. **Memory with {p['sizes'][-1]:,} tasks stored** (`benchmarks/memory.py`), in a fresh",
        "   fake per kind: the resident set size before and after storing them (each",
        "   after `gc.collect()` and `malloc_trim`); and `tracemalloc` over a separate",
        f"   fake filled with the first {p['traced_tasks']:,} tasks, scaled to the full",
        "   count (tracing makes storing five times slower; `--full-memory` traces them",
        "   all, and per task it comes out the same within 1.5%). For added records, most",
        "   of the memory is the records themselves, which the fake keeps: `add_task`",
        "   copies the top level of each record only. No client: tasks are stored",
        "   through `FakeEcs`.",
        "6. **Edges** (`benchmarks/edges.py`). *Start-up*: `pytest -q -p no:randomly` on",
        "   one trivial test that does not use the plugin, with the plugin installed and",
        f"   with `-p no:ecs_tasks`, in subprocesses, interleaved {p['startup_repeats']} times",
        "   (with `ecs-tasks --help` and `python -c pass` in the same rounds). *Long",
        f"   runs*: one fake answers {p['long_run_calls']:,} DescribeTasks requests of 100",
        "   running task ids as the transport hands them over (`FakeEcs._service.dispatch`,",
        "   the bytes a boto3 client sends: no client), and the resident set size is read",
        f"   at call {p['long_run_checkpoint']:,} (the calls log is full by then) and at the",
        "   end. *Expired tasks*: ListTasks through `fake.client()` (made inside the fake)",
        f"   on a fake where {p['expired_tasks']:,} tasks ran, stopped and passed their hour",
        "   of retention, against a fake that never had them, both with 10 running tasks;",
        f"   {p['list_rounds']} rounds of {p['list_calls']} calls on each in turn.",
        "7. **Async clients** (`benchmarks/aio.py`). DescribeTasks of 100 RUNNING tasks",
        "   through the fake from an aiobotocore client and from boto3 clients of both",
        "   kinds, and the same call at each one's floor: a client whose session has no",
        "   moto stubber, answered at `before-send` by the fake's own response bytes and",
        "   parsed as the measured client parses (serialise, sign and parse still run);",
        f"   {p['async_rounds']} rounds of {p['async_calls']} calls of each in turn. The",
        "   `tasks_stopped` waiter on a `run_task(runs_for=300)` task from each client,",
        "   against as many one-task DescribeTasks calls at that client's floor (the",
        "   target: at most 1.5x, for sync and async clients alike);",
        f"   {p['async_waiter_repeats']} waits of each after a warm-up. *Clients*: an",
        "   aiobotocore client (`get_session().create_client`) made inside the fake;",
        "   `fake.client()`, made inside the fake; a default boto3 client made before the",
        "   fake started (the targets use the first two).",
        "8. **serve** (`benchmarks/serve.py`): an `EcsServer` on 127.0.0.1 in this",
        "   process. *Latency*: DescribeTasks of one RUNNING task from a boto3 client",
        "   with `endpoint_url` (one kept-alive connection) against the same call from",
        f"   `fake.client()`, {p['serve_rounds']} rounds of {p['serve_calls']} calls each in",
        "   turn; both clients are made while the fake is started, so both parse as a",
        f"   client made inside the fake. *Bursts*: {p['serve_connections']} threads open a",
        "   connection at once and send one DescribeTasks each (raw HTTP, no boto3).",
        f"   *Memory*: another process sends {p['serve_requests']:,} DescribeTasks requests",
        "   (raw HTTP, a new connection every 500), and this process's RSS is read after",
        f"   {p['serve_checkpoint']:,} and at the end.",
        "9. **Clock moves** (`benchmarks/timeline.py`): one `clock.advance(120)` during",
        f"   which {p['timeline_changing']} tasks (`run_task(runs_for=60)`, RUNNING before",
        "   it, untimed) go through their stop transitions, 5 ECS Task State Change events",
        f"   each, in a fake that also holds {p['timeline_stored']:,} RUNNING tasks that",
        "   never change again, against a fake holding only those tasks; the two fakes in",
        f"   turn, {p['timeline_rounds']} moves each. Then {p['timeline_rule_rounds']} moves",
        '   each with an EventBridge rule (`{"source": ["aws.ecs"]}`) targeting an SQS',
        "   queue in moto, so the move includes moto's delivery (the queue is checked and",
        "   drained after each). Wall times on a busy machine vary by move; the Python",
        "   function calls of one move in each fake (cProfile) do not, and show whether",
        "   the idle tasks cost anything. No ECS client in the timed move; default SQS",
        "   and EventBridge clients made under `mock_aws` set up and drain the queue.",
        "10. **Clock moves with services** (`benchmarks/services.py`): a fake with",
        f"   {p['services_stored']} services of {p['services_tasks']} Fargate tasks each, all",
        "   steady (every task RUNNING and healthy, every deployment COMPLETED), against",
        "   a fake with only the first of them. Untimed, `update_service` (through",
        "   `fake.client()`, made inside the fake) deploys the other revision to that",
        "   service (`web:1` and `web:2` in turn); timed, one `clock.advance(120)` takes",
        "   the rolling deployment from its start to COMPLETED (and, separately, 24 moves",
        "   of 5 s, summed). After each: one COMPLETED deployment on the new revision, no",
        "   task or service left to wake, as many events in both fakes. The fakes in",
        f"   turn, {p['services_rounds']} deployments each per variant; the Python function",
        "   calls of one deployment in each fake (cProfile) show whether the steady",
        "   services cost anything.",
        "",
    ]
