"""gogetssl_ssl_order: one GoGetSSL certificate order. Create places it (addSSLOrder), read refreshes it
(getOrderStatus), update reissues it, changes its validation or renews it, delete cancels or forgets it
(`on_destroy`), import adopts it by id.

This class wires the parts, each in a module of its own job: the schema and state mapping
(provider/common/order_schema.py, order_state.py), the config rules (common/order_rules.py), the plan policy
(ssl_order_policy.py), what a plan or an apply buys (ssl_order_purchase.py), one owner per order
(ssl_order_claims.py), what an import must not do (ssl_order_adoption.py), every call that may spend money,
with its verification (ssl_order_spend.py), the account view refreshes share (ssl_order_account_view.py), and
what destroying the order does (ssl_order_destroy_decision.py, ssl_order_destroy.py).
"""

from __future__ import annotations

import re
from typing import Any

from tf.iface import (
    CreateContext,
    DeleteContext,
    ImportContext,
    PlanContext,
    ReadContext,
    Resource,
    UpdateContext,
    UpgradeContext,
)
from tf.schema import Schema
from tf.types import Unknown
from tf.utils import Diagnostics

from provider.client import errors
from provider.common import dcv, pricing
from provider.common import order_rules as rules
from provider.common.diagnostics import add_api_error, report_problems
from provider.common.order_schema import (
    ARGUMENT_NAMES,
    DEFAULT_ON_DESTROY,
    DEFAULT_RENEW_BEFORE_DAYS,
    ON_DESTROY,
    ORDER_IDENTITY,
    resource_schema,
)
from provider.common.order_state import NOTHING, adopted_state, order_id_of, refresh, settle, upgraded
from provider.common.services import (
    NotConfigured,
    ProviderServices,
    configured_client,
    report_not_configured,
    vendor_today,
)
from provider.common.vendor import CANCEL_REVIEW_HOURS, CLOSED_STATUSES, RENEWAL_OPENS_DAYS, UNIQUE_CODE_BRANDS
from provider.resources import ssl_order_account_view as account_view
from provider.resources import ssl_order_adoption as adoption
from provider.resources import ssl_order_claims as claims
from provider.resources import ssl_order_destroy as destroy
from provider.resources import ssl_order_destroy_decision as destroy_decision
from provider.resources import ssl_order_policy as policy
from provider.resources import ssl_order_purchase as purchase
from provider.resources import ssl_order_reconcile as reconcile
from provider.resources import ssl_order_spend as spend
from provider.tfext.context import ResourcePlanContext


class SslOrderResource(Resource):
    """gogetssl_ssl_order, built by the provider for each RPC with its services (provider/common/services.py)."""

    IDENTITY = ORDER_IDENTITY  # the order id (provider/tfext/protocol610.py)

    def __init__(self, provider: ProviderServices):
        self.provider = provider

    @classmethod
    def get_name(cls) -> str:
        return "ssl_order"

    @classmethod
    def get_schema(cls) -> Schema:
        return resource_schema()

    # -- checks before anything is spent --

    def validate(self, diags: Diagnostics, type_name: str, config: dict[str, Any]) -> None:
        super().validate(diags, type_name, config)
        if diags.has_errors():
            return  # the framework's own checks failed (an unknown or read-only field): the rest would not help
        problems, _csr = rules.check_static(config)
        report_problems(diags, problems)

        days = config.get("renew_before_days")
        if rules.known(days) and (not rules.is_whole(days) or not 0 <= days <= RENEWAL_OPENS_DAYS):
            # GoGetSSL refuses a renewal earlier than 30 days before the subscription ends: a longer window
            # would plan a purchase every apply fails, and hold back the free reissue meanwhile.
            diags.add_error("Invalid renew_before_days",
                            f"renew_before_days is {days!r}; give a whole number of days from 0 (no renewal) "
                            f"to {RENEWAL_OPENS_DAYS}, the earliest GoGetSSL accepts a renewal before the "
                            "subscription ends.", path=["renew_before_days"])

        days = config.get("reissue_before_days")
        if rules.known(days) and days is not None and (not rules.is_whole(days) or days < 0):
            diags.add_error("Invalid reissue_before_days",
                            f"reissue_before_days is {days!r}; give a whole number of days, 0 to disable "
                            "automatic reissues, or leave it unset (a third of each certificate's "
                            "lifetime).", path=["reissue_before_days"])

        on_destroy = config.get("on_destroy")
        if isinstance(on_destroy, str) and on_destroy not in ON_DESTROY:
            diags.add_error("Invalid on_destroy",
                            f"on_destroy is {on_destroy!r}; accepted values: {', '.join(ON_DESTROY)}.",
                            path=["on_destroy"])

    def plan(self, ctx: PlanContext, current: dict[str, Any] | None, planned: dict[str, Any]) -> dict[str, Any]:
        if not isinstance(ctx, ResourcePlanContext):
            # The framework's own servicer would drop the replacements this plan decides: refuse to plan.
            ctx.diagnostics.add_error("Internal error in the GoGetSSL provider",
                                      "gogetssl_ssl_order was planned without GoGetSSLServicer "
                                      "(provider/tfext/servicer.py); nothing was planned.")
            return planned

        # Unset means the default, also after it was set once: Terraform would otherwise keep the last value of
        # an optional, computed attribute removed from the configuration.
        for name, default in (("renew_before_days", DEFAULT_RENEW_BEFORE_DAYS), ("on_destroy", DEFAULT_ON_DESTROY)):
            if ctx.config.get(name) is None:
                planned[name] = default

        # GoGetSSL's date decides what is due (a reissue, a renewal), read once for every decision of this plan.
        today = vendor_today(self.provider, order_id_of(current or {}))
        window = policy.reissue_window_problem(planned.get("reissue_before_days"), today)
        if window is not None:
            ctx.diagnostics.add_error(window.summary, window.detail, path=window.path)
            return planned

        if current is None:
            return self._plan_create(ctx, planned)

        # One owner per order in a run: a second resource planning this order (or destroying it) fails here.
        if not claims.hold(self.provider, ctx.diagnostics, current, destroying=False):
            return planned
        if adoption.plan_closed(ctx.diagnostics, current):
            ctx.requires_replace[:] = []  # an order closed when adopted: nothing bought, replaced or reissued
            purchase.plan_free(planned, NOTHING)
            return planned
        # An order imported in this run, configured with a CSR older than the one GoGetSSL holds: adopting it
        # would reissue it back (the error says so).
        if adoption.stale_csr(self.provider, ctx.diagnostics, ctx.config, current):
            return planned

        change = policy.plan_update(current, planned, ctx.changed_fields, ctx.requires_replace, today)
        if change.action == "renew":
            planned["destroy_outcome"] = Unknown  # another order: decided when it is placed
        elif "on_destroy" in ctx.changed_fields:
            # The plan that sets on_destroy shows what a destroy then does, rather than (known after apply).
            planned["destroy_outcome"] = destroy_decision.destroy_outcome(self.provider, {**current, **planned})
        ctx.requires_replace[:] = change.replace
        for n in change.notices:
            if n.error:
                ctx.diagnostics.add_error(n.summary, n.detail, path=n.path)
            else:
                ctx.diagnostics.add_warning(n.summary, n.detail, path=n.path)

        if change.action == "replace" and not ctx.diagnostics.has_errors():
            # Terraform shows the warnings of this first plan of a replacement, not those of its create plan.
            destroy_decision.warn_replacement(self.provider, ctx.diagnostics, current, change.replace)
            # Counted by the create plan that follows; keyed alike unless a part is unknown (then each plan
            # of it would count a purchase of its own).
            key = _order_key(planned)
            purchase.plan_purchase(self.provider, ctx.diagnostics, planned, "order", key,
                                   count=not pricing.is_provisional(key))
        if change.action == "renew":
            purchase.plan_purchase(self.provider, ctx.diagnostics, planned, "renew",
                                   pricing.purchase_key("renew", current.get("order_id")))
        elif change.action in ("reissue", "change_validation"):
            purchase.plan_free(planned, change.action)
        elif change.action == "state" and ctx.changed_fields:
            purchase.plan_free(planned, NOTHING)
        return planned

    def _plan_create(self, ctx: ResourcePlanContext, planned: dict[str, Any]) -> dict[str, Any]:
        """The plan of a new order (also the create half of a replacement)."""
        # Known now, not (known after apply): a new order has no cancellation requested.
        planned["cancel_requested_at"] = None

        # Check the product's rules now, so that `terraform plan` fails rather than `apply`.
        _problems, csr = rules.check_static(planned)
        self._check_product(ctx.diagnostics, planned, csr, strict=False)
        # A create with the CSR and product of an order this run holds: refused while that order is open, else
        # it says what destroying that order does (-replace, taint, a renamed key).
        claims.check_create(self.provider, ctx.diagnostics, planned)

        planned["validation_records"] = dcv.planned_records(planned, csr.common_name if csr else None)
        if not ctx.diagnostics.has_errors():
            purchase.plan_purchase(self.provider, ctx.diagnostics, planned, "order", _order_key(planned))
        return planned

    def _check_product(self, diags: Diagnostics, cfg: dict[str, Any], csr: rules.CSRInfo | None,
                       *, strict: bool) -> None:
        """Product rules; `strict` (at apply) turns "cannot check" into an error, so nothing is ordered blind."""
        pid = cfg.get("product_id")
        if not rules.is_whole(pid):
            return

        try:
            catalogue = self.provider.catalogue()
        except (NotConfigured, errors.GoGetSSLError) as exc:
            if isinstance(exc, errors.GoGetSSLError) and (strict or isinstance(exc, errors.AuthError)):
                # Wrong credentials fail the plan at once; at apply nothing is ordered unchecked.
                add_api_error(diags, exc, "reading the product catalogue to check the order (nothing was ordered)")
            elif strict and isinstance(exc, NotConfigured):
                report_not_configured(diags, exc)
            else:
                diags.add_warning("Product rules not checked at plan time",
                                  f"Reading the product catalogue failed ({exc}); they will be checked before "
                                  "the order is placed.")
            return

        product = catalogue.get(int(pid))
        if product is None:
            ids = ", ".join(str(i) for i in sorted(catalogue)[:30])
            diags.add_error("Unknown product_id",
                            f"product_id {int(pid)} is not in this account's SSL catalogue. Available ids: {ids}.",
                            path=["product_id"])
            return
        report_problems(diags, rules.check_product(cfg, product, csr))
        brand = (product.brand or "").lower()
        if not strict and isinstance(cfg.get("unique_code"), str) and brand and brand not in UNIQUE_CODE_BRANDS:
            diags.add_warning(
                f"unique_code has no effect on a {product.brand} product",
                f"unique_code sets the validation records' unique value of Sectigo and GoGetSSL products only; "
                f"product_id {product.id} is {product.brand}, whose CA makes random validation tokens. Records "
                "from provider::gogetssl::dcv_records will not be the ones it asks for: publish the order's "
                "validation_records instead, or remove unique_code.", path=["unique_code"])

    def _brand(self, planned: dict[str, Any]) -> str:
        """The product's brand, lower case ("" when unknown): whether GoGetSSL shows this create's marker in the
        order's DCV data depends on it (ssl_order_reconcile.MARKED_BRANDS)."""
        try:
            product = self.provider.catalogue().get(int(planned.get("product_id") or 0))
        except (NotConfigured, errors.GoGetSSLError, TypeError, ValueError):
            return ""
        return (product.brand or "").lower() if product is not None else ""

    # -- lifecycle --

    def create(self, ctx: CreateContext, planned: dict[str, Any]) -> dict[str, Any] | None:
        new = self._place(ctx.diagnostics, planned, _order_key(planned), renewal=False)
        if new is None:
            return None
        # gogetssl_ssl_order_validation waits again whenever this changes: a new order's certificate is new.
        new["certificate_requested_at"] = policy.request_stamp(None)
        return destroy_decision.set_destroy_outcome(self.provider, purchase.carry_planned(new, planned))

    def _place(self, diags: Diagnostics, planned: dict[str, Any], key: str, *,
               renewal: bool) -> dict[str, Any] | None:
        """Place an order (or a renewal order; `key` names the purchase, pricing.purchase_key): checks again,
        then the one call that spends."""
        client = configured_client(self.provider, diags)
        if client is None:
            return None

        # Values unknown at plan time are known now: check everything again before spending.
        problems, csr = rules.check_static(planned)
        report_problems(diags, problems)
        if not diags.has_errors():
            self._check_product(diags, planned, csr, strict=True)
        if diags.has_errors():
            return None
        request = spend.order_request(diags, planned, self._brand(planned))
        if request is None:
            return None

        # Bought only if the balance, read just before, covers it beside this apply's other purchases.
        try:
            return purchase.covered_purchase(
                self.provider, diags, client, planned, key,
                lambda: spend.place_order(diags, client, reconcile.ledger_of(self.provider), planned, request,
                                          csr.common_name if csr else None, renewal=renewal))
        finally:
            # Whatever the answer, the account may have changed: later refreshes must not decide from the view
            # read before.
            account_view.forget(self.provider)

    def read(self, ctx: ReadContext, current: dict[str, Any]) -> dict[str, Any] | None:
        order_id = order_id_of(current)
        if order_id is None:
            ctx.diagnostics.add_error("Order id missing from state", "The state of this resource has no order id.")
            return current
        client = configured_client(self.provider, ctx.diagnostics)
        if client is None:
            return current

        if self.provider.refresh_mode == "listing" and account_view.settled_and_unchanged(
                self.provider, client, current, order_id):
            new = dict(current)  # the account's listing says nothing changed: no call of its own
            settle(new)
            destroy_decision.set_destroy_outcome(self.provider, new)
            self.provider.claims.seen(new)  # a create with its CSR would replace it (-replace, taint)
            return new

        try:
            # None only when GoGetSSL twice says it does not know the order: dropping a paid order from state
            # makes the next apply buy it again.
            status = spend.read_confirmed(client, order_id)
        except errors.GoGetSSLError as exc:
            add_api_error(ctx.diagnostics, exc, f"reading order {order_id}")
            return current

        if status is None and adoption.closed_when_adopted(current, None):
            ctx.diagnostics.add_warning(
                f"Order {order_id} no longer exists at GoGetSSL",
                f"The order was already {current.get('order_status')} when it was adopted; this resource keeps it, "
                "inert, and nothing is bought for it. Delete its resource block: it then leaves state without a "
                "call.")
            kept = dict(current)
            settle(kept)
            return kept
        if status is None:
            ctx.diagnostics.add_warning(
                f"Order {order_id} no longer exists at GoGetSSL",
                "The API does not know this order (for these credentials). It was removed from state; the next "
                "apply places a new order.",
            )
            return None

        if status.status == "cancelled" and current.get("cancel_requested_at"):
            ctx.diagnostics.add_warning(
                f"Order {order_id} was cancelled",
                f"GoGetSSL completed the cancellation requested at {current.get('cancel_requested_at')}. It was "
                "removed from state.",
            )
            return None
        if status.status in CLOSED_STATUSES and not adoption.closed_when_adopted(current, status.status):
            ctx.diagnostics.add_warning(
                f"Order {order_id} was {status.status} outside Terraform",
                f"GoGetSSL reports the order as {status.status}. It was removed from state: while its resource "
                "block stays, this plan orders it again (a new paid order, shown in the plan).",
            )
            return None
        if current.get("cancel_requested_at"):
            ctx.diagnostics.add_warning(
                f"A cancellation of order {order_id} may be under review",
                f"A destroy asked GoGetSSL to cancel this order at {current.get('cancel_requested_at')} and did not "
                "learn whether the request arrived. GoGetSSL reviews cancellations for up to "
                f"{CANCEL_REVIEW_HOURS} hours while the order keeps its status ({status.status}); if the request "
                "arrived, the order will be cancelled even if you keep this resource.")

        new = dict(current)
        refresh(new, status)
        settle(new)
        destroy_decision.set_destroy_outcome(self.provider, new)
        self.provider.claims.seen(new)  # a create with its CSR would replace it (-replace, taint)
        return new

    def update(self, ctx: UpdateContext, current: dict[str, Any], planned: dict[str, Any]) -> dict[str, Any] | None:
        diags = ctx.diagnostics
        # What changes, as the attribute types compare values (a PEM wrapped differently is the same CSR).
        changed = {a.name for a in self.get_schema().attributes
                   if a.name in planned and planned[a.name] is not Unknown
                   and not a.type.semantically_equal(current.get(a.name), planned[a.name])}
        # Apply does what the plan said (planned_action), never more: a renewal that fell due between plan and
        # apply (a day later) is not bought by a plan that showed a free reissue.
        action = (_PLANNED_ACTIONS.get(str(planned.get("planned_action")))
                  or policy.update_action(current, planned, changed, vendor_today(self.provider, order_id_of(current))))

        if action == "renew":
            return self._renew(diags, current, planned)

        order_id = order_id_of(current)
        state = {**current, **{k: v for k, v in planned.items() if v is not Unknown}}
        if order_id is None:
            return state
        client = configured_client(self.provider, diags)
        if client is None:
            return current

        try:
            if action in ("reissue", "change_validation"):
                # The order is about to change: later refreshes must not decide from the view read before.
                account_view.forget(self.provider)
            if action == "reissue":
                spend.reissue(client, order_id, current, planned)
                state["certificate_requested_at"] = policy.request_stamp(current.get("certificate_requested_at"))
            elif action == "change_validation":
                spend.change_validation(client, order_id, current, planned, changed)
            status = client.orders.status(order_id)  # the order as the change left it
        except errors.GoGetSSLError as exc:
            what = "reissuing" if action == "reissue" else "changing the validation of"
            add_api_error(diags, exc, f"{what} order {order_id}", frozenset(ARGUMENT_NAMES))
            return current
        except spend.ReissueUnknown as exc:
            return spend.state_after_unknown_reissue(diags, order_id, current, planned, exc)

        refresh(state, status)
        if planned.get("sans_purchased", Unknown) is not Unknown:
            state["sans_purchased"] = planned["sans_purchased"]  # as planned (null: upgraded, not yet refreshed)
        # Terraform rejects an applied state that still holds unknown values: what the vendor did not say is null.
        for k, v in state.items():
            if v is Unknown:
                state[k] = None
        return destroy_decision.set_destroy_outcome(self.provider, purchase.carry_planned(state, planned), planned)

    def _renew(self, diags: Diagnostics, current: dict[str, Any], planned: dict[str, Any]) -> dict[str, Any] | None:
        """A renewal: a new paid order (addSSLRenewOrder) in place of the one in `current`."""
        renewed = self._place(diags, planned, pricing.purchase_key("renew", current.get("order_id")), renewal=True)
        if renewed is None:
            return None
        renewed["certificate_requested_at"] = policy.request_stamp(current.get("certificate_requested_at"))
        if not renewed.get("certificate_pem"):
            # The renewal order is issued later: until then the state keeps serving the certificate of the
            # order it renews (still valid), and a refresh keeps it until the renewal's own is issued.
            renewed.update({k: current.get(k) for k in _CERTIFICATE})
        renewed = purchase.carry_planned(renewed, planned)
        return destroy_decision.set_destroy_outcome(self.provider, renewed, planned)

    def plan_destroy(self, diags: Diagnostics, current: dict[str, Any]) -> None:
        """Say in the plan what destroying the order will do at GoGetSSL, as delete() will decide it; refuse to
        destroy an order another resource of this run holds."""
        if claims.hold(self.provider, diags, current, destroying=True):
            destroy_decision.plan_destroy(self.provider, diags, current)

    def delete(self, ctx: DeleteContext, current: dict[str, Any]) -> dict[str, Any] | None:
        return destroy.destroy(self.provider, ctx.diagnostics, current)

    def import_(self, ctx: ImportContext, id: str) -> dict[str, Any] | None:
        text = (id or "").strip()
        if not re.fullmatch(r"[0-9]{1,18}", text):  # str.isdigit() also accepts "18³"
            ctx.diagnostics.add_error(
                "Invalid import id",
                f"Import a gogetssl_ssl_order by its GoGetSSL order id, a number such as 1800001; got {id!r}.",
            )
            return None
        client = configured_client(self.provider, ctx.diagnostics)
        if client is None:
            return None

        try:
            status = client.orders.status(int(text))
        except errors.NotFoundError:
            ctx.diagnostics.add_error(
                f"Order {text} not found",
                "GoGetSSL does not know this order for the configured credentials; check the id and the account.",
            )
            return None
        except errors.GoGetSSLError as exc:
            add_api_error(ctx.diagnostics, exc, f"importing order {text}")
            return None
        state = adopted_state(status)
        if state["adopted_closed"]:
            # Imported all the same: Terraform fails every import of the run when one returns nothing.
            adoption.warn_closed_import(ctx.diagnostics, int(text), status.status)
        destroy_decision.set_destroy_outcome(self.provider, state)
        # Remembered for this run's plans: the order must not be reissued back to a stale CSR (ssl_order_adoption),
        # and a second resource holding it is told it came from an import (ssl_order_claims).
        adoption.imported(self.provider, state)
        return state

    def upgrade(self, ctx: UpgradeContext, version: int, old: dict[str, Any]) -> dict[str, Any]:
        return upgraded(old)  # every earlier version, in one step (provider/common/order_state.py)


#: planned_action -> what update() does (provider/resources/ssl_order_policy.py update_action)
_PLANNED_ACTIONS = {"renew": "renew", "reissue": "reissue", "change_validation": "change_validation", "none": "state"}
#: the certificate a renewal's state keeps until the renewal's own is issued (not its dates: they are the renewed
#: order's, and would make the unissued renewal look issued, to the refund window among others)
_CERTIFICATE = ("certificate_pem", "ca_bundle_pem")


def _order_key(planned: dict[str, Any]) -> str:
    """One new order however often it is planned in a process (a replacement's two plans, apply's re-plan)."""
    return pricing.purchase_key("order", planned.get("csr"), planned.get("product_id"), planned.get("period"),
                                planned.get("dns_names"))
