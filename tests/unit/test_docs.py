"""The committed docs are the ones the schema generates (`make docs` refreshes them)."""

import difflib
import json
import re
from pathlib import Path

import pytest
from tf.types import Bool, List, Map, Number, Set, String

from provider.devtools import docs
from provider.tfext.types import Object, PemString
from tests.support import SCHEMA_SNAPSHOT

ROOT = Path(__file__).resolve().parents[2]
CHECKED_IN = ROOT / "docs"
MAX_DIFF_LINES = 40


def _generated_pages(root: Path) -> set[str]:
    rels = {"index.md"} if (root / "index.md").exists() else set()
    for sub in docs.GENERATED_DIRS:
        rels |= {f"{sub}/{p.name}" for p in (root / sub).glob("*.md")}
    return rels


def _stale(rel: str, checked_in: Path, fresh: str) -> str:
    diff = list(difflib.unified_diff((checked_in / rel).read_text().splitlines(), fresh.splitlines(),
                                     f"docs/{rel} (checked in)", f"docs/{rel} (generated)", lineterm=""))
    more = len(diff) - MAX_DIFF_LINES
    return "\n".join(diff[:MAX_DIFF_LINES] + ([f"... {more} more diff lines"] if more > 0 else []))


def drift(generated: Path, checked_in: Path) -> list[str]:
    """How the checked-in registry docs differ from the generated ones: missing, extra or stale pages."""
    written = {p.relative_to(generated).as_posix() for p in generated.rglob("*.md")}
    kept = _generated_pages(checked_in)
    problems = [f"docs/{rel} is missing" for rel in sorted(written - kept)]
    problems += [f"docs/{rel} is no longer generated (a renamed or removed type?)" for rel in sorted(kept - written)]
    problems += [_stale(rel, checked_in, (generated / rel).read_text()) for rel in sorted(written & kept)
                 if (generated / rel).read_text() != (checked_in / rel).read_text()]
    return problems


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("docs")
    docs.generate(out)
    return out


def test_checked_in_docs_match_the_schema(generated: Path):
    problems = drift(generated, CHECKED_IN)
    assert not problems, "docs/ is stale; run `make docs` and commit the result:\n\n" + "\n\n".join(problems)


def test_the_docs_drift_guard_catches_a_stale_a_missing_and_an_extra_page(generated: Path, tmp_path: Path):
    import shutil

    planted = tmp_path / "docs"
    shutil.copytree(generated, planted)
    (planted / "resources" / "ssl_order.md").write_text("an edit by hand\n")
    (planted / "data-sources" / "products.md").unlink()
    (planted / "resources" / "gone.md").write_text("a type removed\n")
    problems = drift(generated, planted)
    assert any("resources/ssl_order.md (checked in)" in p for p in problems)
    assert "docs/data-sources/products.md is missing" in problems
    assert any(p.startswith("docs/resources/gone.md is no longer generated") for p in problems)
    assert drift(generated, generated) == []


def test_the_drift_guard_covers_the_front_page_template(generated: Path, tmp_path: Path):
    """docs/index.md is templates/index.md.tmpl filled in: a template edited without `make docs` is drift."""
    import shutil

    templates = tmp_path / "templates"
    shutil.copytree(docs.TEMPLATES, templates)
    tmpl = templates / "index.md.tmpl"
    tmpl.write_text(tmpl.read_text().replace("# GoGetSSL Provider", "# GoGetSSL Provider, edited", 1))
    out = tmp_path / "docs"
    docs.generate(out, templates)
    problems = drift(out, generated)
    assert len(problems) == 1 and problems[0].startswith("--- docs/index.md (checked in)"), problems
    assert "+# GoGetSSL Provider, edited" in problems[0]


def test_the_front_page_lists_every_provider_setting_from_the_schema(generated: Path):
    from tf.utils import Diagnostics

    from provider.provider import GoGetSSLProvider

    index = (generated / "index.md").read_text()
    settings = GoGetSSLProvider().get_provider_schema(Diagnostics()).attributes
    assert settings and [a.name for a in settings if f"- `{a.name}` (" not in index] == []
    assert "{{" not in index


def test_the_front_page_links_every_type_and_guide(generated: Path):
    index = (generated / "index.md").read_text()
    pages = [rel for rel in sorted(_generated_pages(generated)) if rel != "index.md"]
    pages += [f"guides/{p.name}" for p in sorted((CHECKED_IN / "guides").glob("*.md"))]
    assert len(pages) > 10 and [rel for rel in pages if f"]({rel})" not in index] == []


@pytest.mark.parametrize(("template", "error"), [
    ("# P\n", "has no {{ .SchemaMarkdown | trimspace }}"),
    ("{{ .SchemaMarkdown }}\n{{ .ProviderShortName }}\n", "unknown placeholder {{ .ProviderShortName }}"),
    ('{{ .SchemaMarkdown }}\n{{ tffile "examples/nowhere.tf" }}\n', "no file examples/nowhere.tf"),
])
def test_a_template_the_generator_cannot_fill_is_an_error(template: str, error: str):
    from tf.utils import Diagnostics

    from provider.provider import GoGetSSLProvider

    schema = GoGetSSLProvider().get_provider_schema(Diagnostics())
    with pytest.raises(docs.TemplateError, match=re.escape(error)):
        docs.fill_template(template, schema)


def test_the_generator_writes_every_type(generated: Path):
    rels = ["index.md", "resources/ssl_order.md", "resources/ssl_order_validation.md"]
    rels += [f"data-sources/{n}.md" for n in ("products", "product", "webservers", "domain_emails", "ssl_order",
                                               "account_balance")]
    assert [rel for rel in rels if not (generated / rel).is_file()] == []


def test_pages_carry_types_flags_and_examples(generated: Path):
    order = (generated / "resources/ssl_order.md").read_text()
    assert "`admin_phone` (String, changing it forces a new order)" in order
    assert "`csr` (String) " in order and "reissues the certificate in place" in order
    assert "`dns_names` (List of String)" in order
    assert "`approver_method` (Object)" in order
    assert "`validation_records` (List of Object)" in order and "`san` (List of Object)" in order
    assert "## Example Usage" in order and "## Import" in order
    assert "`products` (List of Object)" in (generated / "data-sources/products.md").read_text()
    product = (generated / "data-sources/product.md").read_text()
    assert "`prices` (Map of String)" in product and "`periods` (List of Number)" in product
    assert "`timeouts` (Block, optional)" in (generated / "resources/ssl_order_validation.md").read_text()


@pytest.mark.parametrize(("tf_type", "label"), [
    (String(), "String"), (PemString(), "String"), (Number(), "Number"), (Bool(), "Boolean"),
    (List(String()), "List of String"), (Set(Number()), "Set of Number"), (Map(String()), "Map of String"),
    (List(Object({"a": String()})), "List of Object"), (Object({"a": List(String())}), "Object"),
    (Map(List(Bool())), "Map of List of Boolean"),
])
def test_type_labels(tf_type, label: str):
    assert docs.type_label(tf_type) == label


def test_output_does_not_depend_on_the_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          generated: Path):
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "out"
    docs.generate(out)
    assert (out / "index.md").read_text() == (generated / "index.md").read_text()
    assert "## Example Usage" in (out / "index.md").read_text()


def test_pages_of_removed_types_are_deleted_and_other_files_kept(tmp_path: Path):
    (tmp_path / "resources").mkdir()
    (tmp_path / "resources" / "old_name.md").write_text("stale")
    (tmp_path / "sandbox.md").write_text("hand-written")
    docs.generate(tmp_path)
    assert not (tmp_path / "resources" / "old_name.md").exists()
    assert (tmp_path / "sandbox.md").read_text() == "hand-written"


def fault_table_problems(text: str) -> list[str]:
    """What is wrong with the fault-mode table of a sandbox page `text`."""
    from provider.sandbox.faults import FAULT_MODES, FAULT_MODES_BEGIN, FAULT_MODES_END, fault_modes_markdown

    if text.count(FAULT_MODES_BEGIN) != 1 or text.count(FAULT_MODES_END) != 1:
        return ["the fault-mode table's markers are missing or repeated"]
    table = text.split(FAULT_MODES_BEGIN + "\n", 1)[1].split(FAULT_MODES_END, 1)[0]
    stale = table != fault_modes_markdown()
    problems = ["the fault-mode table is stale: paste fault_modes_markdown()"] if stale else []
    return problems + [f"`{mode}` is not in the table" for mode in FAULT_MODES if f"`{mode}`" not in table]


def test_the_sandbox_docs_list_exactly_the_fault_modes_the_sandbox_has() -> None:
    problems = fault_table_problems((CHECKED_IN / "sandbox.md").read_text())
    assert not problems, problems


def test_the_fault_table_guard_catches_a_mode_left_out() -> None:
    text = (CHECKED_IN / "sandbox.md").read_text()
    assert "`commit_then_reset` is not in the table" in fault_table_problems(text.replace("`commit_then_reset`", "x"))
    assert fault_table_problems("no table here") == ["the fault-mode table's markers are missing or repeated"]


def _tree_paths(page: str) -> set[str]:
    """The files a ``` tree names, as paths: two spaces of indentation per level, directories end in "/"."""
    tree = page.split("```\n", 2)[1]
    stack: list[str] = []
    paths = set()
    for line in tree.splitlines():
        name = line.split()[0]
        depth = (len(line) - len(line.lstrip(" "))) // 2
        stack = stack[:depth]
        if name.endswith("/"):
            stack.append(name.rstrip("/"))
        else:
            paths.add("/".join([*stack, name]))
    return paths


def unnamed_modules(page: str, actual: set[str]) -> tuple[list[str], list[str]]:
    """(modules of `actual` the architecture page does not name, modules it names that are gone)."""
    listed = _tree_paths(page)
    # a package's __init__ may go unnamed: the package's own line says what it owns
    unnamed = {p for p in actual - listed if not p.endswith("/__init__.py") or p == "provider/__init__.py"}
    return sorted(unnamed), sorted(listed - actual)


def _modules() -> set[str]:
    return {str(p.relative_to(ROOT)) for p in (ROOT / "provider").rglob("*.py")}


def test_the_architecture_page_names_every_module() -> None:
    unnamed, gone = unnamed_modules((CHECKED_IN / "architecture.md").read_text(), _modules())
    assert not unnamed, f"docs/architecture.md does not name: {unnamed}"
    assert not gone, f"docs/architecture.md names modules that are gone: {gone}"


def test_the_architecture_guard_catches_an_unnamed_and_a_gone_module() -> None:
    page = (CHECKED_IN / "architecture.md").read_text()
    actual = _modules() - {"provider/common/claims.py"} | {"provider/common/newthing.py"}
    assert unnamed_modules(page, actual) == (["provider/common/newthing.py"], ["provider/common/claims.py"])


# Relative links: every one in the repository's Markdown must reach a file or directory, and an anchor a heading.
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,}).*?^ {0,3}\1", re.M | re.S)
_CODE_SPAN = re.compile(r"(`+).+?\1", re.S)
_INLINE_LINK = re.compile(r"\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_REFERENCE = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.M)
_HEADING = re.compile(r"^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$", re.M)
_HTML_ANCHOR = re.compile(r"<a\s+(?:name|id)=\"([^\"]+)\"")


def _prose(text: str) -> str:
    """`text` without YAML front matter, fenced code and code spans: what a reader sees as links."""
    if text.startswith("---\n"):
        text = text.split("\n---\n", 1)[-1]
    return _CODE_SPAN.sub("", _FENCE.sub("", text))


def heading_anchors(text: str) -> set[str]:
    """The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces to hyphens, a repeated
    one suffixed -1, -2, ...; plus explicit <a id/name> anchors."""
    seen: dict[str, int] = {}
    anchors = set(_HTML_ANCHOR.findall(text))
    for heading in _HEADING.findall(_FENCE.sub("", text)):
        slug = re.sub(r"[^\w\- ]", "", heading.replace("`", "").lower()).replace(" ", "-")
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        anchors.add(slug if n == 0 else f"{slug}-{n}")
    return anchors


def broken_links(root: Path, pages: list[Path]) -> list[str]:
    """Each relative link of `pages` that reaches no file or directory under `root`, or no heading of its page."""
    problems = []
    for page in pages:
        text = page.read_text()
        prose = _prose(text)
        for target in _INLINE_LINK.findall(prose) + _REFERENCE.findall(prose):
            if re.match(r"[a-zA-Z][a-zA-Z+.-]*:", target) or target.startswith("//"):
                continue  # a URL (https:, mailto:): not ours to check offline
            rel, _, anchor = target.partition("#")
            where = f"{page.relative_to(root).as_posix()}: {target}"
            dest = (page.parent / rel).resolve() if rel else page
            if not dest.is_relative_to(root.resolve()):
                problems.append(f"{where} leads outside the repository")
            elif not dest.exists():
                problems.append(f"{where} leads to no file")
            elif anchor and dest.suffix == ".md" and anchor not in heading_anchors(dest.read_text()):
                problems.append(f"{where} names no heading of {dest.name}")
    return problems


def _markdown_pages(root: Path) -> list[Path]:
    pages = [root / "README.md", root / "CHANGELOG.md", *sorted((root / "docs").rglob("*.md"))]
    return pages + sorted((root / "examples").rglob("*.md"))


def test_every_relative_link_in_the_readme_and_docs_resolves() -> None:
    problems = broken_links(ROOT, _markdown_pages(ROOT))
    assert not problems, "broken links:\n" + "\n".join(problems)


def test_the_link_guard_catches_a_missing_file_a_missing_heading_and_a_way_out(tmp_path: Path) -> None:
    (tmp_path / "docs" / "guides").mkdir(parents=True)
    (tmp_path / "examples").mkdir()
    (tmp_path / "docs" / "guides" / "a.md").write_text("# A guide\n\n## Step `one`: go\n\n## Step `one`: go\n")
    (tmp_path / "README.md").write_text(
        "[ok](docs/guides/a.md) [dir](examples) [anchor](docs/guides/a.md#step-one-go)"
        " [again](docs/guides/a.md#step-one-go-1) [web](https://example.com/x) [self](#top)\n"
        "[gone](docs/guides/b.md) [bad anchor](docs/guides/a.md#step-two) [out](../elsewhere.md)\n"
        "`[code](span.md)`\n\n```\n[fenced](code.md)\n```\n\n[ref]: docs/missing.md\n\n# Top\n")
    (tmp_path / "CHANGELOG.md").write_text("")
    assert broken_links(tmp_path, _markdown_pages(tmp_path)) == [
        "README.md: docs/guides/b.md leads to no file",
        "README.md: docs/guides/a.md#step-two names no heading of a.md",
        "README.md: ../elsewhere.md leads outside the repository",
        "README.md: docs/missing.md leads to no file",
    ]


_REFERENCE_TO_ATTRIBUTE = re.compile(r"(?<![\w.:])(data\.)?(gogetssl_\w+)\.(\w+)\.(\w+)")


def unknown_attribute_references(root: Path, schema: dict) -> list[str]:
    """Each `gogetssl_TYPE.NAME.ATTR` (or `data.…`) in the examples' .tf and the examples' and guides' pages whose
    ATTR the type's schema does not have: Terraform would refuse the copied snippet ("Unsupported attribute")."""
    kinds = {"": schema["resource_schemas"], "data.": schema["data_source_schemas"]}
    files = sorted((root / "examples").rglob("*.tf")) + sorted((root / "examples").rglob("*.md"))
    files += sorted((root / "docs" / "guides").rglob("*.md"))
    problems = []
    for path in files:
        for data, tf_type, _name, attr in _REFERENCE_TO_ATTRIBUTE.findall(path.read_text()):
            block = kinds[data].get(tf_type, {}).get("block")
            if block is not None and attr not in block.get("attributes", {}) | block.get("block_types", {}):
                problems.append(f"{path.relative_to(root).as_posix()}: {data}{tf_type}.{_name}.{attr}")
    return sorted(set(problems))


def test_examples_and_guides_name_only_attributes_the_schema_has() -> None:
    schema = json.loads(SCHEMA_SNAPSHOT.read_text())
    problems = unknown_attribute_references(ROOT, schema)
    assert not problems, "attributes no schema has:\n" + "\n".join(problems)


def test_the_attribute_guard_catches_a_resource_and_a_data_source_attribute_gone(tmp_path: Path) -> None:
    (tmp_path / "examples" / "x").mkdir(parents=True)
    (tmp_path / "docs" / "guides").mkdir(parents=True)
    (tmp_path / "examples" / "x" / "main.tf").write_text(
        "a = gogetssl_ssl_order.site.certificate_pem\nb = gogetssl_ssl_order.site.certificate\n"
        "c = data.gogetssl_ssl_order.o.nope\nd = action.gogetssl_recheck_validation.site\n")
    (tmp_path / "docs" / "guides" / "g.md").write_text("`gogetssl_ssl_order_validation.x.ca_bundle`\n")
    schema = {"resource_schemas": {
        "gogetssl_ssl_order": {"block": {"attributes": {"certificate_pem": {}}}},
        "gogetssl_ssl_order_validation": {"block": {"attributes": {"ca_bundle_pem": {}}}}},
        "data_source_schemas": {"gogetssl_ssl_order": {"block": {"attributes": {"order_id": {}}}}}}
    assert unknown_attribute_references(tmp_path, schema) == [
        "docs/guides/g.md: gogetssl_ssl_order_validation.x.ca_bundle",
        "examples/x/main.tf: data.gogetssl_ssl_order.o.nope",
        "examples/x/main.tf: gogetssl_ssl_order.site.certificate",
    ]
