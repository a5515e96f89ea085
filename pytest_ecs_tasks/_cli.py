"""The ``ecs-tasks`` command (also ``python -m pytest_ecs_tasks``).

``ecs-tasks sample [--count N] [--trait NAME ...] [--seed S] [--region R] [--cluster C]``
    Print a realistic DescribeTasks response exactly as the service sends it
    (JSON, timestamps in epoch seconds). The same seed prints the same response.

``ecs-tasks serve [--host 127.0.0.1] [--port N] [--region R] [--account-id A] [--start ISO]
[--time-scale N] [--token TEXT]``
    Serve a fake ECS over HTTP (port 0: a free one) for clients in other
    processes or languages, with a control API for its clock and tasks
    (listed by ``serve --help``), until interrupted (SIGINT or SIGTERM).
"""

from __future__ import annotations

import argparse
import errno
import json
import re
import signal
import sys
import threading
from datetime import datetime, timezone
from types import FrameType
from typing import Any

from ._settings import DEFAULTS, options_of

__all__ = ["main"]

PROG = "ecs-tasks"

_CONTROL_API_HELP = """\
control API (JSON in and out, Content-Type: application/json; off loopback,
also 'Authorization: Bearer <token>'; records in the wire shape, epoch seconds):
  GET  /_ecs_tasks/clock              {"now": ISO 8601}
  POST /_ecs_tasks/clock/advance      {"seconds": 300} or {"minutes": 5, ...} or {"by": "5m"}
  POST /_ecs_tasks/clock/move_to      {"when": ISO 8601 or epoch seconds} (never back)
  POST /_ecs_tasks/plan_runs          {"runs_for": 300, "exit_code": 3, "times": 1, ...}:
                                      how the tasks RunTask starts next end
  POST /_ecs_tasks/tasks              {"cluster", "runs_for", "exit_code", ...}: run a task
  POST /_ecs_tasks/tasks/add          {"task": {...}} or {"traits": ["stopped"]}
  POST /_ecs_tasks/tasks/stop         {"task", "cluster", "reason", "stop_code"}
  POST /_ecs_tasks/faults             {"operation", "code", "message", "times"}
  POST /_ecs_tasks/clusters           {"name", "tags"}
  POST /_ecs_tasks/seed               {"seed": 42}
  POST /_ecs_tasks/settings           {} or {"retention": "90m", "eventual_consistency": 2}:
                                      answers every setting; changes those two
  POST /_ecs_tasks/reset              {}: back to a fresh fake, same settings
  GET  /_ecs_tasks/state              the fake's state, as the pytest report shows it
Errors: HTTP 4xx with {"error": "..."}. Full reference: the "Out-of-process use"
page of the pytest-ecs-tasks docs (docs/out-of-process.md).

example:
  ecs-tasks serve --port 5100 --time-scale 60 &
  curl -s -X POST -H 'Content-Type: application/json' \\
       -d '{"runs_for": 120, "exit_code": 0}' localhost:5100/_ecs_tasks/plan_runs
  aws ecs run-task --endpoint-url http://localhost:5100 --task-definition app
"""


def _non_negative(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is negative")
    return value


def _port(text: str) -> int:
    value = _non_negative(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0 to 65535)")
    return value


def _installed_version() -> str:
    """The installed distribution's version (``unknown`` when run from a bare source tree)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("pytest-ecs-tasks")
    except PackageNotFoundError:
        return "unknown (not installed)"


def _parsers() -> dict[str, argparse.ArgumentParser]:
    """The command's parser (key ``""``) and each subcommand's, by name."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Realistic Amazon ECS task records, and a fake ECS served over HTTP.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_installed_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    sample = commands.add_parser(
        "sample",
        help="print a realistic DescribeTasks response, as the service sends it",
        description="Print a realistic DescribeTasks response exactly as the service sends it: "
        "JSON, timestamps in epoch seconds. The same --seed prints the same response.",
    )
    sample.add_argument(
        "--count", type=_non_negative, default=1, metavar="N", help="how many tasks (default: 1)"
    )
    sample.add_argument(
        "--trait",
        dest="traits",
        action="extend",
        nargs="+",
        default=[],
        metavar="NAME",
        help="a TaskFactory trait for every task, like stopped or ec2 (repeatable)",
    )
    sample.add_argument(
        "--missing",
        type=_non_negative,
        default=0,
        metavar="N",
        help="how many MISSING failures to add (default: 0)",
    )
    sample.add_argument("--seed", type=int, metavar="S", help="seed the random parts")
    sample.add_argument("--region", default=DEFAULTS.region, help=f"default: {DEFAULTS.region}")
    sample.add_argument(
        "--account-id", default=DEFAULTS.account_id, help=f"default: {DEFAULTS.account_id}"
    )
    sample.add_argument("--cluster", default="default", help="default: default")
    sample.add_argument(
        "--now",
        metavar="ISO",
        help="the moment the records describe: ISO 8601 or 'now' (default: the fake "
        "clock's default start, so that the same seed prints the same response)",
    )
    sample.add_argument(
        "--compact", action="store_true", help="one line, as sent over the wire (default: indented)"
    )

    serve = commands.add_parser(
        "serve",
        help="serve a fake ECS over HTTP, with a control API for its clock",
        description="Serve a fake Amazon ECS over HTTP for clients in other processes "
        "(--endpoint-url, AWS_ENDPOINT_URL_ECS), with a control API under /_ecs_tasks/. "
        "Runs until interrupted (SIGINT or SIGTERM).",
        epilog=_CONTROL_API_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    serve.add_argument("--host", default="127.0.0.1", help="default: 127.0.0.1 (loopback)")
    serve.add_argument("--port", type=_port, default=0, metavar="N", help="default: 0, a free port")
    serve.add_argument("--quiet", action="store_true", help="do not log requests on stderr")
    for option in options_of("serve"):
        serve.add_argument(
            f"--{option.name.replace('_', '-')}",
            dest=option.name,
            metavar=option.name.upper(),
            help=option.help,
        )
    return {"": parser, "sample": sample, "serve": serve}


_NEGATIVE = re.compile(r"^-\.?\d")


def _negative_values_joined(argv: list[str]) -> list[str]:
    """``--retention -1h`` as ``--retention=-1h``: argparse takes a value that starts
    with ``-`` (other than a plain number) for another option and answers "expected
    one argument"; joined, the value reaches the option's own check, which says
    what is wrong with it."""
    joined: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        following = argv[i + 1] if i + 1 < len(argv) else None
        if arg.startswith("--") and "=" not in arg and following and _NEGATIVE.match(following):
            joined.append(f"{arg}={following}")
            i += 2
        else:
            joined.append(arg)
            i += 1
    return joined


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parsers = _parsers()
    try:
        args = parsers[""].parse_args(
            _negative_values_joined(sys.argv[1:] if argv is None else argv)
        )
        if args.command == "sample":
            return _sample(parsers["sample"], args)
        return _serve(parsers["serve"], args)
    except SystemExit as exit_:
        code = exit_.code
        if code is None or isinstance(code, int):
            return code or 0
        print(code, file=sys.stderr)
        return 1


# -- sample -------------------------------------------------------------------------------


def _sample(command: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    from . import _model as model
    from ._clock import DEFAULT_START, to_utc
    from ._factories import (
        DescribeTasksResponseFactory,
        FailureFactory,
        TaskFactory,
        reseed,
    )
    from ._factories.traits import check_traits

    try:
        traits = check_traits(args.traits)
    except ValueError as exc:
        command.error(str(exc))
    now: datetime
    if args.now is None:
        now = DEFAULT_START
    elif args.now == "now":
        now = datetime.now(timezone.utc)
    else:
        try:
            now = to_utc(args.now)
        except ValueError as exc:
            command.error(f"--now: {exc}")
    if args.seed is not None:
        reseed(args.seed)
    place: dict[str, Any] = {
        "cluster": args.cluster,
        "region": args.region,
        "account_id": args.account_id,
    }
    try:
        tasks = [
            TaskFactory(now=now, **place, **dict.fromkeys(traits, True)) for _ in range(args.count)
        ]
        failures = [FailureFactory(**place) for _ in range(args.missing)]
        response = DescribeTasksResponseFactory(tasks=tasks, failures=failures)
    except (ValueError, TypeError) as exc:
        command.error(str(exc))
    wire = model.to_wire(response)
    text = json.dumps(wire, separators=(",", ":")) if args.compact else json.dumps(wire, indent=2)
    sys.stdout.write(text + "\n")
    sys.stdout.flush()
    return 0


# -- serve --------------------------------------------------------------------------------


def _serve(command: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    from ._fake import FakeEcs
    from ._server import EcsServer, is_loopback
    from ._settings import SettingError, Source, check, settings_from

    given = {o.name: getattr(args, o.name) for o in options_of("serve")}
    source = Source("ecs-tasks serve", "serve", "serve")
    try:
        settings = settings_from([(source, given)])
        time_scale = check("time_scale", given["time_scale"] or 0, source)
        token = None if given["token"] is None else check("token", given["token"], source)
    except SettingError as exc:
        # argparse already begins the line with "ecs-tasks serve: error:".
        command.error(str(exc).removeprefix(f"{source.where}: "))
    if not is_loopback(args.host):
        print(
            f"{PROG} serve: warning: {args.host} is not a loopback address: anyone who can "
            "reach it can use its ECS API, which checks no credentials; the control API "
            "needs the token printed below",
            file=sys.stderr,
        )
    fake = FakeEcs._from_settings(settings, "serve")
    server = EcsServer(
        fake,
        args.host,
        args.port,
        log=None if args.quiet else sys.stderr,
        token=token,
        time_scale=time_scale,
    )
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous: dict[signal.Signals, Any] = {}
    if threading.current_thread() is threading.main_thread():
        for stopping in (signal.SIGINT, signal.SIGTERM):
            previous[stopping] = signal.signal(stopping, on_signal)
    try:
        try:
            server.start()
        except OSError as exc:
            print(f"{PROG} serve: {_bind_error(args.host, args.port, exc)}", file=sys.stderr)
            return 1
        try:
            print(f"Serving fake ECS at {server.url}", flush=True)
            print(
                f"  region {fake.region}, account {fake.account_id}, clock "
                f"{fake.clock.now().isoformat()}; control API at {server.url}/_ecs_tasks/ ; "
                "stop with Ctrl-C",
                flush=True,
            )
            if server.time_scale:
                print(f"  the clock runs {server.time_scale:g}x wall time", flush=True)
            if server.token is not None:
                print(
                    f"  control API token: {server.token} (send 'Authorization: Bearer <token>')",
                    flush=True,
                )
            while not stop.wait(0.5):
                pass
        finally:
            server.stop()
    finally:
        for stopping, handler in previous.items():
            signal.signal(stopping, handler)
    return 0


def _bind_error(host: str, port: int, exc: OSError) -> str:
    if exc.errno == errno.EADDRINUSE:
        return f"cannot serve on {host}:{port}: the port is already in use"
    if exc.errno == errno.EACCES:
        return f"cannot serve on {host}:{port}: permission denied (ports below 1024 need root)"
    return f"cannot serve on {host}:{port}: {exc.strerror or exc}"


if __name__ == "__main__":
    raise SystemExit(main())
