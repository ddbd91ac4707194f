"""`make docs`: write registry-layout docs (docs/index.md, docs/resources/<type>.md, data-sources/,
list-resources/, functions/, actions/) from the schemas, the functions' signatures and templates/index.md.tmpl.

The text of every type's page comes from the schema's descriptions, so the docs cannot drift from what
Terraform sees; examples come from examples/ in the registry layout. docs/index.md, the page the registry
shows first, is hand-written prose in templates/index.md.tmpl (as tfplugindocs lays it out) with the
generated parts filled in: `{{ .SchemaMarkdown | trimspace }}` (the provider's settings, from its schema),
`{{ .Description }}` (the schema's description) and `{{ tffile "examples/..." }}` (a file as a code block,
its path from the repository root). Those three are the whole template language: anything else between
`{{` and `}}` is an error, as is a template without the schema, so the settings list cannot quietly become
a hand-kept copy.

    python -m provider.devtools.docs [OUT_DIR]     # OUT_DIR defaults to the repository's docs/

Paths are resolved from this file, never from the working directory, so the output does not depend
on where the generator runs. `docs/resources/` and `docs/data-sources/` belong to the generator: a
page it no longer writes there (a renamed or removed type) is deleted. Other files in the output
directory (docs/guides/, docs/sandbox.md, docs/architecture.md, ...) are left alone.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from tf.schema import Attribute, Schema
from tf.types import TfType
from tf.utils import Diagnostics

from provider.common.provider_settings import SETTINGS
from provider.provider import GoGetSSLProvider

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
EXAMPLES = ROOT / "examples"
TEMPLATES = ROOT / "templates"
#: directories of the output whose every page the generator writes
GENERATED_DIRS = ("resources", "data-sources", "list-resources", "functions", "actions")

_PRIMITIVES = {"string": "String", "number": "Number", "bool": "Boolean", "dynamic": "Dynamic"}
_COLLECTIONS = {"list": "List", "set": "Set", "map": "Map"}


def type_label(t: TfType) -> str:
    """The registry's label for an attribute type: `String`, `List of Object`, `Map of String`, ...

    Read from the type's wire form (`tf_type()`, cty's JSON type), which every TfType has, the
    framework's List/Set/Map (whose `element_type` it encodes) and provider.tfext's Object alike.
    """
    return _label(json.loads(t.tf_type()))


def _label(cty: Any) -> str:
    if isinstance(cty, str) and cty in _PRIMITIVES:
        return _PRIMITIVES[cty]
    if isinstance(cty, list) and len(cty) == 2:
        kind, inner = cty
        if kind in _COLLECTIONS:
            return f"{_COLLECTIONS[kind]} of {_label(inner)}"
        if kind == "object":
            return "Object"
        if kind == "tuple":
            return "Tuple"
    raise ValueError(f"no docs label for the Terraform type {json.dumps(cty)}")


def _section(title: str, attrs: list[Attribute], replace_note: str) -> list[str]:
    if not attrs:
        return []
    out = [f"### {title}", ""]
    for a in sorted(attrs, key=lambda a: a.name):
        flags = [type_label(a.type)]
        if a.sensitive:
            flags.append("Sensitive")
        if replace_note and a.requires_replace:
            flags.append(replace_note)
        out.append(f"- `{a.name}` ({', '.join(flags)}) {a.description or ''}".rstrip())
    return out + [""]


def _example(path: Path, lang: str) -> list[str]:
    if path.suffix == ".hcl":
        lang = "terraform"
    return ["```" + lang, path.read_text().rstrip(), "```", ""] if path.exists() else []


def _schema_markdown(schema: Schema, note: str) -> list[str]:
    """The `## Schema` section: attributes by kind, then blocks; `note` flags an attribute that forces
    replacement."""
    attrs = schema.attributes
    lines = ["## Schema", ""]
    lines += _section("Required", [a for a in attrs if a.required], note)
    lines += _section("Optional", [a for a in attrs if a.optional], note)
    if schema.block_types:
        lines += ["### Blocks", ""] + [f"- `{nb.type_name}` (Block, optional) {nb.block.description or ''}".rstrip()
                                       for nb in schema.block_types] + [""]
    lines += _section("Read-Only", [a for a in attrs if a.computed and not a.optional], "")
    for nb in schema.block_types:
        lines += [f"### Nested block `{nb.type_name}`", "", nb.block.description or "", ""]
        lines += _section(f"Attributes of `{nb.type_name}`", nb.block.attributes, "")[2:]
    return lines


def _schema_doc(title: str, schema: Schema, example_dir: Path | None, resource: bool,
                example_file: str | None = None) -> str:
    lines = [f"# {title}", "", schema.description or "", ""]
    if example_dir:
        ex = _example(example_dir / (example_file or ("resource.tf" if resource else "provider.tf")), "terraform")
        if ex:
            lines += ["## Example Usage", "", *ex]
    # Only replacing an order buys something; replacing another resource (the waiter) is only a new object.
    note = "" if not resource else ("changing it forces a new order" if title.startswith("gogetssl_ssl_order ")
                                    else "changing it replaces the resource")
    lines += _schema_markdown(schema, note)
    if example_dir and (example_dir / "import.sh").exists():
        lines += ["## Import", "", *_example(example_dir / "import.sh", "shell")]
    return "\n".join(lines).rstrip() + "\n"


def _function_doc(klass: Any) -> str:
    """A function's page, as the registry lays it out: summary, example (examples/functions/NAME/function.tf),
    signature, arguments in order, return type and the description."""
    name, sig = klass.get_name(), klass.get_signature()
    params = ", ".join(f"{p.name} {type_label(p.type).lower()}" for p in sig.parameters)
    lines = [f"# {name} (Function)", "", sig.summary or "", ""]
    ex = _example(EXAMPLES / "functions" / name / "function.tf", "terraform")
    if ex:
        lines += ["## Example Usage", "", *ex]
    signature = f"provider::gogetssl::{name}({params}) {type_label(sig.return_type.type).lower()}"
    lines += ["## Signature", "", "```text", signature, "```", "", "## Arguments", ""]
    lines += [f"{i}. `{p.name}` ({type_label(p.type)}{', nullable' if p.allow_null_value else ''}) "
              f"{p.description or ''}".rstrip() for i, p in enumerate(sig.parameters, 1)]
    lines += ["", "## Return", "", f"{type_label(sig.return_type.type)}. {sig.description or ''}".rstrip(), "",
              "Functions need Terraform 1.8 or newer (OpenTofu 1.7 or newer): older versions cannot parse "
              "a `provider::` call. The provider itself, without them, works with Terraform 1.0 and newer."]
    return "\n".join(lines).rstrip() + "\n"


def _environment() -> str:
    """The provider page's table of environment variables, from the settings table the provider reads."""
    rows = [f"| `{s.env}` | `{s.name}` | {s.default if s.default is not None else 'none: required'} |"
            for s in SETTINGS]
    return "\n".join(["## Environment Variables", "",
                      "Each setting the provider block leaves unset is read from its environment variable:", "",
                      "| Variable | Setting | Default |", "|---|---|---|", *rows]) + "\n"


class TemplateError(ValueError):
    """A template the generator cannot fill: an unknown placeholder, a missing file, no schema."""


_PLACEHOLDER = re.compile(r"\{\{-?\s*(.*?)\s*-?\}\}")
_TFFILE = re.compile(r'tffile\s+"([^"]+)"')


def fill_template(template: str, schema: Schema, root: Path = ROOT) -> str:
    """`template` with its placeholders replaced (see the module's docstring); raises TemplateError."""
    if not any(m.group(1).startswith(".SchemaMarkdown") for m in _PLACEHOLDER.finditer(template)):
        raise TemplateError("the template has no {{ .SchemaMarkdown | trimspace }}: the provider's settings "
                            "must come from its schema")

    def fill(m: re.Match[str]) -> str:
        expr = m.group(1)
        if expr in (".SchemaMarkdown", ".SchemaMarkdown | trimspace"):
            return "\n".join(_schema_markdown(schema, "")).strip()
        if expr == ".Description":  # one line: it also goes into the YAML front matter
            return " ".join((schema.description or "").split())
        file = _TFFILE.fullmatch(expr)
        if file:
            path = root / file.group(1)
            if not path.is_file():
                raise TemplateError(f"{{{{ {expr} }}}}: no file {file.group(1)}")
            return "\n".join(_example(path, "terraform")).strip()
        raise TemplateError(f"unknown placeholder {{{{ {expr} }}}} (known: .SchemaMarkdown, .Description, tffile)")

    return _PLACEHOLDER.sub(fill, template).rstrip() + "\n"


def render(templates: Path = TEMPLATES) -> dict[str, str]:
    """Every generated page: its path relative to the docs directory (POSIX) -> its text."""
    provider = GoGetSSLProvider()
    pages = {"index.md": fill_template((templates / "index.md.tmpl").read_text(),
                                       provider.get_provider_schema(Diagnostics())) + "\n" + _environment()}
    prefix = provider.get_model_prefix()
    for klass in provider.get_resources():
        name = prefix + klass.get_name()
        pages[f"resources/{klass.get_name()}.md"] = _schema_doc(
            f"{name} (Resource)", klass.get_schema(), EXAMPLES / "resources" / name, True)
    for ds in provider.get_data_sources():
        name = prefix + ds.get_name()
        pages[f"data-sources/{ds.get_name()}.md"] = _schema_doc(
            f"{name} (Data Source)", ds.get_schema(), EXAMPLES / "data-sources" / name, False, "data-source.tf")
    for lr in provider.get_list_resources():
        name = prefix + lr.get_name()
        pages[f"list-resources/{lr.get_name()}.md"] = _schema_doc(
            f"{name} (List Resource)", lr.get_schema(), EXAMPLES / "list-resources" / name, False,
            "list-resource.tfquery.hcl").replace("## Schema", "## Schema of the `config` block", 1)
    for fn in provider.get_functions():
        pages[f"functions/{fn.get_name()}.md"] = _function_doc(fn)
    for action in provider.get_actions():
        name = prefix + action.get_name()
        pages[f"actions/{action.get_name()}.md"] = _schema_doc(
            f"{name} (Action)", action.get_schema(), EXAMPLES / "actions" / name, False,
            "action.tf").replace("## Schema", "## Schema of the `config` block", 1)
    return pages


def generate(out_dir: Path = DOCS, templates: Path = TEMPLATES) -> list[str]:
    """Write the pages under `out_dir` and delete stale ones in its generated directories.

    Returns the paths written, relative to `out_dir`."""
    pages = render(templates)
    for rel, text in pages.items():
        path = out_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    for sub in GENERATED_DIRS:
        for old in sorted((out_dir / sub).glob("*.md")):
            if f"{sub}/{old.name}" not in pages:
                old.unlink()
    return sorted(pages)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    usage = "usage: python -m provider.devtools.docs [OUT_DIR]   (default: the repository's docs/)"
    if args in (["-h"], ["--help"]):
        print(usage)
        return 0
    if len(args) > 1 or any(a.startswith("-") for a in args):
        print(usage, file=sys.stderr)
        return 2
    out_dir = Path(args[0]) if args else DOCS
    written = generate(out_dir)
    print(f"wrote {len(written)} pages under {out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
