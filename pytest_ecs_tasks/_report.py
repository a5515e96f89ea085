"""What the plugin tells the user about a fake: its state (for a failed test's
report and the control API) and the faults that answered no call."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._fake import FakeEcs

__all__ = ["state_report", "unused_faults_message"]


def state_report(fake: FakeEcs) -> str:
    """The fake's state as text: clock, clusters, each task's status and timeline, calls."""
    now = fake.clock.now()
    lines = [
        f"clock: {now.isoformat()}  region: {fake.region}  account: {fake.account_id}  retention: {fake.retention}"
    ]
    for region_state in fake._service.region_states():
        for name, incarnations in region_state.clusters.items():
            for number, cluster in enumerate(incarnations, start=1):
                deleted = (
                    f", deleted {cluster.deleted_at.isoformat()}" if cluster.deleted_at else ""
                )
                lines.append(
                    f"cluster {region_state.region}/{name} #{number} {cluster.status}{deleted}"
                )
                for service in cluster.services.values():
                    lines.append(
                        f"  service {service.name} {service.status} desired "
                        f"{service.desired_count}: "
                        + "; ".join(
                            f"{d.status} {d.id} {d.task_definition.rsplit('/', 1)[-1]} "
                            f"{d.rollout_state}"
                            for d in service.deployments
                        )
                    )
                for task_id in cluster.task_ids:
                    entry = region_state.tasks[task_id]
                    status = entry.last_status(now)
                    lines.append(f"  task {task_id} {status}")
                    if entry.timeline is not None:
                        stages = ", ".join(
                            f"{s} {at.time().isoformat('milliseconds')}"
                            for s, at in entry.timeline.stages
                        )
                        lines.append(f"    timeline: {stages}")
                        if entry.timeline.stop is not None:
                            stop = entry.timeline.stop
                            lines.append(
                                f"    stop: {stop.code} at {stop.requested_at.isoformat()}: {stop.reason}"
                            )
                        for log in entry.logs:
                            lines.append(
                                f"    logs: {log.container} -> {log.region} {log.group} "
                                f"{log.stream} ({len(log.lines)} lines)"
                            )
                    else:
                        lines.append("    added record, served as given")
    feed = fake._service.feed
    if feed.events_total:
        kept = f" (the last {feed.kept} kept; events_limit={feed.limit})"
        lines.append(f"events: {feed.events_total}{kept if feed.events_total > feed.kept else ''}")
    calls = fake.calls
    total = fake._service.calls_total
    kept = f" (the last {len(calls)} kept; calls_limit={fake._service.calls_limit})"
    lines.append(f"calls: {total}{kept if total > len(calls) else ''}")
    for call in calls[-50:]:
        outcome = f"-> {call.error.code}: {call.error.message}" if call.error else "-> ok"
        lines.append(
            f"  {call.at.time().isoformat('seconds')} {call.region} {call.operation} {_brief(call.params)} {outcome}"
        )
    if total > min(len(calls), 50):
        lines.append(f"  ... and {total - min(len(calls), 50)} earlier calls")
    return "\n".join(lines)


def _brief(params: Mapping[str, Any]) -> str:
    text = ", ".join(f"{k}={v!r}" for k, v in params.items())
    return text if len(text) <= 160 else text[:157] + "..."


def unused_faults_message(fake: FakeEcs) -> str | None:
    """What to tell the user about faults injected with ``fail()`` that answered no call."""
    unused = fake._service.faults.unused()
    if not unused:
        return None
    lines = ["These faults were injected with ecs_tasks.fail() but answered no call:"]
    lines += [f"  - {fault}" for fault in unused]
    lines.append(
        "Make the calls they were meant for, drop them, or mark the test with "
        "@pytest.mark.ecs_tasks(assert_all_faults_used=False)."
    )
    return "\n".join(lines)
