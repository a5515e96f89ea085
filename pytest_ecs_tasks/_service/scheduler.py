"""The service scheduler of the fake ECS service, on the fake clock.

A service is filed (``core.ServiceCore._file_wake``) under the next moment one of
its tasks changes, or a new task counts as healthy, or a back-off ends. As the clock
passes that moment, ``ServiceScheduler._wake`` reads the service's tasks *at
that moment* (a task's state is a pure function of its timeline and a time) and
acts as the scheduler does then: it counts tasks that failed to start for the
deployment circuit breaker, fails or rolls back a deployment, starts tasks up to the
desired count within ``maximumPercent``, stops old ones while ``minimumHealthyPercent``
allows, completes a deployment, drains a deleted service. Tasks it starts are
ordinary tasks (started at that moment) that follow ``plan_runs`` like RunTask's. So
a clock move costs what the services that change do, never all services stored.

Facts (the ECS developer guide and API reference, as cited where used): a task with
no container health check counts as healthy 40 s after it reaches RUNNING; the
circuit breaker's threshold is half the desired count, rounded up, between 3 and
200; a deployment completes when its tasks run healthy and the older ones are gone.
"""

from __future__ import annotations

import dataclasses
import math
from bisect import bisect_right
from datetime import datetime, timedelta

from .run_task import RunTaskOperations
from .service_state import Deployment, Service
from .state import RegionState, TaskEntry

__all__ = ["HEALTHY_AFTER", "ServiceScheduler", "circuit_breaker_threshold"]

#: "If a task has no essential containers with a health check defined, the service
#: scheduler will wait for 40 seconds after a task reaches a RUNNING state before
#: the task is counted towards the minimum healthy percent total" (API reference,
#: DeploymentConfiguration.minimumHealthyPercent).
HEALTHY_AFTER = timedelta(seconds=40)
#: inferred: without the circuit breaker, the gap before the scheduler tries again
#: after the n-th task in a row failed to start doubles from 10 s up to 15 minutes
#: (the developer guide's "service throttle logic": retries up to 15 minutes apart).
_FIRST_RETRY = timedelta(seconds=10)
_LONGEST_RETRY = timedelta(minutes=15)
_STOPPING_OR_STOPPED = frozenset({"STOPPING", "DEPROVISIONING", "STOPPED"})


def circuit_breaker_threshold(desired: int) -> int:
    """How many tasks in a row may fail to start before the circuit breaker fails a
    deployment: half the desired count, rounded up, at least 3, at most 200 (API
    reference, DeploymentCircuitBreaker; re:Post "ecs-deployment-roll-back-failure")."""
    return min(max(math.ceil(desired / 2), 3), 200)


class ServiceScheduler(RunTaskOperations):
    """Keeps every service's desired count and rolls its deployments, in virtual time."""

    def _wake(self, moment: datetime) -> None:
        service: Service = self._pop_wake()
        region_state = self._region_state(service.cluster.region)
        self._act(region_state, service, moment)
        self._file_wake(service, self._next_moment(region_state, service, moment))

    # -- one service at one moment ---------------------------------------------------

    def _act(self, region_state: RegionState, service: Service, at: datetime) -> None:
        tasks = self._tasks_of(region_state, service, at)
        self._count_failures(service, tasks, at)
        if service.status == "ACTIVE":
            self._check_circuit_breaker(service, at)
        primary = service.primary
        desired = primary.desired_count if service.status == "ACTIVE" else 0
        stopped: list[str] = []
        for entry, deployment in tasks:
            if _active(entry, at) and self._unhealthy(entry, at):
                # a task failing its container health checks is replaced (the developer
                # guide's "(service x) (task y) failed container health checks.")
                service.event(at, f"(task {entry.task_id}) failed container health checks.")
                self._stop(entry, deployment, at, reason="Task failed container health checks")
                stopped.append(entry.task_id)
        mine = [e for e, d in tasks if d is primary and _active(e, at)]
        others = [e for e, d in tasks if d is not primary and _active(e, at)]
        # scale in: the newest tasks of the primary deployment go first (inferred)
        for entry in sorted(mine, key=lambda e: e.order, reverse=True)[
            : max(len(mine) - desired, 0)
        ]:
            self._stop(entry, primary, at)
            stopped.append(entry.task_id)
            mine.remove(entry)
        cap = math.floor(desired * service.maximum_percent / 100)
        floor = math.ceil(desired * service.minimum_healthy_percent / 100)
        started = self._start_tasks(
            region_state, service, primary, at, desired - len(mine), cap - len(mine) - len(others)
        )
        # The new deployment's tasks count once healthy (40 s after RUNNING, or HEALTHY);
        # the older ones while RUNNING (inferred: they were serving before the deploy).
        healthy = sum(1 for e in mine if self._healthy(e, at)) + sum(
            1 for e in others if e.last_status(at) == "RUNNING"
        )
        # old tasks not yet running first (they count for nothing), then running ones
        # while the healthy ones left stay at or above minimumHealthyPercent
        stopped_old = 0
        for entry in sorted(others, key=lambda e: (e.last_status(at) == "RUNNING", e.order)):
            counted = entry.last_status(at) == "RUNNING"
            if counted and healthy - 1 < floor:
                break
            self._stop(entry, service.task_ids[entry.task_id], at)
            stopped.append(entry.task_id)
            stopped_old += 1
            healthy -= counted
        if stopped_old:  # room made: start into it at once
            started += self._start_tasks(
                region_state,
                service,
                primary,
                at,
                desired - len(mine) - started,
                cap - len(mine) - started - (len(others) - stopped_old),
            )
        if stopped:
            tasks_text = " ".join(f"(task {task_id})" for task_id in stopped)
            service.event(at, f"has stopped {len(stopped)} running tasks: {tasks_text}.")
        if (
            not started
            and not stopped_old
            and others
            and len(mine) < desired
            and cap <= len(mine) + len(others)
        ):
            service.event(
                at,
                "was unable to stop or start tasks during a deployment because of the service "
                "deployment configuration. Update the minimumHealthyPercent or maximumPercent "
                "value and try again.",
            )
        self._settle(region_state, service, at)

    def _tasks_of(
        self, region_state: RegionState, service: Service, at: datetime
    ) -> list[tuple[TaskEntry, Deployment]]:
        """The service's tasks not yet gone, with their deployments (tasks stopped for
        good, or forgotten, leave the service's list: each was counted, if it counts,
        when it failed or ran, moments the scheduler woke at before)."""
        found = []
        for task_id, deployment in list(service.task_ids.items()):
            entry = region_state.tasks.get(task_id)
            if entry is None or entry.last_status(at) == "STOPPED":
                del service.task_ids[task_id]
                service.counted.discard(task_id)
                continue
            found.append((entry, deployment))
        return found

    def _count_failures(
        self, service: Service, tasks: list[tuple[TaskEntry, Deployment]], at: datetime
    ) -> None:
        """A deployment's tasks that failed to start count as failures in a row, as the
        start fails ("the task doesn't transition to a RUNNING state", the Deployment
        shape's doc; not tasks the scheduler or a user stopped first); one that runs
        resets the count ("Once a service deployment has one or more successfully
        running tasks, the failed task count resets to zero")."""
        for entry, deployment in tasks:
            if entry.task_id in service.counted:
                continue
            timeline = entry.timeline
            assert timeline is not None
            started = timeline.instants.get("startedAt")
            if started is not None and started <= at:
                deployment.ran = True
                deployment.failed_tasks = 0
                service.counted.add(entry.task_id)
            elif (
                timeline.stop is not None
                and timeline.stop.code == "TaskFailedToStart"
                and timeline.stop.requested_at <= at
            ):
                service.counted.add(entry.task_id)
                if not deployment.ran:
                    deployment.failed_tasks += 1
                    deployment.updated_at = at
                    if not service.circuit_breaker:
                        gap = min(_FIRST_RETRY * 2 ** (deployment.failed_tasks - 1), _LONGEST_RETRY)
                        service.retry_at = at + gap
                        if deployment.failed_tasks >= 3:
                            service.event(at, "is unable to consistently start tasks successfully.")

    def _check_circuit_breaker(self, service: Service, at: datetime) -> None:
        primary = service.primary
        if (
            not service.circuit_breaker
            or primary.rollout_state != "IN_PROGRESS"
            or primary.ran
            or primary.failed_tasks < circuit_breaker_threshold(primary.desired_count)
        ):
            return
        primary.rollout_state = "FAILED"
        primary.rollout_reason = "ECS deployment circuit breaker: tasks failed to start."
        primary.updated_at = at
        service.event(at, f"(deployment {primary.id}) deployment failed: tasks failed to start.")
        if not service.rollback:
            return
        previous = next(
            (d for d in service.deployments[1:] if d.rollout_state == "COMPLETED"), None
        )
        if previous is None:
            return  # nothing to roll back to: "the deployment is stalled"
        service.deployments.remove(previous)
        primary.status = "ACTIVE"
        previous.status = "PRIMARY"
        previous.desired_count = primary.desired_count
        previous.rollout_state = "IN_PROGRESS"
        previous.rollout_reason = (
            f"ECS deployment circuit breaker: rolling back to deploymentId {previous.id}."
        )
        previous.updated_at = at
        previous.failed_tasks = 0
        primary.desired_count = 0
        service.deployments.insert(0, previous)
        service.task_definition = previous.task_definition
        service.event(at, f"rolling back to deployment {previous.id}.")

    def _start_tasks(
        self,
        region_state: RegionState,
        service: Service,
        deployment: Deployment,
        at: datetime,
        wanted: int,
        room: int,
    ) -> int:
        """Start up to ``wanted`` tasks of ``deployment`` (at most ``room``): how many."""
        count = min(wanted, room)
        if count <= 0 or deployment.rollout_state == "FAILED":
            return 0
        if service.retry_at is not None and at < service.retry_at:
            return 0
        request = dataclasses.replace(
            deployment.request, count=1, started_by=deployment.id, group=f"service:{service.name}"
        )
        if (
            request.launch_type in ("EC2", "EXTERNAL")
            and not self._usage(region_state, service.cluster)[1]
        ):
            # the service's own words for it (developer guide, service event messages);
            # inferred: it tries again a minute later
            service.event(
                at,
                "was unable to place a task because no container instance met all of its "
                "requirements. Reason: No Container Instances were found in your cluster.",
            )
            service.retry_at = at + timedelta(minutes=1)
            return 0
        started: list[str] = []
        for index in range(count):
            plan = self._next_plan(request.definition)
            if plan.placement_failure is not None:
                service.event(at, f"was unable to place a task. Reason: {plan.placement_failure}.")
                deployment.failed_tasks += 0 if deployment.ran else 1
                continue
            entry = self._start(
                region_state,
                service.cluster,
                request=request,
                containers=None,
                plan=plan,
                index=index,
                at=at,
            )
            service.task_ids[entry.task_id] = deployment
            started.append(entry.task_id)
        if started:
            tasks = " ".join(f"(task {task_id})" for task_id in started)
            service.event(at, f"has started {len(started)} tasks: {tasks}.")
        return len(started)

    def _stop(
        self, entry: TaskEntry, deployment: Deployment, at: datetime, *, reason: str | None = None
    ) -> None:
        """The scheduler stops ``entry`` at ``at`` (``stopCode`` ServiceSchedulerInitiated;
        the reason names the deployment that started it, inferred from captures)."""
        assert entry.timeline is not None
        entry.timeline = entry.timeline.stopped(
            at,
            "ServiceSchedulerInitiated",
            reason or f"Scaling activity initiated by (deployment {deployment.id})",
        )
        self._restated(entry)  # (its publish waits: the scheduler acts within one)

    def _unhealthy(self, entry: TaskEntry, at: datetime) -> bool:
        """Whether ``entry``'s essential containers' health checks report UNHEALTHY."""
        timeline = entry.timeline
        if (
            timeline is None
            or timeline.containers is None
            or not timeline.containers.health_checked
        ):
            return False
        return entry.describe(at, with_tags=False).get("healthStatus") == "UNHEALTHY"

    def _healthy(self, entry: TaskEntry, at: datetime) -> bool:
        """Whether ``entry`` counts as healthy at ``at``: RUNNING and HEALTHY when its
        containers have health checks, else RUNNING for 40 s."""
        if not _active(entry, at) or entry.last_status(at) != "RUNNING":
            return False
        timeline = entry.timeline
        assert timeline is not None
        if timeline.containers is not None and timeline.containers.health_checked:
            return bool(entry.describe(at, with_tags=False).get("healthStatus") == "HEALTHY")
        started = timeline.instants["startedAt"]
        return at >= started + HEALTHY_AFTER

    def _settle(self, region_state: RegionState, service: Service, at: datetime) -> None:
        """A deployment that has its tasks running healthy, the older ones gone, is
        COMPLETED (and the service at a steady state); a draining service whose tasks
        have all stopped is INACTIVE."""
        tasks = self._tasks_of(region_state, service, at)  # with those _act just started
        if service.status == "DRAINING":
            # "After all tasks have transitioned to either STOPPING or STOPPED status, the
            # service status moves from DRAINING to INACTIVE" (DeleteService's page)
            if all(
                not _active(e, at) and e.last_status(at) in _STOPPING_OR_STOPPED for e, _ in tasks
            ):
                service.status = "INACTIVE"
                service.inactive_at = at
                self._inactive.append(service)  # forgotten once INACTIVE_KEPT has passed
                service.deployments = service.deployments[:1]
            return
        primary = service.primary
        old = [e for e, d in tasks if d is not primary and e.last_status(at) != "STOPPED"]
        mine = [e for e, d in tasks if d is primary and _active(e, at)]
        healthy = sum(1 for e in mine if self._healthy(e, at))
        if old or healthy < primary.desired_count or len(mine) > primary.desired_count:
            return
        if primary.rollout_state == "IN_PROGRESS":
            primary.rollout_state = "COMPLETED"
            primary.rollout_reason = f"ECS deployment {primary.id} completed."
            primary.updated_at = at
            service.event(at, f"(deployment {primary.id}) deployment completed.")
        if len(service.deployments) > 1 and primary.rollout_state != "FAILED":
            for deployment in service.deployments[1:]:
                deployment.status = "INACTIVE"
            service.deployments = service.deployments[:1]
        if primary.rollout_state == "COMPLETED":
            service.event(at, "has reached a steady state.")

    # -- when to act next ---------------------------------------------------------------

    def _next_moment(
        self, region_state: RegionState, service: Service, after: datetime
    ) -> datetime | None:
        """The first moment after ``after`` at which the service may have to act: one of
        its tasks changes, one counts as healthy, a back-off ends."""
        found = (
            service.retry_at if service.retry_at is not None and service.retry_at > after else None
        )
        for task_id in service.task_ids:
            entry = region_state.tasks.get(task_id)
            if entry is None or entry.timeline is None:
                continue
            changes = entry.timeline.changes
            index = bisect_right(changes, after)
            if index < len(changes) and (found is None or changes[index] < found):
                found = changes[index]
            started = entry.timeline.instants.get("startedAt")
            if started is not None:
                healthy_at = started + HEALTHY_AFTER
                if healthy_at > after and (found is None or healthy_at < found):
                    found = healthy_at
        return found

    def _service_changed(self, service: Service) -> None:
        """A request changed ``service`` (created, updated, deleted): the scheduler acts
        on it at once (at the clock's moment)."""
        self._file_wake(service, self.clock.now())
        self.publish()


def _active(entry: TaskEntry, at: datetime) -> bool:
    """Not asked to stop by ``at`` (the scheduler counts it towards its counts)."""
    return entry.desired_status(at) == "RUNNING"
