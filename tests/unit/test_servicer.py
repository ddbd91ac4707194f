"""provider/tfext/servicer.py in process, the way the `tf` framework tests its own servicer: a tiny provider
with one resource and one data source, the RPC methods called with tfplugin protobuf requests, and the answer's
diagnostics and states read back. No Terraform, no sockets.

What a user would notice: an exception escaping the provider's code is an error diagnostic naming the failure,
never a raw gRPC error, and a failed apply or read leaves the state as it was; plans on create go through the
resource; destroy plans pass; a resource can ask for a replacement."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from unittest import mock

import grpc
import pytest
from tf.gen import tfplugin_pb2 as pb
from tf.iface import (
    Config,
    CreateContext,
    DataSource,
    DeleteContext,
    ImportContext,
    Provider,
    ReadContext,
    ReadDataContext,
    Resource,
    State,
    UpdateContext,
    UpgradeContext,
)
from tf.provider import ProviderServicer
from tf.schema import Attribute, Schema
from tf.types import Number, String, Unknown
from tf.utils import Diagnostics, read_dynamic_value, to_dynamic_value

from provider.tfext.context import ResourcePlanContext
from provider.tfext.servicer import GoGetSSLServicer

BOOM = "boom"  # a name that makes every method of the fakes raise


class Exploded(RuntimeError):
    pass


def _check(value: Any, where: str) -> None:
    if value == BOOM:
        raise Exploded(f"{where} exploded")


class Widget(Resource):
    """`name` replaces the widget when changed; `size` is changed in place, but shrinking it replaces too (a rule
    on two values, through ctx.requires_replace); `serial` is computed, known at plan on create."""

    @classmethod
    def get_name(cls) -> str:
        return "widget"

    @classmethod
    def get_schema(cls) -> Schema:
        return Schema(version=2, attributes=[
            Attribute("name", String(), required=True, requires_replace=True),
            Attribute("size", Number(), optional=True),
            Attribute("id", String(), computed=True),
            Attribute("serial", Number(), computed=True),
        ])

    def __init__(self, provider: FakeProvider):
        self.provider = provider

    def plan(self, ctx: Any, current: State | None, planned: State) -> State:
        _check(planned["name"], "plan")
        self.provider.plans.append(ctx)
        if current is None:
            planned["serial"] = 7
        elif isinstance(planned["size"], (int, float)) and planned["size"] < current["size"]:
            ctx.requires_replace.append("size")
        return planned

    def create(self, ctx: CreateContext, planned: State) -> State:
        _check(planned["name"], "create")
        return {**planned, "id": "w-1"}

    def read(self, ctx: ReadContext, current: State) -> State:
        _check(current["name"], "read")
        return current

    def update(self, ctx: UpdateContext, current: State, planned: State) -> State:
        _check(planned["name"], "update")
        return planned

    def delete(self, ctx: DeleteContext, current: State) -> None:
        _check(current["name"], "delete")

    def import_(self, ctx: ImportContext, id: str) -> State:
        _check(id, "import")
        return {"name": id, "size": 1, "id": id, "serial": 1}

    def upgrade(self, ctx: UpgradeContext, version: int, old: State) -> State:
        _check(old.get("name"), "upgrade")
        return {**old, "serial": old.get("serial", 0)}


class Gauge(DataSource):
    @classmethod
    def get_name(cls) -> str:
        return "gauge"

    @classmethod
    def get_schema(cls) -> Schema:
        return Schema(attributes=[Attribute("name", String(), required=True),
                                  Attribute("level", Number(), computed=True)])

    def __init__(self, provider: FakeProvider):
        pass

    def read(self, ctx: ReadDataContext, config: Config) -> State:
        _check(config["name"], "read of the data source")
        return {"name": config["name"], "level": 3}


class FakeProvider(Provider):
    def __init__(self) -> None:
        self.plans: list[Any] = []

    def get_model_prefix(self) -> str:
        return "fake_"

    def full_name(self) -> str:
        return "example.com/test/fake"

    def get_provider_schema(self, diags: Diagnostics) -> Schema:
        return Schema(attributes=[Attribute("token", String(), optional=True, sensitive=True)])

    def validate_config(self, diags: Diagnostics, config: Config) -> None:
        _check(config.get("token"), "validate_config")

    def configure_provider(self, diags: Diagnostics, config: Config) -> None:
        _check(config.get("token"), "configure_provider")

    def get_data_sources(self) -> list[type[DataSource]]:
        return [Gauge]

    def get_resources(self) -> list[type[Resource]]:
        return [Widget]


def widget(name: str = "w", size: Any = 2, id: Any = "w-1", serial: Any = 7) -> dict[str, Any]:
    return {"name": name, "size": size, "id": id, "serial": serial}


@pytest.fixture
def app() -> FakeProvider:
    return FakeProvider()


@pytest.fixture
def servicer(app: FakeProvider) -> GoGetSSLServicer:
    return GoGetSSLServicer(app)


@pytest.fixture
def context() -> Iterator[mock.Mock]:
    """A gRPC context; the servicer must answer, never abort the call or set an error status on it."""
    ctx = mock.Mock(spec=grpc.ServicerContext)
    yield ctx
    ctx.abort.assert_not_called()
    ctx.abort_with_status.assert_not_called()
    ctx.set_code.assert_not_called()


def errors(response: Any) -> list[pb.Diagnostic]:
    return [d for d in response.diagnostics if d.severity == pb.Diagnostic.ERROR]


def the_internal_error(response: Any, rpc: str, where: str) -> pb.Diagnostic:
    (error,) = response.diagnostics
    assert error.severity == pb.Diagnostic.ERROR
    assert error.summary == "Internal error in the GoGetSSL provider"
    assert f"{rpc} failed with Exploded: {where} exploded. State was left unchanged." in error.detail
    assert "Traceback" not in error.detail
    return error


def apply(prior: dict[str, Any] | None, planned: dict[str, Any] | None) -> pb.ApplyResourceChange.Request:
    return pb.ApplyResourceChange.Request(type_name="fake_widget", prior_state=to_dynamic_value(prior),
                                          planned_state=to_dynamic_value(planned), config=to_dynamic_value(planned))


def plan(prior: dict[str, Any] | None, proposed: dict[str, Any] | None) -> pb.PlanResourceChange.Request:
    return pb.PlanResourceChange.Request(type_name="fake_widget", prior_state=to_dynamic_value(prior),
                                         proposed_new_state=to_dynamic_value(proposed),
                                         config=to_dynamic_value(proposed))


# -- an escaped exception is an error diagnostic, and a failed apply or read keeps the state --

def test_an_exception_in_create_is_an_error_diagnostic_not_a_grpc_error(servicer, app, context):
    request = apply(None, widget(BOOM, id=Unknown))
    with pytest.raises(Exploded):  # what the framework alone does: the exception reaches gRPC
        ProviderServicer(app).ApplyResourceChange(request, context)

    response = servicer.ApplyResourceChange(request, context)

    the_internal_error(response, "ApplyResourceChange", "create")
    assert read_dynamic_value(response.new_state) is None, "nothing was created: nothing enters the state"


def test_an_exception_in_update_leaves_the_prior_state(servicer, context):
    prior = widget("w", size=2)
    response = servicer.ApplyResourceChange(apply(prior, widget(BOOM, size=3)), context)
    the_internal_error(response, "ApplyResourceChange", "update")
    assert response.new_state == to_dynamic_value(prior)


def test_an_exception_in_delete_keeps_the_resource_in_state(servicer, context):
    prior = widget(BOOM)
    response = servicer.ApplyResourceChange(apply(prior, None), context)
    the_internal_error(response, "ApplyResourceChange", "delete")
    assert read_dynamic_value(response.new_state) == prior, "a failed destroy must not forget the resource"


def test_an_exception_in_read_leaves_the_current_state(servicer, context):
    current = widget(BOOM)
    request = pb.ReadResource.Request(type_name="fake_widget", current_state=to_dynamic_value(current))
    response = servicer.ReadResource(request, context)
    the_internal_error(response, "ReadResource", "read")
    assert response.new_state == request.current_state


def test_an_exception_in_import_imports_nothing(servicer, context):
    response = servicer.ImportResourceState(pb.ImportResourceState.Request(type_name="fake_widget", id=BOOM),
                                            context)
    the_internal_error(response, "ImportResourceState", "import")
    assert list(response.imported_resources) == []


def test_an_exception_in_plan_is_an_error_diagnostic(servicer, context):
    response = servicer.PlanResourceChange(plan(widget("w"), widget(BOOM)), context)
    the_internal_error(response, "PlanResourceChange", "plan")


@pytest.mark.parametrize("rpc, request_, where", [
    ("ValidateProviderConfig", pb.ValidateProviderConfig.Request(config=to_dynamic_value({"token": BOOM})),
     "validate_config"),
    ("ConfigureProvider", pb.ConfigureProvider.Request(config=to_dynamic_value({"token": BOOM})),
     "configure_provider"),
    ("ReadDataSource", pb.ReadDataSource.Request(type_name="fake_gauge", config=to_dynamic_value({"name": BOOM})),
     "read of the data source"),
    ("UpgradeResourceState", pb.UpgradeResourceState.Request(
        type_name="fake_widget", version=1, raw_state=pb.RawState(json=b'{"name": "boom"}')), "upgrade"),
], ids=["ValidateProviderConfig", "ConfigureProvider", "ReadDataSource", "UpgradeResourceState"])
def test_an_exception_in_any_other_call_is_an_error_diagnostic(servicer, context, rpc, request_, where):
    the_internal_error(getattr(servicer, rpc)(request_, context), rpc, where)


def test_a_call_that_works_is_answered_as_the_framework_answers_it(servicer, app, context):
    request = apply(None, widget("w", id=Unknown, serial=7))
    response = servicer.ApplyResourceChange(request, context)
    # in its protocol 6.10 shape, the same message on the wire (this type declares no identity)
    framework = ProviderServicer(app).ApplyResourceChange(request, context)
    assert response.SerializeToString() == framework.SerializeToString()
    assert errors(response) == [] and read_dynamic_value(response.new_state) == widget("w")


# -- the framework's planning gaps --

def test_a_create_plan_goes_through_the_resource(servicer, app, context):
    proposed = widget("w", size=2, id=None, serial=None)
    framework = ProviderServicer(app).PlanResourceChange(plan(None, proposed), context)
    assert read_dynamic_value(framework.planned_state)["serial"] is Unknown  # the framework never asks

    response = servicer.PlanResourceChange(plan(None, proposed), context)

    assert errors(response) == []
    assert read_dynamic_value(response.planned_state) == {"name": "w", "size": 2, "id": Unknown, "serial": 7}
    (ctx,) = app.plans
    assert isinstance(ctx, ResourcePlanContext) and ctx.is_create and ctx.config == proposed


def test_a_destroy_plan_passes(servicer, app, context):
    request = plan(widget("w"), None)
    assert errors(ProviderServicer(app).PlanResourceChange(request, context))  # the framework refuses it

    response = servicer.PlanResourceChange(request, context)

    assert list(response.diagnostics) == []
    assert read_dynamic_value(response.planned_state) is None and app.plans == []


@pytest.mark.parametrize("proposed, replace", [
    (widget("w", size=3), []),  # grown in place
    (widget("w", size=1), [["size"]]),  # shrunk: the resource asks for a replacement
    (widget("v", size=2), [["name"]]),  # requires_replace on the attribute
], ids=["in-place", "resource-decides", "attribute-decides"])
def test_replacement_is_decided_by_the_attribute_or_the_resource(servicer, context, proposed, replace):
    response = servicer.PlanResourceChange(plan(widget("w", size=2), proposed), context)
    assert errors(response) == []
    assert [[step.attribute_name for step in path.steps] for path in response.requires_replace] == replace
    assert read_dynamic_value(response.planned_state) == proposed


# -- secrets --

def test_a_secret_in_an_escaped_exception_reaches_neither_the_diagnostic_nor_stderr(servicer, context, capfd):
    """A bug that puts the password into an exception must not print it: not in the diagnostic Terraform shows,
    not on stderr (which Terraform writes to its log)."""
    from provider.logs import REDACTOR

    secret = "pw-Sup3rSecret-7731"
    REDACTOR.add_secret(secret)
    request = apply(widget("w", size=2), widget(BOOM, size=3))
    with mock.patch.object(Widget, "update", side_effect=Exploded(f"update exploded with password {secret}")):
        response = servicer.ApplyResourceChange(request, context)

    (error,) = errors(response)
    assert "update exploded with password" in error.detail and secret not in error.detail
    out, err = capfd.readouterr()
    assert secret not in out + err
