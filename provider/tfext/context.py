"""ResourcePlanContext: the plan context GoGetSSLServicer gives a resource (light: resources import it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tf.iface import PlanContext


@dataclass
class ResourcePlanContext(PlanContext):
    """PlanContext with what a resource needs to shape a plan: the configuration, the attributes that
    force a replacement (the resource may add to them), and whether this is a create."""

    config: dict[str, Any] = field(default_factory=dict)
    requires_replace: list[str] = field(default_factory=list)
    is_create: bool = False
