"""Section 9 of the benchmarks: what a clock move costs with many tasks stored.

The fake keeps, for each task that will still change, the moment it changes next
(``_service/timeline_feed.py``): a clock move should cost what the tasks that
change cost, never a scan of all tasks stored. Measured here:

* one ``fake.clock.advance(...)`` that takes 10 tasks through their stop
  transitions (RUNNING, desired STOPPED, DEACTIVATING, STOPPING, DEPROVISIONING,
  STOPPED: 5 ECS Task State Change events each), in a fake that also holds
  10,000 RUNNING tasks that never change again, against the same move in a fake
  holding only those 10. Before each timed move, untimed: the 10 tasks are
  started with ``run_task(runs_for=60)`` and the clock moved until they run.
* the same, with an EventBridge rule (pattern ``{"source": ["aws.ecs"]}``) whose
  target is an SQS queue in moto, so the timed move includes the delivery of the
  50 events to the queue; the queue is checked and purged after each move.

Both fakes are built one after the other and used in turn, round after round
(one started at a time), inside one ``mock_aws`` that keeps the rule and queue.
Imported by ``run.py``; nothing here leaves loopback.
"""

from __future__ import annotations

import cProfile
import json
import pstats
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import boto3
from harness import Results, Samples, Target, ms
from moto import mock_aws

from pytest_ecs_tasks import FakeEcs

REGION = "us-east-1"
RUNS_FOR = 60  # s after RUNNING that the changing tasks' containers exit
TO_RUNNING = 30  # s: a task run_task just started is RUNNING by then (22 s by default)
THROUGH_STOP = 120  # s: the timed move; the stop transitions fall 82 to 106 s after start
STOP_EVENTS = 5  # events per task in the timed move (desired STOPPED .. STOPPED)
CASES = ("stored", "only")  # the fake with the idle tasks, the fake without
RULE = "ecs-task-state-changes"
QUEUE = "ecs-task-events"


@dataclass
class Queue:
    """The SQS queue the rule delivers to, with the clients that read it and that
    switch the rule off while the changing tasks start (untimed, and moto's delivery
    of their 40 start events would take longer than the move measured)."""

    sqs: Any  # boto3 SQS and EventBridge clients (no type stubs installed for them)
    events: Any
    url: str

    def deliver(self, on: bool) -> None:
        if on:
            self.events.enable_rule(Name=RULE)
        else:
            self.events.disable_rule(Name=RULE)

    def take(self) -> int:
        """Receive and delete every message in the queue; how many there were.
        (Draining, not PurgeQueue: moto allows one purge per queue a minute.)"""
        taken = 0
        while True:
            messages = self.sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10).get(
                "Messages", []
            )
            if not messages:
                return taken
            taken += len(messages)
            self.sqs.delete_message_batch(
                QueueUrl=self.url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                    for i, m in enumerate(messages)
                ],
            )


def _queue_with_rule() -> Queue:
    """An SQS queue and an EventBridge rule on the default bus sending it ECS events."""
    sqs = boto3.client("sqs", region_name=REGION)
    url = sqs.create_queue(QueueName=QUEUE)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    events = boto3.client("events", region_name=REGION)
    events.put_rule(Name=RULE, EventPattern=json.dumps({"source": ["aws.ecs"]}), State="ENABLED")
    events.put_targets(Rule=RULE, Targets=[{"Id": "queue", "Arn": arn}])
    return Queue(sqs, events, url)


def _build(stored: int) -> FakeEcs:
    """A fake with a ``default`` cluster holding ``stored`` RUNNING tasks that never
    change again (``run_task()`` without ``runs_for``), their events all emitted."""
    fake = FakeEcs()
    with fake:
        fake.create_cluster()
        for _ in range(stored):
            fake.run_task()
        fake.clock.advance(TO_RUNNING)
        if fake._service.feed.pending:
            raise SystemExit(f"{fake._service.feed.pending} stored tasks will still change")
    return fake


def _sample(
    fake: FakeEcs, changing: int, queue: Queue | None, profiler: cProfile.Profile | None = None
) -> float:
    """Start ``changing`` tasks and let them run (untimed), then time the clock move
    that stops them (under ``profiler`` if given); check what it emitted (and
    delivered). Milliseconds."""
    with fake:
        if queue is not None:
            queue.deliver(False)
        for _ in range(changing):
            fake.run_task(runs_for=RUNS_FOR)
        fake.clock.advance(TO_RUNNING)
        if queue is not None:
            queue.deliver(True)
        feed = fake._service.feed
        before = feed.events_total
        if profiler is not None:
            profiler.enable()
        start = time.perf_counter()
        fake.clock.advance(THROUGH_STOP)
        elapsed = (time.perf_counter() - start) * 1000.0
        if profiler is not None:
            profiler.disable()
        emitted = feed.events_total - before
        if emitted != changing * STOP_EVENTS or feed.pending:
            raise SystemExit(f"the timed move emitted {emitted} events ({feed.pending} pending)")
        if queue is not None and (delivered := queue.take()) != emitted:
            raise SystemExit(f"the queue received {delivered} of {emitted} events")
    return elapsed


def _rounds(
    fakes: dict[str, FakeEcs], changing: int, rounds: int, queue: Queue | None
) -> dict[str, Samples]:
    """One untimed sample per fake, then ``rounds`` rounds of one timed sample each,
    the order of the fakes swapped every round."""
    for fake in fakes.values():
        _sample(fake, changing, queue)
    samples: dict[str, list[float]] = {name: [] for name in fakes}
    order = list(fakes)
    for _ in range(rounds):
        for name in order:
            samples[name].append(_sample(fakes[name], changing, queue))
        order.reverse()
    return {name: Samples(values) for name, values in samples.items()}


def calls_per_move(fake: FakeEcs, changing: int) -> int:
    """How many Python function calls the move makes (cProfile): unlike the wall
    time, the same from run to run, and unmoved by the machine's load."""
    profiler = cProfile.Profile()
    _sample(fake, changing, None, profiler)
    calls: int = pstats.Stats(profiler).total_calls  # type: ignore[attr-defined]
    return calls


def clock_moves(stored: int, changing: int, rounds: int, rule_rounds: int) -> dict[str, Any]:
    """Medians of the timed move, in ms, by case (``stored``: with ``stored`` idle
    tasks; ``only``: without): ``rounds`` moves each without a rule, then
    ``rule_rounds`` with the SQS rule; the fakes' build times in s."""
    # One mock_aws around it all: moto's rule and queue outlive each fake's start and
    # stop (a fake joins a running mock_aws and leaves it running).
    with mock_aws():
        built: dict[str, float] = {}
        fakes: dict[str, FakeEcs] = {}
        for name, size in zip(CASES, (stored, 0), strict=True):
            start = time.perf_counter()
            fakes[name] = _build(size)
            built[name] = round(time.perf_counter() - start, 2)
        plain = _rounds(fakes, changing, rounds, None)
        calls = {name: calls_per_move(fake, changing) for name, fake in fakes.items()}
        queue = _queue_with_rule()
        delivered = _rounds(fakes, changing, rule_rounds, queue)
        kept = {name: len(fake._service.region_state(REGION).tasks) for name, fake in fakes.items()}
    return {
        "stored": stored,
        "changing": changing,
        "rounds": {"no_rule": rounds, "sqs_rule": rule_rounds},
        "events_per_move": changing * STOP_EVENTS,
        "build_s": built,
        "tasks_kept_at_end": kept,
        "calls_per_move": calls,
        "median_ms": {
            "no_rule": {name: round(s.median, 4) for name, s in plain.items()},
            "sqs_rule": {name: round(s.median, 4) for name, s in delivered.items()},
        },
        "worst_ms": {
            "no_rule": {name: round(s.worst, 4) for name, s in plain.items()},
            "sqs_rule": {name: round(s.worst, 4) for name, s in delivered.items()},
        },
    }


def report(results: Results, moves: Mapping[str, Any]) -> None:
    sec = "9. Clock moves (events)"
    stored, changing = moves["stored"], moves["changing"]
    medians = moves["median_ms"]
    for variant, label in (("no_rule", "no EventBridge rule"), ("sqs_rule", "a rule to SQS")):
        with_idle, alone = medians[variant]["stored"], medians[variant]["only"]
        results.row(
            sec,
            f"clock move, {changing} of {stored:,} tasks changing / only those {changing}, "
            + label,
            f"{with_idle / alone:.2f}x",
            f"{ms(with_idle)} / {ms(alone)} per move ({moves['events_per_move']} events)",
        )
    calls = moves["calls_per_move"]
    results.row(
        sec,
        "Python function calls in that move (cProfile), no rule",
        f"{calls['stored']:,}",
        f"only those {changing}: {calls['only']:,}",
    )
    plain = medians["no_rule"]
    results.target(
        Target(
            "clock_move_10_of_10k",
            f"clock move, {changing} of {stored:,} tasks changing / only those {changing}",
            plain["stored"] / plain["only"],
            1.5,
            "<=",
            "x",
        )
    )
    results.data["timeline"] = dict(moves)
