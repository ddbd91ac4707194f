"""The validation waiter honours StopProvider (Ctrl-C) between the rechecks of each pending domain, however
many there are: a configured provider, in-process, against a sandbox whose rechecks are slow."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from tf.iface import CreateContext
from tf.utils import Diagnostics

from provider.client.models import AddSSLOrderRequest
from provider.provider import GoGetSSLProvider
from provider.resources.ssl_order_validation import SslOrderValidationResource
from tests.support import Sandbox, make_csr, minimal_order


def test_stop_is_honoured_between_the_rechecks_of_many_domains(tmp_path: Path):
    sb = Sandbox(tmp_path / "stop.db")
    try:
        provider = GoGetSSLProvider()
        diags = Diagnostics()
        provider.configure_provider(diags, {"api_url": sb.url, "username": sb.user, "password": sb.password,
                                            "max_retries": None, "request_timeout": None})
        assert not diags.has_errors(), diags.diagnostics
        kc = make_csr()
        sans = [f"d{i}.{kc.common_name}" for i in range(12)]
        order = provider.client.orders.add_ssl_order(AddSSLOrderRequest(**minimal_order(
            product_id=67, csr=kc.csr_pem, dns_names=sans, approver_emails=["dns"] * len(sans))))
        sb.faults({"match": "/orders/ssl/revalidate/", "mode": "slow", "delay_ms": 400, "times": 100})
        threading.Timer(1.0, provider.stopping.set).start()
        started = time.monotonic()
        state = SslOrderValidationResource(provider).create(
            CreateContext(diags, "gogetssl_ssl_order_validation"),
            {"order_id": order.order_id, "validation_record_fqdns": None, "timeouts": {"create": "10m"}})
        assert state is None
        assert any("Stopped waiting" in d.summary for d in diags.diagnostics), diags.diagnostics
        assert sb.count("/orders/ssl/revalidate/") <= 4, "rechecks went on after the stop"
        assert time.monotonic() - started < 4
    finally:
        sb.stop()
