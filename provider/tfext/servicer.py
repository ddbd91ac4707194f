"""A `ProviderServicer` subclass that fills five gaps of the `tf` framework (1.2.0).

1. Plans on create and destroy. The framework only lets a resource see update plans, and
   would answer a destroy plan with an error (Terraform sends them once `plan_destroy` is
   announced, which this servicer does). Here `Resource.plan()` runs for creates too (prior is None),
   and destroy plans are passed through, after a resource's optional `plan_destroy(diags, prior)`
   has said what destroying will do.
2. Replacement decided by the resource. `requires_replace` on an attribute compares values
   with the attribute type's `semantically_equal`; a resource can add paths through
   `ctx.requires_replace` (for rules that depend on more than one value).
3. Protocol 6.10's resource identity and list resources (provider/tfext/protocol610.py), for `terraform
   query` and imports by identity: identities are added to the answers of Read, Plan, Apply and Import, and
   the new RPCs (GetResourceIdentitySchemas, UpgradeResourceIdentity, ListResource,
   ValidateListResourceConfig, GenerateResourceConfig) are served; so are actions (Terraform 1.14+:
   ValidateActionConfig, PlanAction, and InvokeAction's stream of progress lines ending in the diagnostics).
4. Function errors that name the argument. A function raises `FunctionArgumentError(index, text)`, which
   becomes the protocol's FunctionError with `function_argument` set, so Terraform says which parameter was
   refused; any other exception becomes a redacted internal error, never the exception's bare text.
5. No raw gRPC errors. An exception escaping any RPC becomes an error diagnostic, and a
   failed apply or read returns the prior state untouched, so state is never corrupted. Its text
   is redacted (provider.logs.REDACTOR) and it is logged through logging, never printed: the
   framework's own wrapper prints tracebacks straight to stderr, past the redaction, so the
   framework's methods are called unwrapped.

provider/tfext/serve.py serves it (the framework's runner is not used).
"""

from __future__ import annotations

import functools
import logging
import traceback
from collections.abc import Callable
from copy import deepcopy
from typing import Any

import grpc
from tf.function import CallContext
from tf.gen import tfplugin_pb2 as pb
from tf.provider import ProviderServicer, _decode_state, _encode_state
from tf.utils import Diagnostics, _to_attribute_path, read_dynamic_value, to_dynamic_value

from provider.client.safety import printable
from provider.logs import REDACTOR
from provider.tfext.context import ResourcePlanContext
from provider.tfext.proto import tfplugin6_10_pb2 as pb610
from provider.tfext.protocol610 import IdentitySchema, read_identity, read_raw_identity

log = logging.getLogger("gogetssl.provider")
#: the longest progress line an action shows (a vendor's message is cut to 1000 characters before it)
MAX_PROGRESS_LINE = 1200


class FunctionArgumentError(ValueError):
    """A provider function's refusal of one argument (its 0-based `index`); `text` says what is wrong and what
    is accepted. Terraform prefixes it with the parameter's name ("Invalid value for "csr" parameter: ...")."""

    def __init__(self, index: int, text: str) -> None:
        super().__init__(text)
        self.index = index
        self.text = text


def _progress_line(line: str) -> str:
    """An action's progress line as Terraform may print it: secrets redacted, one line of plain text (what came from
    the vendor, an approver address or a domain among it, can carry escape sequences or line breaks), cut short."""
    flat = " ".join(printable(REDACTOR.redact(line), lines=False).split())
    return flat[:MAX_PROGRESS_LINE] + ("…" if len(flat) > MAX_PROGRESS_LINE else "")


def _internal_error(diags: Diagnostics, rpc: str, exc: Exception, outcome: str = "") -> Diagnostics:
    """Log an exception that escaped an RPC (redacted) and add the error diagnostic users see for it."""
    log.error("%s failed:\n%s", rpc, REDACTOR.redact("".join(traceback.format_exception(exc))))
    return diags.add_error(
        "Internal error in the GoGetSSL provider",
        f"{rpc} failed with {type(exc).__name__}: {REDACTOR.redact(str(exc))}. {outcome}This is a bug in the "
        "provider: please report it with the log of a run with TF_LOG=DEBUG.")


def _safe(response_cls: Any, keep_state_field: tuple[str, str] | None = None) -> Callable[[Any], Any]:
    """Turn an exception escaping an RPC into an error diagnostic (and keep prior state)."""

    def wrap(method: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(method)
        def inner(self: Any, request: Any, context: grpc.ServicerContext) -> Any:
            try:
                return method(self, request, context)
            except Exception as exc:
                diags = _internal_error(Diagnostics(), method.__name__, exc, "State was left unchanged. ")
                kwargs: dict[str, Any] = {"diagnostics": diags.to_pb()}
                if keep_state_field:
                    out_field, in_field = keep_state_field
                    kwargs[out_field] = getattr(request, in_field)
                return response_cls(**kwargs)

        return inner

    return wrap


def _framework(method: Callable[..., Any]) -> Callable[..., Any]:
    """The framework's RPC method without its `_log_errors` wrapper (which prints tracebacks to stderr)."""
    return getattr(method, "__wrapped__", method)


class GoGetSSLServicer(ProviderServicer):
    @_safe(pb610.GetProviderSchema.Response)
    def GetProviderSchema(self, request: Any, context: grpc.ServicerContext) -> Any:
        # Announce plan_destroy, so that Terraform plans destroys through PlanResourceChange (and a resource
        # can say there what destroying will do); the framework's answer announces no capability.
        response = _newer(pb610.GetProviderSchema.Response,
                          _framework(ProviderServicer.GetProviderSchema)(self, request, context))
        response.server_capabilities.plan_destroy = True
        for type_name, klass in self._list_classes().items():
            response.list_resource_schemas[type_name].CopyFrom(klass.get_schema().to_pb())
        for type_name, klass in self._action_classes().items():
            response.action_schemas[type_name].schema.CopyFrom(klass.get_schema().to_pb())
        return response

    # -- identity --
    def _identity(self, type_name: str) -> IdentitySchema | None:
        return getattr(self._get_res_cls(type_name), "IDENTITY", None)

    def _add_identity(self, response: Any, type_name: str, state_field: str, identity_field: str) -> Any:
        """`response` (a 6.10 message) with the identity of the state it carries, if the type has identities."""
        schema = self._identity(type_name)
        if schema is not None and response.HasField(state_field):
            data = schema.data(schema.of(read_dynamic_value(getattr(response, state_field))))
            if data is not None:
                getattr(response, identity_field).CopyFrom(data)
        return response

    @_safe(pb610.GetResourceIdentitySchemas.Response)
    def GetResourceIdentitySchemas(self, request: Any, context: grpc.ServicerContext) -> Any:
        schemas = {name: klass.IDENTITY.to_pb() for name, klass in self._load_res_cls_map().items()
                   if getattr(klass, "IDENTITY", None) is not None}
        return pb610.GetResourceIdentitySchemas.Response(identity_schemas=schemas)

    @_safe(pb610.UpgradeResourceIdentity.Response)
    def UpgradeResourceIdentity(self, request: Any, context: grpc.ServicerContext) -> Any:
        schema = self._identity(request.type_name)
        identity = read_raw_identity(request.raw_identity)
        if schema is None or request.version != schema.version or identity is None:
            diags = Diagnostics().add_error(
                "Unexpected resource identity",
                f"{request.type_name}: no upgrade known for an identity of version {request.version}.")
            return pb610.UpgradeResourceIdentity.Response(diagnostics=diags.to_pb())
        return pb610.UpgradeResourceIdentity.Response(upgraded_identity=schema.data(identity))

    @_safe(pb610.PlanResourceChange.Response)
    def PlanResourceChange(self, request: pb.PlanResourceChange.Request, context: grpc.ServicerContext) -> Any:
        response = _newer(pb610.PlanResourceChange.Response, self._plan(request))
        return self._add_identity(response, request.type_name, "planned_state", "planned_identity")

    def _plan(self, request: pb.PlanResourceChange.Request) -> Any:
        type_name = request.type_name
        diags = Diagnostics()
        attrs = self._get_res_attrs(type_name)
        blocks = self._get_res_blocks(type_name)
        _, prior = _decode_state(diags, attrs, blocks, request.prior_state)
        proposed_enc, proposed = _decode_state(diags, attrs, blocks, request.proposed_new_state)
        _, config = _decode_state(diags, attrs, blocks, request.config)
        if diags.has_errors():
            return pb.PlanResourceChange.Response(diagnostics=diags.to_pb())

        inst = self.app.new_resource(self._get_res_cls(type_name))
        if proposed is None:  # destroy: nothing to shape; a resource may say what destroying will do
            plan_destroy = getattr(inst, "plan_destroy", None)
            if prior is not None and plan_destroy is not None:
                plan_destroy(diags, prior)
            return pb.PlanResourceChange.Response(planned_state=request.proposed_new_state,
                                                  diagnostics=diags.to_pb())

        if prior is None:
            planned: dict[str, Any] = {}
            for k, v in proposed.items():
                if k in blocks or v is not None:
                    planned[k] = v
                else:
                    # Terraform wants unset non-computed attributes planned as null, computed ones
                    # as their default (Unknown unless the schema says otherwise).
                    planned[k] = attrs[k].default if attrs[k].computed else None
            ctx = ResourcePlanContext(diags, type_name, changed_fields=set(planned), config=config or {},
                                      is_create=True)
            result = inst.plan(ctx, None, planned)
            return pb.PlanResourceChange.Response(
                planned_state=_encode_state(attrs, blocks, result, proposed_enc),
                diagnostics=diags.to_pb(),
            )

        changed = {
            k for k in set(proposed) & set(prior) & set(attrs)
            if not attrs[k].type.semantically_equal(prior[k], proposed[k])
        }
        ctx = ResourcePlanContext(
            diags, type_name, changed_fields=changed, config=config or {},
            requires_replace=sorted(k for k in changed if attrs[k].requires_replace),
        )
        result = inst.plan(ctx, deepcopy(prior), deepcopy(proposed))
        return pb.PlanResourceChange.Response(
            planned_state=_encode_state(attrs, blocks, result, proposed_enc),
            requires_replace=[_to_attribute_path([k]) for k in dict.fromkeys(ctx.requires_replace)],
            diagnostics=diags.to_pb(),
        )

    @_safe(pb610.ApplyResourceChange.Response, ("new_state", "prior_state"))
    def ApplyResourceChange(self, request: Any, context: grpc.ServicerContext) -> Any:
        response = _framework(ProviderServicer.ApplyResourceChange)(self, request, context)
        return self._add_identity(_newer(pb610.ApplyResourceChange.Response, response), request.type_name,
                                  "new_state", "new_identity")

    @_safe(pb610.ReadResource.Response, ("new_state", "current_state"))
    def ReadResource(self, request: Any, context: grpc.ServicerContext) -> Any:
        response = _framework(ProviderServicer.ReadResource)(self, request, context)
        return self._add_identity(_newer(pb610.ReadResource.Response, response), request.type_name,
                                  "new_state", "new_identity")

    @_safe(pb610.ImportResourceState.Response)
    def ImportResourceState(self, request: Any, context: grpc.ServicerContext) -> Any:
        # An import by identity (`import { identity = {...} }`, or what `terraform query` generates) comes
        # without an id: the resource's identity says which id its import_() takes.
        import_id = request.id
        schema = self._identity(request.type_name)
        identity = read_identity(getattr(request, "identity", None))
        if not import_id and schema is not None and identity is not None:
            import_id = schema.import_id(identity)
        old = pb.ImportResourceState.Request(type_name=request.type_name, id=import_id)
        response = _newer(pb610.ImportResourceState.Response,
                          _framework(ProviderServicer.ImportResourceState)(self, old, context))
        for imported in response.imported_resources:
            self._add_identity(imported, imported.type_name, "state", "identity")
        return response

    # -- list resources (terraform query) --
    def _list_classes(self) -> dict[str, Any]:
        prefix = self.app.get_model_prefix()
        return {prefix + k.get_name(): k for k in getattr(self.app, "get_list_resources", list)()}

    def _list_config(self, diags: Diagnostics, klass: Any, value: Any) -> dict[str, Any]:
        attrs = {a.name: a for a in klass.get_schema().attributes}
        _, config = _decode_state(diags, attrs, {}, value)
        return config or {}

    @_safe(pb610.ValidateListResourceConfig.Response)
    def ValidateListResourceConfig(self, request: Any, context: grpc.ServicerContext) -> Any:
        diags = Diagnostics()
        klass = self._list_classes().get(request.type_name)
        if klass is None:
            diags.add_error("Unknown list resource", f"This provider has no list resource {request.type_name}.")
        else:
            klass(self.app).validate(diags, self._list_config(diags, klass, request.config))
        return pb610.ValidateListResourceConfig.Response(diagnostics=diags.to_pb())

    def ListResource(self, request: Any, context: grpc.ServicerContext) -> Any:
        """A stream of results, then the diagnostics, if any, in an event of their own (Terraform skips an event
        that carries only warnings, and ends the stream at an error)."""
        event = pb610.ListResource.Event
        diags = Diagnostics()
        try:
            klass = self._list_classes().get(request.type_name)
            if klass is None:
                diags.add_error("Unknown list resource", f"This provider has no list resource {request.type_name}.")
            else:
                config = self._list_config(diags, klass, request.config)
                schema = self._identity(request.type_name)
                attrs, blocks = self._get_res_attrs(request.type_name), self._get_res_blocks(request.type_name)
                limit = request.limit if request.limit > 0 else None
                for found in klass(self.app).list(diags, config, request.include_resource_object, limit):
                    out = event(identity=schema.data(found.identity) if schema else None,
                                display_name=found.display_name)
                    if request.include_resource_object and found.state is not None:
                        out.resource_object.CopyFrom(_encode_state(attrs, blocks, found.state, None))
                    yield out
        except Exception as exc:
            _internal_error(diags, "ListResource", exc)
        if len(diags.to_pb()):
            yield event(diagnostic=diags.to_pb())

    @_safe(pb610.GenerateResourceConfig.Response)
    def GenerateResourceConfig(self, request: Any, context: grpc.ServicerContext) -> Any:
        """The configuration Terraform writes for a found resource (`terraform query -generate-config-out`):
        its state without what only the provider sets (computed attributes no one configures)."""
        attrs = self._get_res_attrs(request.type_name)
        state = read_dynamic_value(request.state) or {}
        config = {k: (None if attrs[k].computed and not attrs[k].optional else v)
                  for k, v in state.items() if k in attrs}
        return pb610.GenerateResourceConfig.Response(config=to_dynamic_value(config))

    # -- actions (terraform apply -invoke, action_trigger) --
    def _action_classes(self) -> dict[str, Any]:
        prefix = self.app.get_model_prefix()
        return {prefix + k.get_name(): k for k in getattr(self.app, "get_actions", list)()}

    def _action(self, diags: Diagnostics, type_name: str, config: Any) -> tuple[Any, dict[str, Any]] | None:
        """The action instance and its decoded configuration, or None with an error diagnostic."""
        klass = self._action_classes().get(type_name)
        if klass is None:
            diags.add_error("Unknown action", f"This provider has no action {type_name}.")
            return None
        return klass(self.app), self._list_config(diags, klass, config)

    @_safe(pb610.ValidateActionConfig.Response)
    def ValidateActionConfig(self, request: Any, context: grpc.ServicerContext) -> Any:
        diags = Diagnostics()
        found = self._action(diags, request.type_name, request.config)
        if found is not None:
            found[0].validate(diags, found[1])
        return pb610.ValidateActionConfig.Response(diagnostics=diags.to_pb())

    @_safe(pb610.PlanAction.Response)
    def PlanAction(self, request: Any, context: grpc.ServicerContext) -> Any:
        diags = Diagnostics()
        found = self._action(diags, request.action_type, request.config)
        if found is not None:
            found[0].plan(diags, found[1])
        return pb610.PlanAction.Response(diagnostics=diags.to_pb())

    def InvokeAction(self, request: Any, context: grpc.ServicerContext) -> Any:
        """One Progress event per line the action yields, then a Completed event with its diagnostics."""
        event = pb610.InvokeAction.Event
        diags = Diagnostics()
        try:
            found = self._action(diags, request.action_type, request.config)
            if found is not None:
                for line in found[0].invoke(diags, found[1]):
                    yield event(progress=event.Progress(message=_progress_line(line)))
        except Exception as exc:
            _internal_error(diags, "InvokeAction", exc)
        yield event(completed=event.Completed(diagnostics=diags.to_pb()))

    # -- functions --
    def CallFunction(self, request: Any, context: grpc.ServicerContext) -> Any:
        try:
            klass = self._get_func_cls(request.name)
        except KeyError:
            text = f"this provider has no function {request.name!r}"
            return pb.CallFunction.Response(error=pb.FunctionError(text=text))
        signature = klass.get_signature()
        params = list(signature.parameters)
        if len(request.arguments) != len(params) and signature.variadic_parameter is None:
            return pb.CallFunction.Response(error=pb.FunctionError(
                text=f"{request.name} takes {len(params)} arguments, {len(request.arguments)} were given"))
        try:
            arguments = []
            for i, raw in enumerate(request.arguments):
                param = params[i] if i < len(params) else signature.variadic_parameter
                arguments.append(param.type.decode(read_dynamic_value(raw)))
            result = self.app.new_function(klass).call(CallContext(Diagnostics(), request.name), arguments)
            return pb.CallFunction.Response(result=to_dynamic_value(signature.return_type.type.encode(result)))
        except FunctionArgumentError as exc:
            return pb.CallFunction.Response(error=pb.FunctionError(text=exc.text, function_argument=exc.index))
        except Exception as exc:
            diags = _internal_error(Diagnostics(), f"CallFunction({request.name})", exc)
            return pb.CallFunction.Response(error=pb.FunctionError(text=diags.diagnostics[-1].detail))

    @_safe(pb.ValidateResourceConfig.Response)
    def ValidateResourceConfig(self, request: Any, context: grpc.ServicerContext) -> Any:
        return _framework(ProviderServicer.ValidateResourceConfig)(self, request, context)

    @_safe(pb.ValidateDataResourceConfig.Response)
    def ValidateDataResourceConfig(self, request: Any, context: grpc.ServicerContext) -> Any:
        return _framework(ProviderServicer.ValidateDataResourceConfig)(self, request, context)

    @_safe(pb.ValidateProviderConfig.Response)
    def ValidateProviderConfig(self, request: Any, context: grpc.ServicerContext) -> Any:
        return _framework(ProviderServicer.ValidateProviderConfig)(self, request, context)

    @_safe(pb.ConfigureProvider.Response)
    def ConfigureProvider(self, request: Any, context: grpc.ServicerContext) -> Any:
        return _framework(ProviderServicer.ConfigureProvider)(self, request, context)

    @_safe(pb.ReadDataSource.Response)
    def ReadDataSource(self, request: Any, context: grpc.ServicerContext) -> Any:
        return _framework(ProviderServicer.ReadDataSource)(self, request, context)

    @_safe(pb.UpgradeResourceState.Response)
    def UpgradeResourceState(self, request: Any, context: grpc.ServicerContext) -> Any:
        return _framework(ProviderServicer.UpgradeResourceState)(self, request, context)


def _newer(cls: Any, message: Any) -> Any:
    """A framework message re-read as its 6.10 shape `cls` (same field numbers, more fields)."""
    return cls.FromString(message.SerializeToString())
