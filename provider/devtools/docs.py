"""`make docs`: write registry-layout docs (docs/index.md, docs/resources/<type>.md) from the schemas.

The text comes from the schema's descriptions, so the docs cannot drift from what Terraform sees;
examples come from examples/ in the registry layout.
"""

from __future__ import annotations

import sys
from pathlib import Path

from tf.schema import Attribute, Schema
from tf.utils import Diagnostics

from provider.provider import GoGetSSLProvider

ROOT = Path.cwd()


def _type_name(attr: Attribute) -> str:
    raw = attr.type.tf_type().decode()
    return {'"string"': "String", '"number"': "Number", '"bool"': "Boolean"}.get(
        raw, "List of String" if raw == '["list","string"]' else "Object")


def _section(title: str, attrs: list[Attribute], replace_note: bool) -> list[str]:
    if not attrs:
        return []
    out = [f"### {title}", ""]
    for a in sorted(attrs, key=lambda a: a.name):
        flags = [_type_name(a)]
        if a.sensitive:
            flags.append("Sensitive")
        if replace_note and a.requires_replace:
            flags.append("changing it forces a new order")
        out.append(f"- `{a.name}` ({', '.join(flags)}) {a.description or ''}".rstrip())
    return out + [""]


def _example(path: Path, lang: str) -> list[str]:
    return ["```" + lang, path.read_text().rstrip(), "```", ""] if path.exists() else []


def _schema_doc(title: str, schema: Schema, example_dir: Path | None, resource: bool,
                example_file: str | None = None) -> str:
    attrs = schema.attributes
    lines = [f"# {title}", "", schema.description or "", ""]
    if example_dir:
        ex = _example(example_dir / (example_file or ("resource.tf" if resource else "provider.tf")), "terraform")
        if ex:
            lines += ["## Example Usage", "", *ex]
    lines += ["## Schema", ""]
    lines += _section("Required", [a for a in attrs if a.required], resource)
    lines += _section("Optional", [a for a in attrs if a.optional], resource)
    lines += _section("Read-Only", [a for a in attrs if a.computed and not a.optional], False)
    if example_dir and (example_dir / "import.sh").exists():
        lines += ["## Import", "", *_example(example_dir / "import.sh", "shell")]
    return "\n".join(lines).rstrip() + "\n"


def main(out: Path | None = None) -> int:
    provider = GoGetSSLProvider()
    docs = out or ROOT / "docs"
    (docs / "resources").mkdir(parents=True, exist_ok=True)
    (docs / "index.md").write_text(_schema_doc(
        "GoGetSSL Provider", provider.get_provider_schema(Diagnostics()), ROOT / "examples" / "provider", False))
    for klass in provider.get_resources():
        name = provider.get_model_prefix() + klass.get_name()
        (docs / "resources" / f"{klass.get_name()}.md").write_text(_schema_doc(
            f"{name} (Resource)", klass.get_schema(), ROOT / "examples" / "resources" / name, True))
    (docs / "data-sources").mkdir(parents=True, exist_ok=True)
    for ds in provider.get_data_sources():
        name = provider.get_model_prefix() + ds.get_name()
        (docs / "data-sources" / f"{ds.get_name()}.md").write_text(_schema_doc(
            f"{name} (Data Source)", ds.get_schema(), ROOT / "examples" / "data-sources" / name, False,
            "data-source.tf"))
    print(f"wrote {docs}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
