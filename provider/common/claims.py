"""Which order each gogetssl_ssl_order of this plugin process holds: the bookkeeping behind "one owner per
order" and behind seeing a replacement Terraform does not show the provider.

Terraform starts a plugin process per walk (the plan walk, the apply walk) and plans each resource instance
once in it: a second plan of one order in one process is a second resource holding it. The plugin protocol
names no resource address, so the other holder is described by what the provider knows (whether this run
imports the order, whether one holder is being destroyed). Two states (two configurations or workspaces) on
one account are two Terraform runs and stay invisible to each other.

Terraform also plans `apply -replace=ADDR` and a tainted resource as a plain create, after planning the old
order unchanged (`-replace`) or only reading it (taint): an order read or planned here is remembered by its
CSR and product, so that a create with the same ones is known to stand beside (and usually to replace) it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from provider.tfext.types import normalize_pem


@dataclass(frozen=True)
class Claim:
    order_id: int
    #: how this run holds it: "planned" or "destroyed by this plan"
    how: str


class ClaimBook:
    """The claims and sightings of one plugin process. Thread-safe: Terraform plans resources concurrently."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._claims: dict[int, Claim] = {}
        self._imported: set[int] = set()
        self._seen: dict[tuple[str, int], dict[str, Any]] = {}
        self._creates: set[tuple[str, int]] = set()

    def imported(self, order_id: int) -> None:
        """An import of `order_id` in this process (its plan comes later and claims it)."""
        with self._lock:
            self._imported.add(order_id)

    def was_imported(self, order_id: int) -> bool:
        with self._lock:
            return order_id in self._imported

    def claim(self, order_id: int, how: str) -> Claim | None:
        """Record that a resource planned in this process holds `order_id`; the earlier claim when another did."""
        with self._lock:
            earlier = self._claims.get(order_id)
            if earlier is None:
                self._claims[order_id] = Claim(order_id, how)
            return earlier

    def seen(self, state: dict[str, Any]) -> None:
        """An order read or planned in this process, by its CSR and product."""
        key = _key(state.get("csr"), state.get("product_id"))
        if key is not None:
            with self._lock:
                self._seen[key] = dict(state)

    def same_order(self, csr: Any, product_id: Any) -> dict[str, Any] | None:
        """The state of an order seen in this process with this CSR and product, if any."""
        key = _key(csr, product_id)
        with self._lock:
            return dict(self._seen[key]) if key is not None and key in self._seen else None


    def create_planned(self, csr: Any, product_id: Any) -> None:
        """A new order planned in this process with this CSR and product."""
        key = _key(csr, product_id)
        if key is not None:
            with self._lock:
                self._creates.add(key)

    def create_like(self, state: dict[str, Any]) -> bool:
        """Whether a new order with the CSR and product of `state` was planned in this process."""
        key = _key(state.get("csr"), state.get("product_id"))
        with self._lock:
            return key is not None and key in self._creates


def _key(csr: Any, product_id: Any) -> tuple[str, int] | None:
    if not isinstance(csr, str) or not csr.strip() or isinstance(product_id, bool):
        return None
    try:
        return normalize_pem(csr), int(product_id)
    except (TypeError, ValueError):
        return None
