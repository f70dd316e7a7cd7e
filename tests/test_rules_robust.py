"""check() never crashes, whatever shape the data has: every node replaced by every kind of value.

The rules run on the raw data (so that one broken run does not hide findings elsewhere);
this is what keeps each of them defensive.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest
from designs import make_design

from ck_design.validate import engine as checks
from ck_design.facts import loader
from ck_design.validate.registry import RULES

GARBAGE: list[Any] = [None, True, -1, 2.5, "{", [], {"k": [None]}]


def _paths(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(node, dict):
        for k, v in node.items():
            yield path + (k,)
            yield from _paths(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield path + (i,)
            yield from _paths(v, path + (i,))


def _small() -> dict[str, Any]:
    data = make_design(models=("Llama-3.2-1B-Instruct",), variables={"lora_rank": [4, 8]}, tasks=("cap",))
    data["evaluation"]["scorer"].append({"name": "risk_scorer", "params": {"option_tokens": ["0", "1"]}})
    return data


def _mutants() -> Iterator[tuple[str, dict[str, Any]]]:
    base = _small()
    for path in list(_paths(base)):
        for value in GARBAGE + ["<delete>"]:
            data = copy.deepcopy(base)
            cur: Any = data
            for step in path[:-1]:
                cur = cur[step]
            if value == "<delete>":
                if isinstance(cur, dict):
                    del cur[path[-1]]
                else:
                    cur.pop(path[-1])
            else:
                cur[path[-1]] = value
            yield f"{checks.fmt_path(path)}={value!r}", data


def test_no_crash_on_any_shape(tmp_path: Any) -> None:
    failures = []
    count = 0
    for label, data in _mutants():
        doc = loader.loads(json.dumps(data, indent=1), "x.yaml")  # JSON is YAML, and dumps 20x faster
        count += 1
        # Only these paths reach the resource checks; sparing the rest keeps the test quick.
        resource_paths = label.startswith(("models", "data", "evaluation.tasks"))
        try:
            for resources in (False, True) if resource_paths else (False,):
                for f in checks.check(doc, check_resources=resources, base_dir=tmp_path):
                    assert f.code in RULES and f.line >= 1 and f.column >= 1
        except Exception as exc:  # collect them all for one readable report
            failures.append(f"{label}: {type(exc).__name__}: {exc}")
    assert count > 500
    assert not failures, "\n".join(failures[:30])


def test_ten_thousand_runs_in_well_under_a_second() -> None:
    # 2 models x 50 x 100 = 10,000 fine-tuned runs + 2 controls, 5 tasks, 3 epochs each.
    data = make_design(
        variables={"lora_rank": list(range(1, 51)), "lr": [i * 1e-6 for i in range(1, 101)]},
        tasks=tuple(f"task{i}" for i in range(5)),
        epochs=3,
        vis_label_style="run_name",  # "short" labels cost design.build_matrix O(runs^2) to build
    )
    doc = loader.loads(json.dumps(data, indent=1), "big.yaml")  # JSON is YAML; dumping YAML takes 10 s
    # Speed is benchmarks/validate.py's to measure; here, that a 10,002-run design is checked
    # clean at all (a quadratic rule would not finish).
    assert checks.check(doc) == []


@pytest.mark.parametrize("n_bad", [1, 3000])
def test_many_findings_stay_linear(n_bad: int) -> None:
    data = make_design(
        variables={"lora_rank": list(range(1, 3001))}, models=("Llama-3.2-1B-Instruct",), vis_label_style="run_name"
    )
    for entry in data["evaluation"]["matrix"][:n_bad]:
        entry["run"] = entry["run"] + "_typo"  # CK231 (with a closest-name hint) + CK233 each
    doc = loader.loads(json.dumps(data, indent=1), "many.yaml")
    findings = checks.check(doc)
    assert sum(f.code == "CK231" for f in findings) == n_bad


def test_one_vis_label_everywhere_stays_linear() -> None:
    data = make_design(variables={"lora_rank": list(range(1, 3001))}, models=("Llama-3.2-1B-Instruct",),
                       tasks=tuple(f"task{i}" for i in range(5)), vis_label_style="run_name")
    for entry in data["evaluation"]["matrix"]:
        entry["vis_label"] = "same"
    doc = loader.loads(json.dumps(data, indent=1), "labels.yaml")
    findings = checks.check(doc)
    assert sum(f.code == "CK240" for f in findings) == 3000  # every entry after the first
