"""The boto3 clients the benchmarks measure with, one function per kind.

A user of the fake has two kinds of boto3 client:

* **made inside the fake** (``inside``): ``boto3.client("ecs", ...)`` after the fake
  started. It comes from the default session the fake sets up, whose response
  parser turns epoch timestamps into datetimes with the fake's faster parser
  (same results as botocore's).
* **made before the fake** (``before``): a default client made before the fake
  started (at import time, in a session fixture). Its response parser was bound
  when it was made, so it parses with botocore's own parser, which builds a new
  ``dateutil`` ``tzlocal()`` for every timestamp.

And two floors that never reach ECS: botocore's ``Stubber`` (no wire and no
parsing), and a canned answer at ``before-send`` (serialise, sign and parse still
run: the floor of any boto3 call), parsed like either kind of client.
"""

from __future__ import annotations

from io import BytesIO
from typing import TYPE_CHECKING, Any

import boto3
import botocore.session
from botocore.awsrequest import AWSResponse
from botocore.stub import Stubber
from harness import REGION

from pytest_ecs_tasks import FakeEcs

if TYPE_CHECKING:
    from mypy_boto3_ecs import ECSClient

#: The client kinds, as the page names them.
KINDS = ("inside", "before")
LABEL = {
    "inside": "client made inside the fake",
    "before": "default client made before the fake",
}

JSON_HEADERS = {"Content-Type": "application/x-amz-json-1.1"}
KEY_ID, SECRET = "FOOBARKEY", "FOOBARSECRET"
KEYS = {"aws_access_key_id": KEY_ID, "aws_secret_access_key": SECRET}


def inside_client() -> ECSClient:
    """A client as a test using ``ecs_tasks`` gets one: made while a fake is started,
    in a fresh default session (inside whatever ``mock_aws`` is active)."""
    saved = boto3.DEFAULT_SESSION
    boto3.DEFAULT_SESSION = None
    try:
        with FakeEcs():
            return boto3.client("ecs", region_name=REGION)
    finally:
        boto3.DEFAULT_SESSION = saved


def before_client() -> ECSClient:
    """A default client made while no fake is started: ``boto3.client("ecs")`` in a
    fresh default session, as a module-level client or a session fixture makes it."""
    saved = boto3.DEFAULT_SESSION
    boto3.DEFAULT_SESSION = None
    try:
        return boto3.client("ecs", region_name=REGION)
    finally:
        boto3.DEFAULT_SESSION = saved


def make(kind: str) -> ECSClient:
    return inside_client() if kind == "inside" else before_client()


def stubber_client() -> tuple[ECSClient, Stubber]:
    """A client answered by botocore's ``Stubber`` (it never sends, and never parses)."""
    client = boto3.client(
        "ecs",
        region_name=REGION,
        endpoint_url="http://127.0.0.1:9",  # never used: the Stubber answers before sending
        aws_access_key_id=KEY_ID,
        aws_secret_access_key=SECRET,
    )
    stubber = Stubber(client)
    stubber.activate()
    return client, stubber


# -- the floors: canned answers at before-send --------------------------------------------


class _SyncBody(BytesIO):
    def stream(self, **kwargs: Any) -> Any:
        chunk = self.read()
        if chunk:
            yield chunk


def without_moto(session: Any) -> Any:
    """``session`` with moto's stubber taken out of its ``before-send`` handlers."""
    from moto.core.models import botocore_stubber

    session.unregister("before-send", botocore_stubber)
    return session


def _session(kind: str) -> botocore.session.Session:
    if kind == "inside":  # the session the fake gives boto3.client(): its faster parser
        from pytest_ecs_tasks._transport.moto_bridge import _Sessions

        return _Sessions.botocore_session()
    return botocore.session.Session()


def floor_client(payload: bytes, kind: str = "before") -> ECSClient:
    """A boto3 ECS client whose every call is answered by ``payload`` at before-send,
    parsed as a client of ``kind`` parses (no moto stubber in its session)."""
    session = without_moto(_session(kind))
    client: ECSClient = boto3.Session(botocore_session=session).client(
        "ecs", region_name=REGION, aws_access_key_id=KEY_ID, aws_secret_access_key=SECRET
    )

    def canned(request: Any, **kwargs: Any) -> AWSResponse:
        return AWSResponse(request.url, 200, JSON_HEADERS, _SyncBody(payload))  # type: ignore[arg-type]

    client.meta.events.register("before-send.ecs", canned)  # type: ignore[arg-type]
    return client


def payload(fake: FakeEcs, arns: list[str], cluster: str = "default") -> bytes:
    """The fake's own DescribeTasks answer for ``arns``, as the wire carries it."""
    import json

    from pytest_ecs_tasks._wire import to_wire

    answer = fake._service.handle(
        REGION, "DescribeTasks", {"cluster": cluster, "tasks": arns}, record=False
    )
    return json.dumps(to_wire(answer)).encode("utf-8")
