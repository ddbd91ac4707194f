"""A state of an older schema version upgraded and applied without a refresh (`-refresh=false`): every value
the plan gave is what apply returns, or Terraform rejects the result ("Provider produced inconsistent result
after apply"). In-process against a sandbox of the test's own."""

from __future__ import annotations

from collections.abc import Callable

from tf.iface import UpdateContext, UpgradeContext
from tf.types import Unknown
from tf.utils import Diagnostics

from provider.resources.ssl_order import SslOrderResource
from tests.support import Sandbox, errors_of, issued_order, new_provider, plan_change

Start = Callable[..., Sandbox]


def test_a_v6_state_updated_without_a_refresh_returns_what_its_plan_said(new_sandbox: Start):
    box = new_sandbox()
    state = issued_order(box)
    v6 = {k: v for k, v in state.items() if k not in ("destroy_outcome", "sans_purchased")}
    upgraded = SslOrderResource(new_provider(box)).upgrade(UpgradeContext(Diagnostics(), "gogetssl_ssl_order"),
                                                           6, v6)
    planned, diags = plan_change(new_provider(box), upgraded, renew_before_days=20)  # no read before it
    assert not errors_of(diags)
    done = Diagnostics()
    applied = SslOrderResource(new_provider(box)).update(UpdateContext(done, "gogetssl_ssl_order"), upgraded,
                                                         planned)
    assert applied is not None and not errors_of(done)
    differ = {k: (planned[k], applied[k]) for k in planned
              if planned[k] is not Unknown and planned[k] != applied[k]}
    assert differ == {}
