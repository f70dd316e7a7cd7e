"""Designs of cruijff_kit's 0.3 era for tests, written by hand from UPSTREAM.md section 1.

    V03_TEMPLATE, V03_FIXTURE_LIKE     hand-written 0.3 files (tests/era_designs/*.yaml)
    SEED_TEMPLATE                      the seed-era file written to the seed's template
    to_v03(make_design())              a seed-era test design rewritten by the field table

`to_v03` is the table of UPSTREAM.md section 1 applied by hand, on purpose independent of
ck-migrate (which is tested against it): renames in place (so the keys keep their order), the
output keys 0.3 dropped removed, the project added, the experiment moved under ck-projects/,
evaluation.system_prompt dropped where it repeats controls'.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from designs import SCRATCH

HERE = Path(__file__).parent
V03_TEMPLATE = HERE / "era_designs" / "v03_template.yaml"
V03_FIXTURE_LIKE = HERE / "era_designs" / "v03_fixture_like.yaml"
SEED_TEMPLATE = HERE / "seed_designs" / "required_only.yaml"
PROJECT = "capitalization"


def _rename(mapping: dict[str, Any], old: str, new: str) -> None:
    """`old` renamed to `new` at the same position."""
    if old not in mapping:
        return
    items = [(new if k == old else k, v) for k, v in mapping.items()]
    mapping.clear()
    mapping.update(items)


def to_v03(data: dict[str, Any], project: str = PROJECT) -> dict[str, Any]:
    """A seed-era design (as tests/designs.make_design builds it) as the 0.3 era writes it."""
    exp = data["experiment"]
    directory = exp.get("directory")
    conventional = isinstance(directory, str) and directory.rstrip("/").endswith(f"/{exp.get('name')}") and (
        "/ck-experiments/" in directory or "/ck-sanity-checks/" in directory
    )
    _rename(exp, "directory", "dir")
    if conventional:
        exp["dir"] = f"{SCRATCH}/ck-projects/{project}/{exp['name']}"
    items = list(exp.items())
    exp.clear()
    exp.update([items[0], ("project", project), *items[1:]])
    _rename(data["data"]["training"], "label", "dataset_label")
    data["output"].pop("base_directory", None)
    data["output"].pop("checkpoint_pattern", None)
    _rename(data["evaluation"], "scorer", "scorers")
    _rename(data["evaluation"], "sampling", "do_sample")
    # 0.3's template dropped evaluation.system_prompt (controls' is the one source); a different
    # one stays, the mistake a test may be about (CK201, CK204).
    ev, controls = data["evaluation"], data.get("controls") or {}
    if "system_prompt" in ev and ev["system_prompt"] == controls.get("system_prompt"):
        del ev["system_prompt"]
    return data


def v03_text(seed_text: str) -> str:
    """A needle of a seed-era test, as the same line reads in the 0.3 era."""
    for old, new in (("directory:", "dir:"), ("label:", "dataset_label:"), ("scorer:", "scorers:"), ("sampling:", "do_sample:")):
        if seed_text.startswith(old) or f" {old}" in seed_text:
            return seed_text.replace(old, new, 1)
    return seed_text
