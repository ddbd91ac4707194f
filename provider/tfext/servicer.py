"""A `ProviderServicer` subclass that fills three gaps of the `tf` framework (1.2.0).

1. Plans on create and destroy. The framework only lets a resource see update plans, and
   would answer a destroy plan with an error (Terraform sends them once `plan_destroy` is
   announced, which this servicer does). Here `Resource.plan()` runs for creates too (prior is None),
   and destroy plans are passed through, after a resource's optional `plan_destroy(diags, prior)`
   has said what destroying will do.
2. Replacement decided by the resource. `requires_replace` on an attribute compares values
   with the attribute type's `semantically_equal`; a resource can add paths through
   `ctx.requires_replace` (for rules that depend on more than one value).
3. No raw gRPC errors. An exception escaping any RPC becomes an error diagnostic, and a
   failed apply or read returns the prior state untouched, so state is never corrupted. Its text
   is redacted (provider.logs.REDACTOR) and it is logged through logging, never printed: the
   framework's own wrapper prints tracebacks straight to stderr, past the redaction, so the
   framework's methods are called unwrapped.

`install()` makes `tf.runner.run_provider` use this class: the runner imports
`tf.provider.ProviderServicer` when it starts, so replacing that module attribute is the one
hook the framework offers.
"""

from __future__ import annotations

import functools
import logging
import traceback
from collections.abc import Callable
from copy import deepcopy
from typing import Any

import grpc
import tf.provider
from tf.gen import tfplugin_pb2 as pb
from tf.provider import ProviderServicer, _decode_state, _encode_state
from tf.utils import Diagnostics, _to_attribute_path

from provider.logs import REDACTOR
from provider.tfext.context import ResourcePlanContext

log = logging.getLogger("gogetssl.provider")


def _safe(response_cls: Any, keep_state_field: tuple[str, str] | None = None) -> Callable[[Any], Any]:
    """Turn an exception escaping an RPC into an error diagnostic (and keep prior state)."""

    def wrap(method: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(method)
        def inner(self: Any, request: Any, context: grpc.ServicerContext) -> Any:
            try:
                return method(self, request, context)
            except Exception as exc:
                log.error("%s failed:\n%s", method.__name__, REDACTOR.redact("".join(traceback.format_exception(exc))))
                diags = Diagnostics().add_error(
                    "Internal error in the GoGetSSL provider",
                    f"{method.__name__} failed with {type(exc).__name__}: {REDACTOR.redact(str(exc))}. State was "
                    "left unchanged. This is a bug in the provider: please report it with the log of a run with "
                    "TF_LOG=DEBUG.",
                )
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
    @_safe(pb.GetProviderSchema.Response)
    def GetProviderSchema(self, request: Any, context: grpc.ServicerContext) -> Any:
        # Announce plan_destroy, so that Terraform plans destroys through PlanResourceChange (and a resource
        # can say there what destroying will do); the framework's answer announces no capability.
        response = _framework(ProviderServicer.GetProviderSchema)(self, request, context)
        response.server_capabilities.plan_destroy = True
        return response

    @_safe(pb.PlanResourceChange.Response)
    def PlanResourceChange(self, request: pb.PlanResourceChange.Request, context: grpc.ServicerContext) -> Any:
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

    @_safe(pb.ApplyResourceChange.Response, ("new_state", "prior_state"))
    def ApplyResourceChange(self, request: Any, context: grpc.ServicerContext) -> Any:
        return _framework(ProviderServicer.ApplyResourceChange)(self, request, context)

    @_safe(pb.ReadResource.Response, ("new_state", "current_state"))
    def ReadResource(self, request: Any, context: grpc.ServicerContext) -> Any:
        return _framework(ProviderServicer.ReadResource)(self, request, context)

    @_safe(pb.ImportResourceState.Response)
    def ImportResourceState(self, request: Any, context: grpc.ServicerContext) -> Any:
        return _framework(ProviderServicer.ImportResourceState)(self, request, context)

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


def install() -> None:
    """Make the framework's runner serve GoGetSSLServicer."""
    tf.provider.ProviderServicer = GoGetSSLServicer  # type: ignore[misc]
