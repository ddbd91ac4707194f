"""The vendor facts the plans rely on (provider/common/vendor.py): every named set of order statuses holds only
statuses the vendor documents, so a misspelt one ("canceled") cannot silently never match."""

from __future__ import annotations

from provider.common import vendor


def _named_sets() -> dict[str, tuple[str, ...]]:
    return {name: value for name, value in vars(vendor).items()
            if name.endswith("_STATUSES") and isinstance(value, tuple)}


def undocumented(sets: dict[str, tuple[str, ...]]) -> dict[str, list[str]]:
    """Per named set, the statuses in it that the vendor does not document."""
    return {name: bad for name, value in sets.items() if (bad := sorted(set(value) - set(vendor.STATUSES)))}


def test_every_status_set_names_documented_statuses_only() -> None:
    sets = _named_sets()
    assert {"OPEN", "VALIDATING", "ISSUED", "CLOSED", "FAILED"} <= {name.removesuffix("_STATUSES") for name in sets}
    assert undocumented(sets) == {}


def test_the_guard_catches_a_misspelt_status() -> None:
    planted = {**_named_sets(), "CLOSED_STATUSES": ("canceled", "rejected")}
    assert undocumented(planted) == {"CLOSED_STATUSES": ["canceled"]}
