"""The boto3 clients the benchmarks measure with, one function per kind.

A user of the fake has two kinds of boto3 client:

* **made inside the fake** (``inside``): ``boto3.client("ecs", ...)`` after the fake
  started. It comes from the default session the fake sets up, whose response
  parser turns epoch timestamps into datetimes with the fake's faster parser
  (same results as botocore's).
* **made before the fake** (``before``): a default client made before the fake
  started (at import time, in a session fixture). While a fake is active, the
  parsers botocore creates for it (one per response) get the fake's timestamp
  parser too; outside a fake it parses with botocore's own parser, which builds a
  new ``dateutil`` ``tzlocal()`` for every timestamp.

And two floors that never reach ECS: botocore's ``Stubber`` (no wire and no
parsing), and a canned answer at ``before-send`` (serialise, sign and parse still
run: the floor of any boto3 call), parsed with either timestamp parser (``PARSERS``):
the fake's, as both kinds of client parse while a fake is active, or botocore's
own, as the client made before the fake parses outside it. Each floor's parser is
set on its session, so whether a fake is active when it is called changes nothing.
"""

from __future__ import annotations

from io import BytesIO
from typing import TYPE_CHECKING, Any

import boto3
import botocore.parsers
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

#: The timestamp parsers a floor parses with, as the page names them.
PARSERS = ("fake", "botocore")
PARSER_LABEL = {
    "fake": "the fake's timestamp parser",
    "botocore": "botocore's own timestamp parser",
}


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


def fake_timestamps() -> Any:
    """The fake's timestamp parser (botocore's results, faster)."""
    from pytest_ecs_tasks._transport.moto_bridge import _parse_timestamp

    return _parse_timestamp


def pin_parser(session: Any, parser: str) -> Any:
    """``session`` with its timestamp parser chosen: ``"fake"`` or ``"botocore"``.
    A started fake leaves a chosen parser alone, so a floor parses the same way
    whether a fake is active or not."""
    chosen = fake_timestamps() if parser == "fake" else botocore.parsers.DEFAULT_TIMESTAMP_PARSER
    session.get_component("response_parser_factory").set_parser_defaults(timestamp_parser=chosen)
    return session


def floor_client(payload: bytes, parser: str = "botocore") -> ECSClient:
    """A boto3 ECS client whose every call is answered by ``payload`` at before-send,
    parsed with ``parser``'s timestamps (no moto stubber in its session)."""
    session = without_moto(pin_parser(botocore.session.Session(), parser))
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
