"""Section 10 of the benchmarks: what a clock move costs with many services stored.

The scheduler wakes a service only at its own tasks' moments (``_service/scheduler.py``,
interleaved with the task event feed in ``ServiceCore.publish``): a clock move should
cost what the services whose tasks change cost, never a visit of every service.
Measured here, in a fake with 200 services of 10 Fargate tasks each, all steady
(every task RUNNING and healthy, every deployment COMPLETED), one of them deploying,
against a fake holding only that one service:

* one ``fake.clock.advance(120)`` that takes the rolling deployment from its start
  (an untimed ``UpdateService`` to the other revision, which starts the 10 new
  tasks) to COMPLETED: the new tasks run and turn healthy, the 10 old ones stop,
  the scheduler wakes 8 times within the move (90 events, the UpdateService's too);
* the same deployment taken through 24 moves of 5 s, their times summed (a test
  polling as it waits: every move pays what a move costs even when little happens).

Each sample deploys the other revision (``web:1`` and ``web:2`` in turn) and checks
the service ends with one COMPLETED deployment on it, no task left to change and no
service to wake; the events emitted are the same count in both fakes, and the other
199 services are checked steady on ``web:1`` at the end. Both
fakes are built one after the other inside one ``mock_aws`` (the task definitions
and the default VPC's subnet are moto's) and used in turn, round after round, the
order swapped every round (one started at a time). Imported by ``run.py``; nothing
here leaves loopback.
"""

from __future__ import annotations

import cProfile
import pstats
import time
from collections.abc import Mapping
from typing import Any

import boto3
from harness import Results, Samples, Target, ms
from moto import mock_aws

from pytest_ecs_tasks import FakeEcs

REGION = "us-east-1"
CLUSTER = "bench"
DEPLOYING = "svc-000"  # the service deployed in both fakes (the first one created)
REVISIONS = ("web:1", "web:2")
SETTLE = 300  # s: every task of a new service RUNNING and healthy, its deployment COMPLETED
CASES = ("stored", "only")  # the fake with the steady services too, the fake without
#: The timed moves, by variant: (moves, seconds each); both from the deployment's start
#: to past its completion (about 90 s after the UpdateService with the defaults).
MOVES = {"one_move": (1, 120.0), "steps_5s": (24, 5.0)}
DEFINITION: dict[str, Any] = {
    "family": "web",
    "requiresCompatibilities": ["FARGATE"],
    "networkMode": "awsvpc",
    "cpu": "256",
    "memory": "512",
    "containerDefinitions": [{"name": "app", "image": "nginx:1", "essential": True}],
}


def _name(index: int) -> str:
    return f"svc-{index:03d}"


def _check(fake: FakeEcs, service: str, revision: str, tasks: int) -> None:
    """``service`` has one deployment, COMPLETED, on ``revision``, ``tasks`` running."""
    found = fake.deployments(service, cluster=CLUSTER)
    shown = [
        (d["taskDefinition"].rsplit("/", 1)[1], d["rolloutState"], d["runningCount"]) for d in found
    ]
    if shown != [(revision, "COMPLETED", tasks)]:
        raise SystemExit(f"{service}: deployments {shown}, not one COMPLETED on {revision}")


def _quiet(fake: FakeEcs) -> None:
    """No task will change and no service will wake until something is asked."""
    core = fake._service
    live = sum(1 for moment, _, service in core._wakes if service.wake_key == moment)
    if core.feed.pending or live:
        raise SystemExit(f"{core.feed.pending} tasks will still change, {live} services wake")


def _build(services: int, tasks: int, subnet: str) -> FakeEcs:
    """A fake with ``services`` services of ``tasks`` tasks on ``web:1``, all steady."""
    fake = FakeEcs(region=REGION)
    with fake:
        fake.create_cluster(CLUSTER)
        for index in range(services):
            fake.create_service(
                _name(index), REVISIONS[0], cluster=CLUSTER, desired_count=tasks, subnets=[subnet]
            )
        fake.clock.advance(SETTLE)
        for index in range(services):
            _check(fake, _name(index), REVISIONS[0], tasks)
        _quiet(fake)
    return fake


def _sample(
    fake: FakeEcs,
    revision: str,
    moves: tuple[int, float],
    tasks: int,
    profiler: cProfile.Profile | None = None,
) -> tuple[float, float, int]:
    """Deploy ``revision`` to ``DEPLOYING`` (UpdateService, timed apart), then time the
    clock moves that take the deployment to COMPLETED (under ``profiler`` if given)
    and check it: (ms of the moves summed, ms of the UpdateService, events emitted)."""
    count, seconds = moves
    with fake:
        client = fake.client()
        feed = fake._service.feed
        before = feed.events_total
        start = time.perf_counter()
        client.update_service(cluster=CLUSTER, service=DEPLOYING, taskDefinition=revision)
        update = (time.perf_counter() - start) * 1000.0
        moved = 0.0
        if profiler is not None:
            profiler.enable()
        for _ in range(count):
            start = time.perf_counter()
            fake.clock.advance(seconds)
            moved += time.perf_counter() - start
        if profiler is not None:
            profiler.disable()
        _check(fake, DEPLOYING, revision, tasks)
        _quiet(fake)
    return moved * 1000.0, update, feed.events_total - before


class Deployer:
    """Deploys the fakes in turn, each to the revision it does not run yet."""

    def __init__(self, fakes: dict[str, FakeEcs], tasks: int) -> None:
        self.fakes = fakes
        self.tasks = tasks
        self.deploys = dict.fromkeys(fakes, 0)
        self.events: set[int] = set()  # events emitted per deployment, all fakes

    def sample(
        self, name: str, moves: tuple[int, float], profiler: cProfile.Profile | None = None
    ) -> tuple[float, float]:
        self.deploys[name] += 1
        revision = REVISIONS[self.deploys[name] % 2]  # web:2, web:1, web:2, ...
        moved, update, emitted = _sample(self.fakes[name], revision, moves, self.tasks, profiler)
        self.events.add(emitted)
        return moved, update

    def rounds(self, moves: tuple[int, float], rounds: int) -> dict[str, dict[str, Samples]]:
        """One untimed sample per fake, then ``rounds`` rounds of one timed sample each,
        the order of the fakes swapped every round: {"move"|"update": {case: ms}}."""
        for name in self.fakes:
            self.sample(name, moves)
        moved: dict[str, list[float]] = {name: [] for name in self.fakes}
        updates: dict[str, list[float]] = {name: [] for name in self.fakes}
        order = list(self.fakes)
        for _ in range(rounds):
            for name in order:
                ms, update = self.sample(name, moves)
                moved[name].append(ms)
                updates[name].append(update)
            order.reverse()
        return {
            "move": {name: Samples(values) for name, values in moved.items()},
            "update": {name: Samples(values) for name, values in updates.items()},
        }

    def calls(self, name: str, moves: tuple[int, float]) -> int:
        """How many Python function calls the moves make (cProfile): unlike the wall
        time, the same from run to run, and unmoved by the machine's load."""
        profiler = cProfile.Profile()
        self.sample(name, moves, profiler)
        total: int = pstats.Stats(profiler).total_calls  # type: ignore[attr-defined]
        return total


def deploying_moves(services: int, tasks: int, rounds: int) -> dict[str, Any]:
    """Medians of the timed moves, in ms, by variant and case (``stored``: with the
    ``services - 1`` steady services; ``only``: the deploying one alone), ``rounds``
    deployments each; the UpdateService calls' medians; the fakes' build times in s."""
    with mock_aws():
        subnet = boto3.client("ec2", region_name=REGION).describe_subnets()["Subnets"][0]
        with FakeEcs(region=REGION):  # in moto: both fakes read them
            ecs = boto3.client("ecs", region_name=REGION)
            for revision in REVISIONS:
                arn = ecs.register_task_definition(**DEFINITION)["taskDefinition"][
                    "taskDefinitionArn"
                ]
                if not arn.endswith(revision):
                    raise SystemExit(f"registered {arn}, not {revision}")
        built: dict[str, float] = {}
        fakes: dict[str, FakeEcs] = {}
        sizes = dict(zip(CASES, (services, 1), strict=True))
        for name, size in sizes.items():
            start = time.perf_counter()
            fakes[name] = _build(size, tasks, subnet["SubnetId"])
            built[name] = round(time.perf_counter() - start, 2)
        deployer = Deployer(fakes, tasks)
        found = {variant: deployer.rounds(moves, rounds) for variant, moves in MOVES.items()}
        calls = {
            variant: {name: deployer.calls(name, moves) for name in fakes}
            for variant, moves in MOVES.items()
        }
        for name, fake in fakes.items():  # both end on web:2, the others steady on web:1
            if deployer.deploys[name] % 2 == 0:
                deployer.sample(name, MOVES["one_move"])
            with fake:
                _check(fake, DEPLOYING, REVISIONS[1], tasks)
                for index in range(1, sizes[name]):
                    _check(fake, _name(index), REVISIONS[0], tasks)
        if len(deployer.events) != 1:
            raise SystemExit(f"the deployments emitted {sorted(deployer.events)} events")
    return {
        "services": services,
        "tasks_per_service": tasks,
        "rounds": rounds,
        "moves": {variant: {"moves": n, "seconds_each": s} for variant, (n, s) in MOVES.items()},
        "events_per_deployment": deployer.events.pop(),
        "build_s": built,
        "calls_per_deployment": calls,
        "median_ms": {
            variant: {name: round(s.median, 4) for name, s in f["move"].items()}
            for variant, f in found.items()
        },
        "worst_ms": {
            variant: {name: round(s.worst, 4) for name, s in f["move"].items()}
            for variant, f in found.items()
        },
        "update_service_median_ms": {
            name: round(s.median, 4) for name, s in found["one_move"]["update"].items()
        },
    }


def report(results: Results, moves: Mapping[str, Any]) -> None:
    sec = "10. Clock moves (services)"
    stored, tasks = moves["services"], moves["tasks_per_service"]
    medians, calls = moves["median_ms"], moves["calls_per_deployment"]
    events = moves["events_per_deployment"]
    variants = (
        (
            "one_move",
            f"clock move, 1 of {stored} services ({tasks} tasks each) deploying / only that one",
            "one advance(120)",
        ),
        (
            "steps_5s",
            f"the same deployment in 24 moves of 5 s, summed: {stored} services / only that one",
            "24 advances of 5 s",
        ),
    )
    for variant, label, how in variants:
        with_steady, alone = medians[variant]["stored"], medians[variant]["only"]
        results.row(
            sec,
            label,
            f"{with_steady / alone:.2f}x",
            f"{ms(with_steady)} / {ms(alone)} per deployment, start to COMPLETED: {how} "
            f"({events} events)",
        )
        results.row(
            sec,
            f"Python function calls in that deployment (cProfile), {how}",
            f"{calls[variant]['stored']:,}",
            f"only that one: {calls[variant]['only']:,}",
        )
    update = moves["update_service_median_ms"]
    results.row(
        sec,
        "UpdateService starting the deployment (untimed above)",
        ms(update["stored"]),
        f"only that one: {ms(update['only'])}; building the {stored} services "
        f"({stored * tasks:,} tasks) and settling them: {moves['build_s']['stored']:.1f} s",
    )
    one = medians["one_move"]
    results.target(
        Target(
            "clock_move_1_of_200_services",
            f"clock move, 1 of {stored} services ({tasks} tasks each) deploying / only that one",
            one["stored"] / one["only"],
            1.5,
            "<=",
            "x",
        )
    )
    results.data["services"] = dict(moves)
