"""docs/rules.md is generated from the rule registry and must not drift from it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml

from ck_design.validate.registry import RULES, render_docs

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs" / "rules.md"


def test_docs_rules_md_matches_the_registry() -> None:
    assert DOCS.read_text(encoding="utf-8") == render_docs(), (
        "docs/rules.md is out of date: run `python -m ck_design.validate.registry --docs > docs/rules.md`"
    )


def test_module_command_prints_the_docs() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "ck_design.validate.registry", "--docs"], capture_output=True, text=True, check=True
    ).stdout
    assert out == render_docs()


def test_one_section_per_code_with_anchor_why_and_examples() -> None:
    text = render_docs()
    for code, rule in RULES.items():
        assert f'<a id="{code}"></a>' in text
        assert f"### {code}\n" in text
        section = text.split(f"### {code}\n", 1)[1].split("\n### ", 1)[0]
        assert rule.why in section and rule.hint in section
        assert rule.bad_example in section and rule.fixed_example in section
    assert len(re.findall(r"^### CK\d{3}$", text, flags=re.M)) == len(RULES)


def test_examples_are_yaml_and_fixes_differ() -> None:
    for code, rule in RULES.items():
        assert rule.bad_example != rule.fixed_example, code
        if code.startswith("CK3"):
            continue  # design-experiment.log rules: their examples are log text
        if rule.bad_example.startswith("# ") and ".py" in rule.bad_example.split("\n", 1)[0]:
            continue  # a task script, not YAML
        if code not in ("CK001", "CK002"):  # those examples are broken YAML on purpose
            yaml.safe_load(rule.bad_example)
        yaml.safe_load(rule.fixed_example)
