"""How much each benchmark measures: the default run, and ``--quick`` for a smoke run."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Plan:
    """How much to measure: the default run, or ``--quick`` for a smoke test."""

    sizes: tuple[int, ...] = (1_000, 5_000, 10_000, 100_000)
    moto_sizes: tuple[int, ...] = (1_000, 5_000)
    describe_repeats: int = 40
    moto_repeats: int = 12
    per_test_repeats: int = 25
    pytest_tests: int = 200
    pytest_repeats: int = 3
    pytest_moto_repeats: int = 1
    factory_batch: int = 1_000
    factory_repeats: int = 2
    trait_batch: int = 200
    waiter_repeats: int = 9
    traced_tasks: int = 10_000  # tasks stored under tracemalloc (100k with --full-memory)
    profile_calls: int = 30
    startup_repeats: int = 15
    long_run_calls: int = 20_000  # DescribeTasks calls of 100 ids, RSS measured over them
    long_run_checkpoint: int = 2_000  # where RSS is first read (the calls log is full by then)
    expired_tasks: int = 50_000
    list_rounds: int = 5
    list_calls: int = 40
    async_rounds: int = 8  # 7. async DescribeTasks: rounds of interleaved calls
    async_calls: int = 10
    async_waiter_repeats: int = 7
    serve_rounds: int = 5  # 8. serve: rounds of kept-alive calls against in-process ones
    serve_calls: int = 100
    serve_connections: int = 100
    serve_requests: int = 20_000
    serve_checkpoint: int = 2_000
    timeline_stored: int = 10_000  # 9. clock moves: idle RUNNING tasks stored
    timeline_changing: int = 10  # tasks stopping in the timed move
    timeline_rounds: int = 60  # timed moves per fake, no rule
    timeline_rule_rounds: int = 7  # timed moves per fake, SQS rule (moto's delivery is slow)
    services_stored: int = 200  # 10. clock moves with services: services in the big fake
    services_tasks: int = 10  # tasks per service
    services_rounds: int = 40  # deployments timed per fake and variant

    @property
    def stored(self) -> int:
        return self.sizes[-1]


QUICK = Plan(
    sizes=(1_000, 5_000, 10_000),
    moto_sizes=(1_000, 5_000),
    describe_repeats=10,
    moto_repeats=4,
    per_test_repeats=8,
    pytest_tests=40,
    pytest_repeats=1,
    factory_batch=200,
    factory_repeats=1,
    trait_batch=40,
    waiter_repeats=3,
    traced_tasks=2_000,
    profile_calls=10,
    startup_repeats=3,
    long_run_calls=3_000,
    long_run_checkpoint=1_500,
    expired_tasks=5_000,
    list_rounds=2,
    list_calls=10,
    async_rounds=2,
    async_calls=3,
    async_waiter_repeats=2,
    serve_rounds=2,
    serve_calls=20,
    serve_connections=100,
    serve_requests=3_000,
    serve_checkpoint=1_000,
    timeline_stored=2_000,
    timeline_changing=10,
    timeline_rounds=6,
    timeline_rule_rounds=2,
    services_stored=50,
    services_tasks=10,
    services_rounds=6,
)
