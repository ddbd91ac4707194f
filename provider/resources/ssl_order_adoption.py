"""What adopting an order (an import) must never do: reissue it back to a CSR its configuration was written with
before the key was rotated, or buy anything for an order that was already closed when it was adopted.

Terraform imports, refreshes and plans a resource in one plugin process during one plan, so the provider sees
which orders it imported in this run (the claim book, provider/common/claims.py); the tf framework has no private state
to carry a mark further. Two cases:

1. A key rotated in the client area after `terraform query` (or a data source) wrote the configuration: the
   configured `csr` is the old one. `csr` is a required argument, so no plan may differ from it; adopting it
   would reissue the order back to the old key. The plan fails instead, naming the order and what to do.
2. An order cancelled or rejected between the query and the apply: Terraform fails every import of the run
   when one returns nothing ("Import returned no resources") or when the refresh after it finds nothing
   ("Cannot import non-existent remote object"). So the order is imported as it is, with a warning, and its
   state remembers it was closed when adopted (`adopted_closed`; a managed order closed later is not): a
   refresh keeps it (instead of dropping it, which would order it again), every plan of it buys and reissues
   nothing and says to delete its blocks, and deleting them forgets it without a call
   (provider/resources/ssl_order_destroy.py: nothing to cancel).
"""

from __future__ import annotations

from typing import Any

from tf.utils import Diagnostics

from provider.common.order_state import order_id_of
from provider.common.services import ProviderServices
from provider.common.vendor import CLOSED_STATUSES
from provider.tfext.types import normalize_pem


def imported(services: ProviderServices, state: dict[str, Any]) -> None:
    """Remember that this run imported the order of `state`."""
    order_id = order_id_of(state)
    if order_id is not None:
        services.claims.imported(order_id)


def warn_closed_import(diags: Diagnostics, order_id: int, status: str) -> None:
    diags.add_warning(
        f"Order {order_id} is {status}",
        f"GoGetSSL reports order {order_id} as {status}: there is nothing left to manage (an order whose "
        "cancellation is still under review keeps its status until the review ends). It is imported as it is so "
        "that the other imports of this run go ahead; nothing is bought, renewed or reissued for it. Delete its "
        "resource block and its import block: it then leaves state without a call.")


def closed_when_adopted(current: dict[str, Any], vendor_status: str | None) -> bool:
    """Whether the state holds an order that was already closed when it was adopted and still is closed, in
    whatever closed status, or no longer known at all (`vendor_status` None): a refresh keeps it rather than drop
    it, since dropping it would order it again."""
    return current.get("adopted_closed") is True and (vendor_status is None or vendor_status in CLOSED_STATUSES)


def plan_closed(diags: Diagnostics, current: dict[str, Any]) -> bool:
    """For an order closed when it was adopted: warn, and True (the caller then plans nothing bought, nothing
    replaced). False for any other order."""
    status = current.get("order_status")
    if current.get("adopted_closed") is not True:
        return False
    order_id = order_id_of(current)
    diags.add_warning(
        f"Order {order_id} is {status}",
        f"GoGetSSL reports order {order_id} as {status}; this resource holds it as it was adopted, and nothing is "
        "bought, renewed, reissued or replaced for it. Delete its resource block (and its import block, if any): "
        "it then leaves state without a call.")
    return True


def stale_csr(services: ProviderServices, diags: Diagnostics, config: dict[str, Any],
              current: dict[str, Any]) -> bool:
    """True, with an error on `csr`, when an order imported in this run is configured with another CSR than the
    one GoGetSSL holds now (refreshed into `current`): adopting it would reissue it back to the configured one."""
    order_id = order_id_of(current)
    configured, held = config.get("csr"), current.get("csr")
    if order_id is None or not services.claims.was_imported(order_id):
        return False
    if not isinstance(configured, str) or not isinstance(held, str) or normalize_pem(configured) == \
            normalize_pem(held):
        return False
    diags.add_error(
        f"The CSR of order {order_id} changed since its configuration was written",
        f"Order {order_id} is imported in this run, and GoGetSSL now holds another CSR for it than its "
        "configuration's `csr` (a key rotated in the client area after `terraform query` or a data source wrote "
        "it). Adopting it as configured would reissue the order back to the configured CSR, so nothing was "
        "planned. Run `terraform query -generate-config-out=<a new file>` again to adopt it as it is now, or put "
        "the order's current CSR in its configuration (the `csr` of data source gogetssl_ssl_order); once it is "
        "adopted, changing `csr` reissues it as usual.", path=["csr"])
    return True
