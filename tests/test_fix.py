"""`ck-validate --fix` / `--diff` (issue 12): each safe fix on a design with comments around the
mistake, the exact text it writes, the finding gone afterwards; idempotence; the safety rules
(no write of an unparseable file, of a design with more errors, atomic, mode kept); a property
test over random mistakes; the opt-in pre-commit hook in a real git repository."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ck_design.facts.loader import loads
from ck_design.validate.cli import run
from ck_design.validate.engine import check
from ck_design.validate.fixes.fixers import FIXABLE_CODES, mark_fixable
from ck_design.validate.fixes.run import fix_text
from ck_design.validate.registry import RULES
from designs import dump, make_design

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

# A clean design, hand-written the way people write them: comments, blank lines, flow and
# block lists, quoted and plain strings. Each case below breaks one spot of it.
BASE = """\
# Capitalization: does LoRA rank matter?
experiment:
  name: words_8L_500_lora_rank_comparison_2026-11-25
  type: experiment
  question: Does LoRA rank matter for capitalization?
  date: '2026-11-25'
  hypothesis: Rank 4 is enough.   # our bet
  directory: /scratch/me/ck-experiments/words_8L_500_lora_rank_comparison_2026-11-25
tools:
  preparation: torchtune
  evaluation: inspect-ai

variables:
  lora_rank: [4, 8]
controls:
  # same prompt for training and evaluation
  system_prompt: "You are a careful copy editor."
  prompt: "Capitalize the word: {input}\\n"
  epochs: 2
  batch_size: 4
  gpus: 1
  validation_during_training: true
  lr: 0.0001
  gradient_accumulation_steps: 1
  weight_decay: 0.01      # the recipe's default
  lora_dropout: 0.0
  num_warmup_steps: 10
  max_seq_len: 2048
  packing: true
models:
  base:
  - {name: Llama-3.2-1B-Instruct, path: /scratch/me/models/Llama-3.2-1B-Instruct, size_gb: 2.4}
data:
  training:
    path: /scratch/me/data/words_8L_500.json
    label: words_8L_500
    format: json
    size_kb: 28
    splits: {train: 400, validation: 50, test: 50}
output:
  base_directory: /scratch/me/ck-outputs/words_8L_500_lora_rank_comparison_2026-11-25
  checkpoint_pattern: ck-out-{run_name}/epoch_{N}
  wandb_project: ck-capitalization

runs:
- name: Llama-3.2-1B-Instruct_rank4
  type: fine-tuned
  model: Llama-3.2-1B-Instruct
  parameters: {lora_rank: 4}
  slurm_overrides: {constraint: gpu80}
- name: Llama-3.2-1B-Instruct_rank8
  type: fine-tuned
  model: Llama-3.2-1B-Instruct
  parameters: {lora_rank: 8}
  slurm_overrides: {constraint: gpu80}
# the untuned model, for comparison
- name: Llama-3.2-1B-Instruct_base
  type: control
  model: Llama-3.2-1B-Instruct
  parameters: {}
  slurm_overrides: {constraint: gpu80}

evaluation:
  system_prompt: "You are a careful copy editor."  # must match training
  temperature: 0.0
  scorer:
  - {name: match, params: {location: exact, ignore_case: false}}
  tasks:
  - {name: capitalization, script: /scratch/me/tasks/capitalization.py, description: Capitalize a word, dataset: same}
  matrix:
  - run: Llama-3.2-1B-Instruct_rank4
    vis_label: rank4
    tasks: [capitalization]
    epochs: [0, 1]  # both checkpoints
  - run: Llama-3.2-1B-Instruct_rank8
    vis_label: rank8
    tasks: [capitalization]
    epochs:
    - 0   # first
    - 1
  # the control has no checkpoints
  - run: Llama-3.2-1B-Instruct_base
    vis_label: base
    tasks: [capitalization]
    epochs: null
"""

# code -> (the mistake, as a replacement of BASE text; the exact text --fix writes back)
CASES: dict[str, tuple[tuple[str, str], str]] = {
    "CK210-flow": (
        ("    epochs: [0, 1]  # both checkpoints\n", "    epochs: [1, 2]  # both checkpoints\n"),
        "    epochs: [0, 1]  # both checkpoints\n",
    ),
    "CK210-block": (
        ("    - 0   # first\n    - 1\n", "    - 1   # first\n    - 2\n"),
        "    - 0   # first\n    - 1\n",
    ),
    "CK201": (
        ('  system_prompt: "You are a careful copy editor."  # must match training\n',
         "  system_prompt: ''  # must match training\n"),
        "  system_prompt: 'You are a careful copy editor.' # must match training\n",
    ),
    "CK004": (
        ("  hypothesis: Rank 4 is enough.   # our bet\n", "  hypothesis: yes   # our bet\n"),
        "  hypothesis: 'yes' # our bet\n",  # the comment keeps its column
    ),
    "CK101": (
        ("  weight_decay: 0.01      # the recipe's default\n", '  weight_decay: "1e-2"      # the recipe\'s default\n'),
        "  weight_decay: 1e-2        # the recipe's default\n",
    ),
    "CK211": (
        ("  # the control has no checkpoints\n  - run: Llama-3.2-1B-Instruct_base\n    vis_label: base\n"
         "    tasks: [capitalization]\n    epochs: null\n",
         "  # the control has no checkpoints\n  - run: Llama-3.2-1B-Instruct_base\n    vis_label: base\n"
         "    tasks: [capitalization]\n    epochs: [0, 1]   # oops\n"),
        "  # the control has no checkpoints\n  - run: Llama-3.2-1B-Instruct_base\n    vis_label: base\n"
        "    tasks: [capitalization]\n    epochs: null     # oops\n",
    ),
    "CK221": (
        ("- name: Llama-3.2-1B-Instruct_base\n", "- name: Llama-3.2-1B-Instruct_untuned\n"),
        "- name: Llama-3.2-1B-Instruct_base\n",
    ),
    "CK240": (
        ("    vis_label: rank8\n", "    vis_label: rank4   # copied from above\n"),
        "    vis_label: rank8   # copied from above\n",
    ),
}


def _errors(text: str) -> list[str]:
    return [f.code for f in check(loads(text)) if f.severity == "error"]


def _codes(text: str) -> list[str]:
    return [f.code for f in check(loads(text))]


def test_the_base_design_is_clean():
    assert _codes(BASE) == []


def _broken(case: str) -> str:
    (old, new), _ = CASES[case]
    assert BASE.count(old) == 1, case
    text = BASE.replace(old, new)
    # The rename also has a matrix entry to follow.
    if case == "CK221":
        text = text.replace("  - run: Llama-3.2-1B-Instruct_base\n", "  - run: Llama-3.2-1B-Instruct_untuned\n")
    return text


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_fix_writes_the_exact_text_and_the_finding_goes(case, tmp_path, capsys):
    code = case.split("-")[0]
    broken = _broken(case)
    assert code in _codes(broken)
    path = tmp_path / "experiment_summary.yaml"
    path.write_text(broken)

    # Plain validation marks the finding fixable.
    run([str(path)])
    out = capsys.readouterr().out
    assert re.search(rf":\d+:\d+: {code} \[\*\] (error|warning): ", out), out

    rc = run(["--fix", str(path)])
    out, err = capsys.readouterr()
    (old, _), fixed_line = CASES[case]
    expected = BASE.replace(old, fixed_line)
    assert path.read_text() == expected  # only the mistaken value moved
    assert f"{path}: fixed 1 finding ({code})" in err or f"{path}: fixed " in err and code in err
    assert code not in _codes(path.read_text())
    assert rc == (1 if _errors(expected) else 0)

    # Idempotent: a second --fix has nothing to do.
    assert run(["--fix", str(path)]) == rc
    _, err2 = capsys.readouterr()
    assert path.read_text() == expected
    assert "fixed" not in err2


def _v03(text: str) -> str:
    """`text` made a 0.3 design by ck-migrate's own rewrite (layout and comments kept)."""
    from ck_design.migrate.apply import migrate_text
    from ck_design.spec.migration import plan as migration_plan

    return migrate_text(text, migration_plan(yaml.safe_load(text), project="capitalization"))


@pytest.mark.parametrize("first", [True, False], ids=["first-key", "after-a-key"])
def test_ck201_in_a_0_3_design_removes_the_key_and_keeps_the_comments(first, tmp_path, capsys):
    prompt = '  system_prompt: "You are a careful copy editor."  # must match training\n'
    comment = "  # sampling: greedy, as upstream's default\n"
    text = BASE.replace(prompt, "  system_prompt: ''  # must match training\n" + comment)
    if not first:  # the key between two others, a comment above it too
        text = text.replace("  system_prompt: ''  # must match training\n" + comment + "  temperature: 0.0\n",
                            "  temperature: 0.0\n  # the prompt\n  system_prompt: ''  # must match training\n" + comment)
    broken = _v03(text)
    assert "system_prompt: ''  # must match training\n" in broken and comment in broken
    assert "CK201" in _codes(broken)
    path = tmp_path / "experiment_summary.yaml"
    path.write_text(broken)
    rc = run(["--fix", str(path)])
    assert "fixed 1 finding (CK201)" in capsys.readouterr().err
    assert rc == (1 if _errors(path.read_text()) else 0)
    # The key and its own end-of-line comment go; every other line stays as it was.
    assert path.read_text() == broken.replace("  system_prompt: ''  # must match training\n", "", 1)
    after = _codes(path.read_text())
    assert "CK201" not in after and "CK207" not in after  # not a copy that agrees: no warning to fix next
    assert "system_prompt" not in yaml.safe_load(path.read_text())["evaluation"]


def test_rename_follows_the_run_into_the_matrix(tmp_path):
    broken = _broken("CK221")
    result = fix_text(broken, "x.yaml", lambda d: check(d))
    assert "Instruct_untuned" not in result.new_text
    assert result.new_text == BASE


def test_a_missing_vis_label_is_added_beside_its_run():
    # rank4's entry takes rank8's run name as its label; rank8's entry has none, so it
    # defaults to its run name and clashes (CK240): --fix adds the label the hint proposes.
    broken = BASE.replace("    vis_label: rank4\n", "    vis_label: Llama-3.2-1B-Instruct_rank8\n").replace(
        "  - run: Llama-3.2-1B-Instruct_rank8\n    vis_label: rank8\n", "  - run: Llama-3.2-1B-Instruct_rank8\n"
    )
    assert "CK240" in _codes(broken)
    result = fix_text(broken, "x.yaml", lambda d: check(d))
    assert "  - run: Llama-3.2-1B-Instruct_rank8\n    vis_label: rank8\n    tasks: [capitalization]\n" in result.new_text
    assert "CK240" not in _codes(result.new_text)


def test_diff_prints_without_writing_and_exits_1(tmp_path, capsys):
    path = tmp_path / "experiment_summary.yaml"
    broken = _broken("CK210-flow")
    path.write_text(broken)
    assert run(["--diff", str(path)]) == 1
    out, err = capsys.readouterr()
    assert path.read_text() == broken
    assert out.startswith(f"--- {path}\n+++ {path}\n")
    assert "-    epochs: [1, 2]  # both checkpoints\n+    epochs: [0, 1]  # both checkpoints\n" in out
    assert "would fix 1 finding (CK210)" in err
    path.write_text(BASE)
    assert run(["--diff", str(path)]) == 0
    assert capsys.readouterr().out == ""


def test_json_findings_carry_fixable(tmp_path, capsys):
    path = tmp_path / "experiment_summary.yaml"
    path.write_text(_broken("CK210-flow").replace("  weight_decay: 0.01", "  weight_decay: four"))
    run(["--format", "json", str(path)])
    found = {f["code"]: f["fixable"] for f in json.loads(capsys.readouterr().out)}
    assert found == {"CK210": True, "CK101": False}  # `four` needs a person


def test_needing_a_decision_is_never_fixed():
    # Epochs past training that do not look 1-indexed: which checkpoint was meant is a choice.
    text = BASE.replace("    epochs: [0, 1]  # both checkpoints\n", "    epochs: [0, 5]  # both checkpoints\n")
    findings = check(loads(text))
    assert [f.code for f in findings] == ["CK210"]
    assert not any(f.fixable for f in mark_fixable(loads(text), findings))
    assert fix_text(text, "x.yaml", lambda d: check(d)).new_text == text
    # A run whose parameters are wrong is not renamed after them (the name would bake the typo in).
    typo = BASE.replace("  parameters: {lora_rank: 4}\n", "  parameters: {lora_rnak: 4}\n")
    assert fix_text(typo, "x.yaml", lambda d: check(d)).new_text == typo


def test_an_unparseable_file_is_never_written(tmp_path, capsys):
    path = tmp_path / "experiment_summary.yaml"
    text = BASE.replace("  lora_rank: [4, 8]\n", "  lora_rank: [4, 8\n")
    path.write_text(text)
    assert run(["--fix", str(path)]) == 1
    assert path.read_text() == text
    assert "not fixed: it does not parse" in capsys.readouterr().err


def test_a_layout_ruamel_cannot_keep_is_fixed_in_place_or_left_alone(tmp_path, capsys):
    path = tmp_path / "experiment_summary.yaml"
    # A value replaced where it stands (splice.py) keeps any layout: CRLF stays CRLF.
    text = _broken("CK210-flow").replace("\n", "\r\n")
    path.write_bytes(text.encode())
    assert run(["--fix", str(path)]) == 0
    assert path.read_bytes() == BASE.replace("\n", "\r\n").encode()
    # A fix that changes structure (a block list made null) needs ruamel.yaml's round trip:
    # refused on CRLF, and so not marked fixable there.
    control = "    tasks: [capitalization]\n    epochs: null\n"
    assert BASE.endswith(control)
    text = BASE.replace(control, "    tasks: [capitalization]\n    epochs:\n    - 0\n    - 1\n").replace("\n", "\r\n")
    path.write_bytes(text.encode())
    run(["--fix", str(path)])
    assert path.read_bytes() == text.encode()
    assert "not fixed: ruamel.yaml would change its layout" in capsys.readouterr().err


def test_write_is_atomic_and_keeps_the_mode(tmp_path):
    path = tmp_path / "experiment_summary.yaml"
    path.write_text(_broken("CK201"))
    os.chmod(path, 0o640)
    inode = path.stat().st_ino
    assert run(["--fix", str(path)]) == 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert path.stat().st_ino != inode  # replaced by rename, not rewritten in place
    assert sorted(p.name for p in tmp_path.iterdir()) == ["experiment_summary.yaml"]  # no temp file left


def test_a_byte_order_mark_is_kept(tmp_path, capsys):
    # Windows editors write one; --fix rewrites the text, not the encoding the user chose.
    path = tmp_path / "experiment_summary.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + _broken("CK210-flow").encode())
    assert run(["--fix", str(path)]) == 0
    expected = BASE.replace(CASES["CK210-flow"][0][0], CASES["CK210-flow"][1])
    assert path.read_bytes() == b"\xef\xbb\xbf" + expected.encode()
    assert "fixed 1 finding (CK210)" in capsys.readouterr().err
    # and one is never added to a file that had none
    path.write_bytes(_broken("CK210-flow").encode())
    assert run(["--fix", str(path)]) == 0
    assert path.read_bytes() == expected.encode()


def test_more_errors_after_is_never_written():
    # Guard: a fix whose result has more errors than before is thrown away. A vis_label fix
    # cannot do that on its own, so check the guard with a validator that punishes any change.
    text = _broken("CK210-flow")

    def strict(doc):
        findings = check(doc)
        if doc.data["evaluation"]["matrix"][0]["epochs"] == [0, 1]:
            from ck_design.validate.findings import Finding

            findings += [Finding("x", 1, 1, "CK100", "error", "made up"), Finding("x", 1, 1, "CK100", "error", "made up")]
        return findings

    result = fix_text(text, "x.yaml", strict)
    assert result.new_text == text and result.refused and "not applied" in result.refused


def test_docs_say_which_rules_are_fixable():
    docs = (REPO / "docs" / "rules.md").read_text()
    assert {c for c, r in RULES.items() if r.fixable} == FIXABLE_CODES
    for code in FIXABLE_CODES:
        assert re.search(rf"\| \[{code}\]\(#{code}\) \| \w+ \| \[\*\] \|", docs), code


# --------------------------------------------------------------------------------------------
# Property: --fix never adds errors, never changes a design with nothing fixable, and is idempotent
# --------------------------------------------------------------------------------------------

_MUTATIONS = st.lists(
    st.sampled_from(["one_indexed", "past", "eval_prompt", "yes_word", "number_string", "control_epochs",
                     "control_name", "bad_param", "dup_label", "word_string", "no_runs_matrix"]),
    max_size=4,
    unique=True,
)


def _mutate(data: dict, mutations: list[str], k: int, s: str) -> None:
    matrix = data["evaluation"]["matrix"]
    fine = [e for e in matrix if e["epochs"] is not None]
    controls = [e for e in matrix if e["epochs"] is None]
    for m in mutations:
        if m == "one_indexed":
            fine[k % len(fine)]["epochs"] = [1, 2]
        elif m == "past":
            fine[(k + 1) % len(fine)]["epochs"] = [0, 2 + k % 3]
        elif m == "eval_prompt":
            data["evaluation"]["system_prompt"] = s
        elif m == "yes_word":
            data["experiment"]["hypothesis"] = "__YES__"
        elif m == "number_string":
            data["controls"]["weight_decay"] = "1e-2"
        elif m == "word_string":
            data["controls"]["batch_size"] = "four"
        elif m == "control_epochs" and controls:
            controls[0]["epochs"] = [0]
        elif m == "control_name" and controls:
            old = controls[0]["run"]
            new = old.replace("_base", f"_{s or 'x'}") if s.isidentifier() else old.replace("_base", "_plain")
            for r in data["runs"]:
                if r["name"] == old:
                    r["name"] = new
            controls[0]["run"] = new
        elif m == "bad_param":
            data["runs"][0]["parameters"] = {"lora_rnak": 4}
        elif m == "dup_label":
            matrix[1]["vis_label"] = matrix[0]["vis_label"]
        elif m == "no_runs_matrix":
            matrix[-1]["run"] = "nobody"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutations=_MUTATIONS, k=st.integers(0, 20), s=st.text(alphabet="abc xyz", max_size=8))
def test_fix_never_adds_errors_and_leaves_unfixable_designs_alone(mutations, k, s):
    data = make_design(models=("Llama-3.2-1B-Instruct",), variables={"lora_rank": [4, 8]})
    _mutate(data, mutations, k, s)
    text = dump(data).replace("'__YES__'", "yes").replace("__YES__", "yes")
    doc = loads(text)
    before = check(doc)
    result = fix_text(text, "x.yaml", lambda d: check(d))
    after = check(loads(result.new_text))
    assert sum(f.severity == "error" for f in after) <= sum(f.severity == "error" for f in before)
    if not any(f.fixable for f in mark_fixable(doc, before)):
        assert result.new_text == text
    again = fix_text(result.new_text, "x.yaml", lambda d: check(d))
    assert again.new_text == result.new_text  # idempotent
    assert yaml.safe_load(result.new_text) is not None


# --------------------------------------------------------------------------------------------
# The opt-in pre-commit hook, as the rendered .pre-commit-config.yaml offers it
# --------------------------------------------------------------------------------------------

GIT_ENV = {
    "GIT_AUTHOR_NAME": "ck test", "GIT_AUTHOR_EMAIL": "ck-test@example.invalid",
    "GIT_COMMITTER_NAME": "ck test", "GIT_COMMITTER_EMAIL": "ck-test@example.invalid",
}


def _enable_fix_hook(config: str) -> str:
    """Uncomment the ck-validate-fix block, as the comment above it tells a user to."""
    lines = config.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("# - id: ck-validate-fix"))
    indent = lines[start].index("#")
    i = start
    while i < len(lines) and lines[i].startswith(" " * indent + "# ") and (i == start or lines[i][indent + 2] == " "):
        lines[i] = " " * indent + lines[i][indent + 2:]
        i += 1
    return "".join(lines)


def test_template_offers_the_fix_hook_commented_out():
    config = (REPO / "template" / ".pre-commit-config.yaml.jinja").read_text()
    ids = [h["id"] for r in yaml.safe_load(config)["repos"] for h in r["hooks"]]
    assert "ck-validate-fix" not in ids  # opt-in
    enabled = yaml.safe_load(_enable_fix_hook(config))
    hooks = [h for r in enabled["repos"] for h in r["hooks"]]
    fix = next(h for h in hooks if h["id"] == "ck-validate-fix")
    assert fix["entry"] == "ck-validate --fix" and fix["language"] == "system"
    assert [h["id"] for h in hooks].index("ck-validate-fix") < [h["id"] for h in hooks].index("ck-validate-summary")
    published = {h["id"]: h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    assert published["ck-validate-fix"]["entry"] == "ck-validate --fix"
    assert published["ck-validate-fix"]["files"] == fix["files"]


@pytest.mark.e2e
def test_fix_hook_repairs_fails_the_commit_then_passes_after_restaging(tmp_path):
    env = {**os.environ, **GIT_ENV, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
           "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "HOME": str(tmp_path)}
    repo = tmp_path / "exp"
    repo.mkdir()

    def git(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=check)

    git("init", "-q", "-b", "main")
    config = _enable_fix_hook((REPO / "template" / ".pre-commit-config.yaml.jinja").read_text())
    (repo / ".pre-commit-config.yaml").write_text(config)
    (repo / "experiment_summary.yaml").write_text(BASE)
    # The job files exist before the first commit, as the post-copy hook leaves them (ck-scaffold-sync
    # would otherwise stop that commit to have them reviewed).
    subprocess.run([str(BIN / "ck-scaffold"), str(repo)], cwd=repo, env=env, check=True, capture_output=True)
    git("add", ".")
    subprocess.run([str(BIN / "pre-commit"), "install"], cwd=repo, env=env, check=True, capture_output=True)
    first = git("commit", "-qm", "design", check=False)
    assert first.returncode == 0, first.stdout + first.stderr

    edited = BASE.replace("Rank 4 is enough.", "Rank 4 suffices.")
    broken = _broken("CK210-flow").replace("Rank 4 is enough.", "Rank 4 suffices.")
    (repo / "experiment_summary.yaml").write_text(broken)
    git("add", "experiment_summary.yaml")
    c = git("commit", "-qm", "1-indexed epochs", check=False)
    assert c.returncode != 0  # the hook changed the file: the person reviews it
    assert "fixed 1 finding (CK210)" in c.stdout + c.stderr
    assert (repo / "experiment_summary.yaml").read_text() == edited
    assert git("rev-list", "--count", "HEAD").stdout.strip() == "1"

    git("add", "experiment_summary.yaml")  # reviewed: re-stage and commit again
    again = git("commit", "-qm", "design, fixed", check=False)
    assert again.returncode == 0, again.stdout + again.stderr
    assert git("rev-list", "--count", "HEAD").stdout.strip() == "2"


def test_a_layout_change_outside_the_fix_is_caught(tmp_path, capsys):
    # `~` is null too, but ruamel.yaml writes it back as `null`: a fix made in place (splice.py)
    # keeps it; a fix that needs the round trip would change a line it never meant to touch,
    # so the file is left as it is.
    path = tmp_path / "experiment_summary.yaml"
    text = _broken("CK210-flow").replace("    epochs: null\n", "    epochs: ~\n")
    path.write_text(text)
    assert run(["--fix", str(path)]) == 0
    assert path.read_text() == BASE.replace("    epochs: null\n", "    epochs: ~\n")
    text = BASE.replace("    epochs: [0, 1]  # both checkpoints\n", "    epochs: ~\n").replace(
        "    tasks: [capitalization]\n    epochs: null\n", "    tasks: [capitalization]\n    epochs:\n    - 0\n")
    path.write_text(text)
    capsys.readouterr()
    run(["--fix", str(path)])
    assert path.read_text() == text
    assert "not fixed: ruamel.yaml would change its layout" in capsys.readouterr().err


def test_unchanged_outside():
    from ck_design.validate.fixes.apply import unchanged_outside

    text = "a\nb\nc\nd\n"
    assert unchanged_outside(text, "a\nB\nc\nd\n", [(1, 2)])
    assert unchanged_outside(text, "a\nB\nB2\nc\nd\n", [(1, 2)])
    assert not unchanged_outside(text, "a\nB\nc\nD\n", [(1, 2)])
    assert not unchanged_outside(text, "A\nB\nc\nd\n", [(1, 2)])
    assert unchanged_outside(text, "a\nb\nc\nD\n", [(3, 4)])
    assert unchanged_outside(text, "A\nb\nC\nd\n", [(0, 1), (2, 3)])
    assert not unchanged_outside(text, "A\nb\nC\nd\nextra\n", [(0, 1), (2, 3)])


def test_ignored_codes_are_not_fixed_and_a_symlink_is_not_written_through(tmp_path, capsys):
    real = tmp_path / "designs" / "experiment_summary.yaml"
    real.parent.mkdir()
    real.write_text(_broken("CK210-flow"))
    link = tmp_path / "experiment_summary.yaml"
    link.symlink_to(real)
    assert run(["--fix", "--ignore", "CK210", str(link)]) == 0
    assert real.read_text() == _broken("CK210-flow")
    capsys.readouterr()
    # --fix follows no link (issue 21, item 1): refused, nothing written; the file it points to
    # can be fixed by its own name.
    assert run(["--fix", str(link)]) == 1
    err = capsys.readouterr().err
    assert f"ck-validate: not fixed: {link}: is a symbolic link (to {real})" in err
    assert link.is_symlink() and real.read_text() == _broken("CK210-flow")
    assert run(["--fix", str(real)]) == 0
    assert link.is_symlink() and real.read_text() == BASE
