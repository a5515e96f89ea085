"""Service operations of the fake ECS service: CreateService, UpdateService,
DescribeServices, ListServices, DeleteService. The scheduler that keeps services
(``scheduler.py``) acts on each change at once, and then as the clock moves.

Messages are the service's where a public source quotes them (cited in place);
"inferred" marks those no source settles.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from . import paging
from .errors import EcsError
from .scheduler import ServiceScheduler
from .service_state import INACTIVE_KEPT, Deployment, Service, new_deployment_id, service_arn
from .state import Cluster, RegionState
from .tags import checked_tags

__all__ = ["ServiceOperations"]

_NAME = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
#: What a service's task launch takes from CreateService / UpdateService, as RunTask names it.
_LAUNCH = (
    "launchType",
    "capacityProviderStrategy",
    "platformVersion",
    "networkConfiguration",
    "enableExecuteCommand",
    "enableECSManagedTags",
)
#: UpdateService changes that start a new deployment ("desiredCount and
#: deploymentConfiguration don't trigger a new service deployment", UpdateService's page).
_DEPLOYS = ("taskDefinition", "networkConfiguration", "platformVersion", "capacityProviderStrategy")


def _invalid(message: str) -> EcsError:
    return EcsError("InvalidParameterException", message)


class ServiceOperations(ServiceScheduler):
    """Services: created, updated, described, listed and deleted."""

    # -- CreateService -----------------------------------------------------------------

    def create_service(self, region_state: RegionState, params: dict[str, Any]) -> dict[str, Any]:
        cluster = self._cluster(region_state, params.get("cluster"), active=True)
        name = params["serviceName"]
        if not _NAME.match(name):
            # inferred text, the model's rule
            raise _invalid(
                "serviceName can have up to 255 letters (uppercase and lowercase), numbers, "
                "underscores, and hyphens."
            )
        for key, what in (("schedulingStrategy", "REPLICA"), ("deploymentController", "ECS")):
            value = params.get(key)
            value = value.get("type") if isinstance(value, Mapping) else value
            if value not in (None, what):
                raise EcsError(
                    "UnsupportedFeatureException",
                    f"pytest-ecs-tasks serves {key} {what} only, not {value}.",
                )
        existing = cluster.services.get(name)
        token = params.get("clientToken")
        if existing is not None and existing.status != "INACTIVE":
            if token is not None and existing.client_token == token:
                return {"service": self._service_record(existing)}  # a retry: same answer
            # terraform-provider-aws#2283 and others quote it
            raise _invalid("Creation of service was not idempotent.")
        desired = params.get("desiredCount")
        if desired is None:
            raise _invalid("desiredCount is required for a service with the REPLICA strategy.")
        _check_count(desired)
        if "taskDefinition" not in params:
            raise _invalid("taskDefinition is required for the ECS deployment controller.")
        configuration = params.get("deploymentConfiguration") or {}
        minimum, maximum, breaker, rollback = _deployment_configuration(configuration, {})
        now = self.clock.now()
        request, definition_arn = self._launch(region_state, cluster, params)
        service = Service(
            name=name,
            cluster=cluster,
            created_at=now,
            desired_count=desired,
            task_definition=definition_arn,
            launch_type=request.launch_type if not params.get("capacityProviderStrategy") else None,
            minimum_healthy_percent=minimum,
            maximum_percent=maximum,
            circuit_breaker=breaker,
            rollback=rollback,
            params={k: params[k] for k in _LAUNCH if k in params},
            tags=checked_tags(list(params.get("tags") or [])),
            client_token=token,
        )
        service.deployments.append(self._deployment(service, request, definition_arn, desired, now))
        cluster.services[name] = service
        self._service_changed(service)
        return {"service": self._service_record(service)}

    def _launch(
        self, region_state: RegionState, cluster: Cluster, params: Mapping[str, Any]
    ) -> tuple[Any, str]:
        """The service's task launch checked as RunTask checks it: the request its
        tasks start from, and its task definition's ARN."""
        run = {k: params[k] for k in _LAUNCH if k in params}
        run["taskDefinition"] = params["taskDefinition"]
        # (no container instance check: a service with nowhere to place its tasks is
        # created, and its scheduler says it was unable to place them)
        request = self._read(region_state, cluster, run)
        return request, str(request.definition.get("taskDefinitionArn") or params["taskDefinition"])

    def _deployment(
        self, service: Service, request: Any, definition: str, desired: int, now: datetime
    ) -> Deployment:
        draw = int(self.task_parts.new_task_id(), 16)
        deployment = Deployment(
            id=new_deployment_id(draw),
            task_definition=definition,
            desired_count=desired,
            created_at=now,
            updated_at=now,
            request=request,
        )
        deployment.rollout_reason = f"ECS deployment {deployment.id} in progress."
        return deployment

    # -- UpdateService -----------------------------------------------------------------

    def update_service(self, region_state: RegionState, params: dict[str, Any]) -> dict[str, Any]:
        cluster = self._cluster(region_state, params.get("cluster"))
        service = self._named_service(cluster, params["service"])
        if service.status != "ACTIVE":
            # "You can't update a service that's inactive" (UpdateService's page); the
            # message as clients that handle it match it
            raise EcsError("ServiceNotActiveException", "Service was not ACTIVE.")
        desired = params.get("desiredCount")
        if desired is not None:
            _check_count(desired)
        configuration = params.get("deploymentConfiguration")
        if configuration is not None:
            current = {
                "minimumHealthyPercent": service.minimum_healthy_percent,
                "maximumPercent": service.maximum_percent,
                "deploymentCircuitBreaker": {
                    "enable": service.circuit_breaker,
                    "rollback": service.rollback,
                },
            }
            found = _deployment_configuration(configuration, current)
        deploys = bool(params.get("forceNewDeployment")) or any(
            key in params and params[key] != service.params.get(key, None)
            for key in _DEPLOYS
            if key != "taskDefinition"
        )
        launch = {**service.params, **{k: params[k] for k in _LAUNCH if k in params}}
        launch["taskDefinition"] = params.get("taskDefinition") or service.task_definition
        request = None
        if "taskDefinition" in params or deploys:
            request, definition = self._launch(region_state, cluster, launch)
            deploys = deploys or definition != service.task_definition
        now = self.clock.now()
        if configuration is not None:
            (
                service.minimum_healthy_percent,
                service.maximum_percent,
                service.circuit_breaker,
                service.rollback,
            ) = found
        if desired is not None:
            service.desired_count = desired
            service.primary.desired_count = desired
            service.primary.updated_at = now
        if deploys and request is not None:
            old = service.primary
            old.status = "ACTIVE"
            old.desired_count = 0  # "the old ACTIVE deployment drops to desiredCount 0" (observed)
            old.updated_at = now
            service.params = {k: launch[k] for k in _LAUNCH if k in launch}
            service.task_definition = definition
            service.retry_at = None
            new = self._deployment(service, request, definition, service.desired_count, now)
            service.deployments.insert(0, new)
        self._service_changed(service)
        return {"service": self._service_record(service)}

    # -- DescribeServices, ListServices ----------------------------------------------------

    def describe_services(
        self, region_state: RegionState, params: dict[str, Any]
    ) -> dict[str, Any]:
        cluster = self._cluster(region_state, params.get("cluster"))
        names = params.get("services") or []
        if not names:
            raise _invalid("Services cannot be empty.")  # inferred text
        if len(names) > 10:
            raise _invalid("services can have at most 10 items.")  # inferred text
        with_tags = "TAGS" in (params.get("include") or [])
        services, failures = [], []
        for ref in names:
            service = self._find_service(cluster, ref)
            if service is None:
                arn = ref if ref.startswith("arn:") else service_arn(cluster, ref)
                failures.append({"arn": arn, "reason": "MISSING"})
            else:
                services.append(self._service_record(service, with_tags=with_tags))
        return {"services": services, "failures": failures}

    def list_services(self, region_state: RegionState, params: dict[str, Any]) -> dict[str, Any]:
        # inferred: a deleted cluster has no services to list (ClusterNotFoundException)
        cluster = self._cluster(region_state, params.get("cluster"), active=True)
        # without maxResults, up to 10 a page (ListServices' page)
        limit, after = paging.read_page_request({"maxResults": 10, **params}, "ListServices")
        launch_type = params.get("launchType")
        listed = (
            (index, service.arn)
            for index, service in enumerate(cluster.services.values(), start=1)
            if index > after
            # DRAINING and INACTIVE services are not listed (DeleteService's page)
            and service.status == "ACTIVE"
            and (launch_type is None or service.launch_type == launch_type)
        )
        page, token = paging.take_page(listed, limit, "ListServices")
        answer: dict[str, Any] = {"serviceArns": page}
        if token:
            answer["nextToken"] = token
        return answer

    # -- DeleteService -------------------------------------------------------------------

    def delete_service(self, region_state: RegionState, params: dict[str, Any]) -> dict[str, Any]:
        cluster = self._cluster(region_state, params.get("cluster"))
        service = self._named_service(cluster, params["service"])
        if service.status == "ACTIVE":
            if service.desired_count > 0 and not params.get("force"):
                # the service's text (reported by many; moto words it so too)
                raise _invalid("The service cannot be stopped while it is scaled above 0.")
            service.status = "DRAINING"
            service.desired_count = 0
            service.primary.desired_count = 0
            self._service_changed(service)
        return {"service": self._service_record(service)}

    # -- lookups and records ---------------------------------------------------------------

    def _find_service(self, cluster: Cluster, ref: object) -> Service | None:
        if not isinstance(ref, str) or not ref:
            raise _invalid("service must be a service name or ARN.")  # inferred text
        name = ref.rpartition("/")[2] if ref.startswith("arn:") else ref
        service = cluster.services.get(name)
        if service is None or (ref.startswith("arn:") and service.arn != ref):
            return None
        if (
            service.inactive_at is not None
            and self.clock.now() - service.inactive_at > INACTIVE_KEPT
        ):
            return None
        return service

    def _named_service(self, cluster: Cluster, ref: object) -> Service:
        service = self._find_service(cluster, ref)
        if service is None:
            raise EcsError("ServiceNotFoundException", "Service not found.")
        return service

    def _service_record(self, service: Service, *, with_tags: bool = False) -> dict[str, Any]:
        now = self.clock.now()
        region_state = self._region_state(service.cluster.region)
        by_deployment: dict[int, list[Any]] = {}
        for task_id, deployment in service.task_ids.items():
            entry = region_state.tasks.get(task_id)
            if entry is not None:
                by_deployment.setdefault(id(deployment), []).append(entry)
        deployments = [
            d.record(by_deployment.get(id(d), []), now, service) for d in service.deployments
        ]
        record: dict[str, Any] = {
            "serviceArn": service.arn,
            "serviceName": service.name,
            "clusterArn": service.cluster.arn,
            "loadBalancers": list(service.params.get("loadBalancers") or []),
            "serviceRegistries": [],
            "status": service.status,
            "desiredCount": service.desired_count,
            "runningCount": sum(d["runningCount"] for d in deployments),
            "pendingCount": sum(d["pendingCount"] for d in deployments),
            "taskDefinition": service.task_definition,
            "deploymentConfiguration": {
                "deploymentCircuitBreaker": {
                    "enable": service.circuit_breaker,
                    "rollback": service.rollback,
                },
                "maximumPercent": service.maximum_percent,
                "minimumHealthyPercent": service.minimum_healthy_percent,
            },
            "deployments": deployments,
            "events": [e.record() for e in reversed(service.events)],
            "createdAt": service.created_at,
            "placementConstraints": [],
            "placementStrategy": [],
            "schedulingStrategy": "REPLICA",
            "deploymentController": {"type": "ECS"},
            "createdBy": f"arn:aws:iam::{service.cluster.account_id}:root",
            "enableECSManagedTags": bool(service.params.get("enableECSManagedTags")),
            "propagateTags": "NONE",
            "enableExecuteCommand": bool(service.params.get("enableExecuteCommand")),
        }
        record.update(service.launch_details())
        if with_tags:
            record["tags"] = [dict(t) for t in service.tags]
        return record


#: The most tasks a service may want: the "Tasks per service" quota (5,000; Amazon
#: ECS service quotas page).
MAX_DESIRED = 5000


def _check_count(desired: object) -> None:
    if not isinstance(desired, int) or isinstance(desired, bool) or desired < 0:
        # inferred text: the service answers a 400 for a negative count
        raise _invalid("desiredCount must be 0 or more.")
    if desired > MAX_DESIRED:
        # inferred text: the quota's rule, worded as the count's
        raise _invalid(f"desiredCount must be at most {MAX_DESIRED} (tasks per service).")


def _deployment_configuration(
    given: Mapping[str, Any], current: Mapping[str, Any]
) -> tuple[int, int, bool, bool]:
    """(minimumHealthyPercent, maximumPercent, circuit breaker, rollback), checked;
    the defaults are 100 and 200 (the DeploymentConfiguration shape's doc)."""
    minimum = given.get("minimumHealthyPercent", current.get("minimumHealthyPercent", 100))
    maximum = given.get("maximumPercent", current.get("maximumPercent", 200))
    breaker = given.get("deploymentCircuitBreaker", current.get("deploymentCircuitBreaker")) or {}
    if not 0 <= minimum <= 100:
        raise _invalid("minimumHealthyPercent must be between 0 and 100.")  # inferred text
    if maximum < minimum:
        # inferred text: no rollout could keep both bounds
        raise _invalid("maximumPercent must be at least minimumHealthyPercent.")
    return minimum, maximum, bool(breaker.get("enable")), bool(breaker.get("rollback"))
