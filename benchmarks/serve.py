"""Section 8 of the benchmarks: ``ecs-tasks serve`` (an ``EcsServer``) under load.

* Latency: DescribeTasks of one RUNNING task from a boto3 client over one
  kept-alive connection to the server, against the same call in-process.
* Bursts: 100 connections opened at once, each sending one DescribeTasks: how
  many are answered, and the p50 and worst time to an answer.
* Memory: the server process's RSS before and after 20,000 DescribeTasks
  requests sent by another process over kept-alive connections.

Imported by ``run.py``; nothing here leaves loopback.
"""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from harness import Results, Samples, Target, mib, ms

from pytest_ecs_tasks import FakeEcs
from pytest_ecs_tasks._server import EcsServer

REGION = "us-east-1"
_TARGET = "AmazonEC2ContainerServiceV20141113.DescribeTasks"
_HEADERS = {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": _TARGET}


def _rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    import resource

    return pages * resource.getpagesize()


def _served_fake() -> tuple[FakeEcs, EcsServer, str]:
    fake = FakeEcs(region=REGION).start()
    task = fake.run_task(runs_for=None)
    fake.clock.advance(minutes=2)
    server = EcsServer(fake, "127.0.0.1", 0).start()
    return fake, server, str(task["taskArn"])


def latency(rounds: int, calls: int) -> dict[str, Samples]:
    """DescribeTasks of one task: over HTTP on one kept-alive connection, and in-process."""
    import boto3
    from botocore.config import Config

    fake, server, arn = _served_fake()
    try:
        local = fake.client()
        remote = boto3.client(
            "ecs",
            region_name=REGION,
            endpoint_url=server.url,
            aws_access_key_id="FOOBARKEY",
            aws_secret_access_key="FOOBARSECRET",
            config=Config(retries={"max_attempts": 0}),
        )
        samples: dict[str, list[float]] = {"HTTP, kept alive": [], "in-process": []}
        for _ in range(5):  # warm-up; the first HTTP call opens the connection
            remote.describe_tasks(tasks=[arn])
            local.describe_tasks(tasks=[arn])
        for _ in range(rounds):
            for name, client in (("HTTP, kept alive", remote), ("in-process", local)):
                start = time.perf_counter()
                for _ in range(calls):
                    client.describe_tasks(tasks=[arn])
                samples[name].append((time.perf_counter() - start) * 1000.0 / calls)
    finally:
        server.stop()
        fake.stop()
    return {name: Samples(values) for name, values in samples.items()}


def burst(connections: int, timeout: float = 30.0) -> dict[str, Any]:
    """``connections`` connections opened at once, one DescribeTasks each."""
    fake, server, arn = _served_fake()
    host, port = urlsplit(server.url).hostname or "127.0.0.1", urlsplit(server.url).port
    body = json.dumps({"tasks": [arn]}).encode()
    times: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    go = threading.Event()

    def one() -> None:
        go.wait()
        start = time.perf_counter()
        try:
            connection = http.client.HTTPConnection(host, port, timeout=timeout)
            connection.request("POST", "/", body=body, headers=_HEADERS)
            response = connection.getresponse()
            response.read()
            connection.close()
            ok = response.status == 200
        except Exception as exc:
            ok = False
            with lock:
                failures.append(type(exc).__name__)
        elapsed = (time.perf_counter() - start) * 1000.0
        with lock:
            if ok:
                times.append(elapsed)

    try:
        threads = [threading.Thread(target=one) for _ in range(connections)]
        for thread in threads:
            thread.start()
        go.set()
        for thread in threads:
            thread.join(timeout + 5)
    finally:
        server.stop()
        fake.stop()
    return {
        "connections": connections,
        "answered": len(times),
        "failures": failures,
        "ms": Samples(times or [float("nan")]),
    }


_CLIENT = """
import http.client, json, sys
host, port, arn, n = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
headers = {"Content-Type": "application/x-amz-json-1.1",
           "X-Amz-Target": "AmazonEC2ContainerServiceV20141113.DescribeTasks"}
body = json.dumps({"tasks": [arn]}).encode()
connection = http.client.HTTPConnection(host, port, timeout=30)
for i in range(n):
    if i % 500 == 0:
        connection.close()
        connection = http.client.HTTPConnection(host, port, timeout=30)
    connection.request("POST", "/", body=body, headers=headers)
    response = connection.getresponse()
    response.read()
    assert response.status == 200, response.status
print("done")
"""


def memory(requests: int, checkpoint: int) -> dict[str, Any]:
    """The server process's RSS after ``checkpoint`` and after ``requests`` requests
    sent by another process (new connection every 500 requests)."""
    fake, server, arn = _served_fake()
    host, port = urlsplit(server.url).hostname or "127.0.0.1", urlsplit(server.url).port

    def send(n: int) -> None:
        subprocess.run(
            [sys.executable, "-c", _CLIENT, host, str(port), arn, str(n)],
            check=True,
            capture_output=True,
            timeout=600,
        )

    try:
        before = _rss_bytes()
        start = time.perf_counter()
        send(checkpoint)
        at_checkpoint = _rss_bytes()
        send(requests - checkpoint)
        seconds = time.perf_counter() - start
        after = _rss_bytes()
        calls_kept = len(fake.calls)
    finally:
        server.stop()
        fake.stop()
    return {
        "requests": requests,
        "checkpoint": checkpoint,
        "rss_before": before,
        "rss_at_checkpoint": at_checkpoint,
        "rss_after": after,
        "growth_bytes": after - at_checkpoint,
        "requests_per_s": requests / seconds,
        "calls_kept": calls_kept,
    }


def report(
    results: Results,
    latency: Mapping[str, Samples],
    burst: Mapping[str, Any],
    memory: Mapping[str, Any],
) -> None:
    sec = "8. serve (EcsServer over HTTP)"
    remote, local = latency["HTTP, kept alive"].median, latency["in-process"].median
    results.row(
        sec,
        "DescribeTasks of one task, one kept-alive connection / in-process",
        f"{remote / local:.2f}x",
        f"{ms(remote)} / {ms(local)} per call (boto3 client, endpoint_url)",
    )
    results.target(
        Target(
            "serve_latency",
            "serve: a call on a kept-alive connection / the in-process call",
            remote / local,
            2.0,
            "<=",
            "x",
        )
    )
    answered = burst["answered"]
    results.row(
        sec,
        f"{burst['connections']} connections at once, one DescribeTasks each",
        f"{answered} answered",
        f"p50 {ms(burst['ms'].median)}, worst {ms(burst['ms'].worst)}"
        + (f"; failures: {', '.join(sorted(set(burst['failures'])))}" if burst["failures"] else ""),
    )
    results.target(
        Target(
            "serve_burst",
            f"serve: {burst['connections']} simultaneous connections answered",
            float(answered),
            float(burst["connections"]),
            ">=",
        )
    )
    growth = memory["growth_bytes"] / 2**20
    results.row(
        sec,
        f"server RSS over requests {memory['checkpoint']:,} to {memory['requests']:,}",
        f"{growth:+.1f} MiB",
        f"RSS {mib(memory['rss_at_checkpoint'])} -> {mib(memory['rss_after'])} "
        f"(before any: {mib(memory['rss_before'])}); {memory['requests_per_s']:,.0f} "
        "requests/s from another process",
    )
    results.target(
        Target(
            "serve_rss",
            f"serve: RSS growth over requests {memory['checkpoint']:,} to {memory['requests']:,}",
            growth,
            30.0,
            "<=",
            " MiB",
        )
    )
    results.data["serve"] = {
        "latency_ms": {k: round(v.median, 4) for k, v in latency.items()},
        "burst": {
            "connections": burst["connections"],
            "answered": answered,
            "p50_ms": round(burst["ms"].median, 2),
            "worst_ms": round(burst["ms"].worst, 2),
            "failures": burst["failures"],
        },
        "memory": dict(memory),
    }
