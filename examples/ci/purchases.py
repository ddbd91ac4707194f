#!/usr/bin/env python3
"""What a saved Terraform plan buys from GoGetSSL, from `terraform show -json`: one line per purchase (a new
order or a renewal), the total per currency, and a non-zero exit when the total exceeds --max-total; then one
line per order the plan destroys (a destroy or a replacement's old order) saying whether it is cancelled.

    terraform plan -out=tfplan
    terraform show -json tfplan > plan.json
    python3 purchases.py plan.json [--max-total 100]

A purchase is a gogetssl_ssl_order change whose actions include "create" or "update" and whose
`planned_action` is "order" or "renew" (a replacement is a delete and a create: its create buys). Reissues,
validation changes and plans with nothing to do buy nothing. A price unknown at plan time (the catalogue
could not be read) is reported as such and fails --max-total. Prices include `planned_tax` where the
account's tax rate is known.

A destroyed order is one whose change includes "delete"; what destroying it does is its `destroy_outcome`
before the change (`cancel_for_refund`, `cancel`, `forget`, `nothing`), as the plan's refresh decided it.
Exit codes: 0 within the limit, 1 over it, 2 when the input is not a complete saved plan (not JSON, not a plan,
or a plan that failed: Terraform saves those too). Python 3.8+, standard library only.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

PAID = ("order", "renew")


def purchases(plan: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for rc in plan.get("resource_changes") or []:
        change = rc.get("change") or {}
        actions = change.get("actions") or []
        after = change.get("after") or {}
        if rc.get("type") != "gogetssl_ssl_order" or not ({"create", "update"} & set(actions)):
            continue
        unknown = (change.get("after_unknown") or {}).get("planned_price") is True
        if after.get("planned_action") in PAID:
            price = None if unknown else after.get("planned_price")
            tax = after.get("planned_tax") or 0  # null: the account's tax rate is not known
            out.append({"address": rc.get("address"), "action": after["planned_action"],
                        "product_id": after.get("product_id"), "period": after.get("period"),
                        "price": None if price is None else round(float(price) + float(tax), 2),
                        "currency": after.get("planned_currency") or ""})
    return out


def cancellations(plan: dict[str, Any]) -> list[dict[str, Any]]:
    """The orders the plan destroys, with what destroying each does (its destroy_outcome before the change)."""
    out = []
    for rc in plan.get("resource_changes") or []:
        change = rc.get("change") or {}
        before = change.get("before") or {}
        if rc.get("type") == "gogetssl_ssl_order" and "delete" in (change.get("actions") or []) and before:
            out.append({"address": rc.get("address"), "order_id": before.get("order_id"),
                        "status": before.get("order_status"),
                        "outcome": before.get("destroy_outcome") or "unknown (refresh the state)"})
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("plan", help="the output of `terraform show -json PLANFILE` (- for stdin)")
    parser.add_argument("--max-total", type=float, help="fail when the plan buys more than this (any currency)")
    args = parser.parse_args(argv)
    with (sys.stdin if args.plan == "-" else open(args.plan, encoding="utf-8")) as f:
        text = f.read()
    try:
        plan = json.loads(text)
    except ValueError:
        return _refuse(f"{args.plan} is not JSON: give the output of `terraform show -json PLANFILE`")
    if not isinstance(plan, dict) or "format_version" not in plan:
        return _refuse(f"{args.plan} is not the JSON of a saved plan (no format_version): give the output of "
                       "`terraform show -json PLANFILE`")
    if plan.get("errored"):
        # Terraform saves a plan that failed, with the changes it had made so far: what it buys is not known.
        return _refuse("the plan failed (\"errored\": true): its changes are incomplete, so what it buys is not "
                       "known. Fix the plan's errors and plan again")

    bought = purchases(plan)
    totals: dict[str, float] = {}
    unknown = 0
    for p in bought:
        price = "unknown" if p["price"] is None else f"{p['price']:.2f} {p['currency']}".strip()
        print(f"{p['action']:<6} {p['address']}: product {p['product_id']}, {p['period']} months, {price}")
        if p["price"] is None:
            unknown += 1
        else:
            totals[p["currency"]] = round(totals.get(p["currency"], 0.0) + float(p["price"]), 2)
    summary = ", ".join(f"{v:.2f} {k}".strip() for k, v in sorted(totals.items())) or "nothing"
    print(f"{len(bought)} purchase{'s' if len(bought) != 1 else ''}: {summary}"
          + (f", and {unknown} at a price unknown at plan time" if unknown else ""))
    for c in cancellations(plan):
        print(f"{c['outcome']:<6} {c['address']}: order {c['order_id']} ({c['status']})")
    if args.max_total is not None and (unknown or any(v > args.max_total for v in totals.values())):
        if any(v > args.max_total for v in totals.values()):
            print(f"{summary} is over the limit of {args.max_total:.2f}", file=sys.stderr)
        else:
            print(f"the limit of {args.max_total:.2f} cannot be checked: {unknown} price"
                  f"{'s' if unknown != 1 else ''} unknown at plan time", file=sys.stderr)
        return 1
    return 0


def _refuse(why: str) -> int:
    print(f"purchases.py: {why}.", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
