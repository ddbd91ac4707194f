"""The committed docs are the ones the schema generates (`make docs` refreshes them)."""

from pathlib import Path

import pytest

from provider.devtools import docs

ROOT = Path(__file__).resolve().parents[2]


def test_docs_are_generated_from_the_current_schema(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(ROOT)
    docs.main(tmp_path)
    rels = ["index.md", "resources/ssl_order.md", "resources/ssl_order_validation.md"]
    rels += [f"data-sources/{n}.md" for n in ("products", "product", "webservers", "domain_emails", "ssl_order",
                                               "account_balance")]
    for rel in rels:
        assert (tmp_path / rel).read_text() == (ROOT / "docs" / rel).read_text(), f"docs/{rel} is stale: make docs"
    text = (tmp_path / "resources/ssl_order.md").read_text()
    assert "`admin_phone` (String, changing it forces a new order)" in text
    assert "`csr` (String) " in text and "reissues the certificate in place" in text
    assert "## Import" in text
