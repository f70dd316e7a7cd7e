"""Every rule code, triggered by a small change to a valid design: exact codes, line and exit status.

Each case mutates `designs.make_design()` (a clean design), writes it, and asserts
- the exact set of codes `checks.check` reports (nothing missing, nothing extra),
- the line of the expected finding, found independently by searching the YAML text,
- the exit status of `ck-validate` (in-process, `cli.run`) on the same file.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from designs import NAME, dump, line_of, make_design, make_resources, write_dataset, write_design
from era_designs import to_v03

from ck_design.validate import engine as checks
from ck_design.validate import cli
from ck_design.facts import loader
from ck_design.validate.registry import RULES

RUN0 = "Llama-3.2-1B-Instruct_rank4_lr1e-5"
RUN1 = "Llama-3.2-1B-Instruct_rank4_lr1e-4"
CONTROL_1B = "Llama-3.2-1B-Instruct_base"


@dataclass
class Case:
    id: str
    mutate: Callable[[dict[str, Any]], Any]
    codes: set[str]  # exactly the codes reported
    code: str  # the one whose line is asserted
    needle: str  # text on that line...
    after: str | None = None  # ...searched from the first line containing this
    text: Callable[[str], str] | None = None  # a textual edit after dumping (for yes/no words)
    resources: bool = False
    make_kwargs: dict[str, Any] = field(default_factory=dict)
    on_disk: Callable[[Path], None] | None = None  # break a resource after make_resources


def _set(path: tuple[Any, ...], value: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(data: dict[str, Any]) -> None:
        cur: Any = data
        for step in path[:-1]:
            cur = cur[step]
        cur[path[-1]] = value

    return mutate


def _do(*fns: Callable[[dict[str, Any]], Any]) -> Callable[[dict[str, Any]], None]:
    def mutate(data: dict[str, Any]) -> None:
        for fn in fns:
            fn(data)

    return mutate


def _delete(path: tuple[Any, ...]) -> Callable[[dict[str, Any]], None]:
    def mutate(data: dict[str, Any]) -> None:
        cur: Any = data
        for step in path[:-1]:
            cur = cur[step]
        del cur[path[-1]]

    return mutate


def _entry(data: dict[str, Any], run: str) -> dict[str, Any]:
    return next(e for e in data["evaluation"]["matrix"] if e["run"] == run)


def _rename_run(i: int, new: str) -> Callable[[dict[str, Any]], None]:
    def mutate(data: dict[str, Any]) -> None:
        old = data["runs"][i]["name"]
        data["runs"][i]["name"] = new
        _entry(data, old)["run"] = new

    return mutate


def _entry_epochs(run: str, value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda data: _entry(data, run).__setitem__("epochs", value)


def _no_variables(data: dict[str, Any]) -> None:
    pass


def _misspell_variable(name: str, typo: str) -> Callable[[dict[str, Any]], None]:
    """The variable misspelled the same way in `variables` and every run's parameters."""
    def mutate(data: dict[str, Any]) -> None:
        data["variables"] = {(typo if k == name else k): v for k, v in data["variables"].items()}
        for run in data["runs"]:
            run["parameters"] = {(typo if k == name else k): v for k, v in run["parameters"].items()}

    return mutate


EVAL_ONLY = "old_rank8"
CHECKPOINT = "ckpt/old_rank8/epoch_0"


def _eval_only(parameters: dict[str, Any], epochs: Any = None) -> Callable[[dict[str, Any]], None]:
    """Add an eval-only run (an existing checkpoint, evaluated as it is) and its matrix entry."""
    def mutate(data: dict[str, Any]) -> None:
        data["runs"].append({"name": EVAL_ONLY, "type": "eval-only", "model": "Llama-3.2-1B-Instruct",
                             "parameters": parameters, "slurm_overrides": {"constraint": "gpu80"}})
        data["evaluation"]["matrix"].append(
            {"run": EVAL_ONLY, "vis_label": EVAL_ONLY, "tasks": ["capitalization"], "epochs": epochs})

    return mutate


def _dataset_without_validation(path: Path) -> None:
    """The design's dataset with train and test lists only (the seed: "validation (optional)")."""
    example = {"input": "word", "output": "WORD"}
    path.write_text(json.dumps({"train": [example] * 400, "test": [example] * 50}))


def _time_limit(limit: str) -> Callable[[Path], None]:
    """A claude.local.md next to the design giving the partition's time limit (CK298)."""
    return lambda root: (root / "claude.local.md").write_text(f"- **Time limit**: `{limit}`\n")


CASES = [
    # --- CK004 ---
    Case("CK004-description", _set(("evaluation", "tasks", 1, "description"), "__WORD__"), {"CK004"}, "CK004",
         "description: no", text=lambda t: t.replace("__WORD__", "no")),
    Case("CK004-option-tokens",
         _set(("evaluation", "scorer"), [{"name": "risk_scorer", "params": {"option_tokens": ["__A__", "__B__"]}}]),
         {"CK004"}, "CK004", "option_tokens: [yes, no]",
         text=lambda t: t.replace("'__A__'", "yes").replace("'__B__'", "no").replace("__A__", "yes").replace("__B__", "no")),
    # --- schema ---
    Case("CK100-top", _delete(("experiment", "question")), {"CK100"}, "CK100", "experiment:"),
    Case("CK100-run", _delete(("runs", 0, "model")), {"CK100"}, "CK100", f"- name: {RUN0}"),
    Case("CK101", _set(("controls", "batch_size"), "4"), {"CK101"}, "CK101", "batch_size: '4'"),
    Case("CK102-enum", _set(("runs", 0, "type"), "finetuned"), {"CK102"}, "CK102", "type: finetuned"),
    Case("CK102-range", _set(("controls", "epochs"), 0), {"CK102"}, "CK102", "epochs: 0", after="controls:"),
    Case("CK102-empty", _set(("evaluation", "scorer"), []), {"CK102"}, "CK102", "scorer: []"),
    Case("CK103", _set(("controls", "lora_alpha"), 16), {"CK103"}, "CK103", "lora_alpha: 16"),
    # a 0.3-era key in a seed-era design: one finding, at the stray key (tests/test_era_validate.py)
    Case("CK104", _set(("experiment", "project"), "capitalization"), {"CK104"}, "CK104", "project: capitalization"),
    # --- issue 22 item 2: a key a keystroke or two from a known one is a misspelling (an error) ---
    Case("CK105", _set(("controls", "lora_rnk"), 8), {"CK105"}, "CK105", "lora_rnk: 8"),
    Case("CK105-field", _set(("experiment", "questoin"), "Why?"), {"CK105"}, "CK105", "questoin: Why?"),
    Case("CK105-variable", _misspell_variable("lora_rank", "lora_rnak"), {"CK105"}, "CK105", "lora_rnak: [4, 8]"),
    # --- issue 23 item 7: the seed template's REQUIRED fields a default stands in for ---
    Case("CK106-size-gb", lambda d: d["models"]["base"][0].pop("size_gb"), {"CK106"}, "CK106",
         "- name: Llama-3.2-1B-Instruct", after="base:"),
    Case("CK106-checkpoint-pattern", _delete(("output", "checkpoint_pattern")), {"CK106"}, "CK106", "output:"),
    Case("CK106-control-parameters", lambda d: d["runs"][8].pop("parameters"), {"CK106"}, "CK106",
         f"- name: {CONTROL_1B}"),
    # --- prompts ---
    Case("CK201", _set(("evaluation", "system_prompt"), "You are helpful."), {"CK201"}, "CK201",
         "system_prompt: You are helpful."),
    Case("CK202", _set(("controls", "prompt"), "Capitalize this word"), {"CK202"}, "CK202",
         "prompt: Capitalize this word"),
    Case("CK203", _set(("controls", "prompt"), "Capitalize {word}: {input}"), {"CK203"}, "CK203",
         "prompt: 'Capitalize {word}: {input}'"),
    Case("CK202-task", _set(("evaluation", "tasks", 1, "prompt"), "Shout this word"), {"CK202"}, "CK202",
         "prompt: Shout this word"),
    Case("CK206", _set(("evaluation", "tasks", 1, "system_prompt"), "Shout."), {"CK206"}, "CK206",
         "system_prompt: Shout."),
    # 0.3 era: evaluation.system_prompt kept, equal to controls' (era_designs.to_v03 keeps it).
    Case("CK207", to_v03, {"CK207"}, "CK207", "system_prompt: ''", after="matrix:",
         text=lambda t: t + "  system_prompt: ''\n"),  # evaluation is the last block
    # --- epochs ---
    # A control's own system prompt is its evaluation prompt; the fine-tuned run trained with
    # controls' '' is evaluated with evaluation.system_prompt (task over run over controls).
    Case("CK204", _do(_set(("runs", 1, "parameters"), {"system_prompt": "B."}), _set(("evaluation", "system_prompt"), "A.")),
         {"CK204"}, "CK204", "system_prompt: A.",
         make_kwargs={"models": ("Llama-3.2-1B-Instruct",), "variables": {"lora_rank": [4]}}),
    Case("CK210", _entry_epochs(RUN0, [1, 2]), {"CK210"}, "CK210", "epochs: [1, 2]", after=f"run: {RUN0}"),
    Case("CK211", _entry_epochs(CONTROL_1B, [0]), {"CK211"}, "CK211", "epochs: [0]", after=f"run: {CONTROL_1B}"),
    Case("CK212", _entry_epochs(RUN0, None), {"CK212"}, "CK212", "epochs: null", after=f"run: {RUN0}"),
    Case("CK213-duplicate", _entry_epochs(RUN0, [0, 0]), {"CK213"}, "CK213", "epochs: [0, 0]", after=f"run: {RUN0}"),
    Case("CK213-negative", _entry_epochs(RUN0, [-1, 1]), {"CK213"}, "CK213", "epochs: [-1, 1]", after=f"run: {RUN0}"),
    Case("CK215", _eval_only({"checkpoint_path": CHECKPOINT}, [0]), {"CK215"}, "CK215", "epochs: [0]",
         after=f"run: {EVAL_ONLY}"),
    Case("CK213-best-val-loss",
         _do(_set(("controls", "validation_during_training"), False), _entry_epochs(RUN0, "best_val_loss")),
         {"CK213"}, "CK213", "epochs: best_val_loss", after=f"run: {RUN0}"),
    # --- runs and matrix ---
    Case("CK220", _set(("runs", 8, "parameters"), {"lora_rank": 4}), {"CK220"}, "CK220", "lora_rank: 4",
         after=f"- name: {CONTROL_1B}"),
    Case("CK221", _rename_run(8, "Llama-3.2-1B-Instruct_control"), {"CK221"}, "CK221",
         "- name: Llama-3.2-1B-Instruct_control"),
    Case("CK222", _set(("runs", 0, "parameters", "lora_rank"), 16), {"CK222", "CK223", "CK235"}, "CK222",
         "lora_rank: 16"),
    Case("CK226", _eval_only({}), {"CK226"}, "CK226", "parameters: {}", after=f"- name: {EVAL_ONLY}"),
    Case("CK227", _eval_only({"checkpoint_path": CHECKPOINT, "lora_rank": 8}), {"CK227"}, "CK227", "lora_rank: 8",
         after=f"- name: {EVAL_ONLY}"),
    Case("CK223", _rename_run(0, "Llama-3.2-1B-Instruct_lowrank"), {"CK223"}, "CK223",
         "- name: Llama-3.2-1B-Instruct_lowrank"),
    Case("CK230", _set(("runs", 1, "name"), RUN0), {"CK230", "CK223", "CK231"}, "CK230", f"- name: {RUN0}",
         after="    lr: 1.0e-05"),  # runs[0]'s parameters: the next such name is runs[1]
    Case("CK231", _set(("evaluation", "matrix", 0, "run"), "Llama-3.2-1B_rank4"), {"CK231", "CK233"}, "CK231",
         "run: Llama-3.2-1B_rank4"),
    Case("CK232", _set(("evaluation", "matrix", 0, "tasks"), ["capitalisation"]), {"CK232"}, "CK232",
         "tasks: [capitalisation]"),
    Case("CK233", lambda d: d["evaluation"]["matrix"].pop(0), {"CK233"}, "CK233", f"- name: {RUN0}"),
    Case("CK234", lambda d: d["models"]["base"].pop(1), {"CK234"}, "CK234", "model: Llama-3.2-3B-Instruct"),
    Case("CK235-missing", _do(lambda d: d["runs"].pop(0), lambda d: d["evaluation"]["matrix"].pop(0)),
         {"CK235"}, "CK235", "variables:"),
    Case("CK235-repeated", _do(_set(("runs", 1, "parameters", "lr"), 1e-05)), {"CK235", "CK223"}, "CK235",
         "lora_rank: 4", after=f"- name: {RUN1}"),
    Case("CK236", lambda d: d["evaluation"]["tasks"].append(
        {"name": "capitalization", "script": "tasks/other.py", "description": "again"}),
         {"CK236"}, "CK236", "- name: capitalization", after="description: Evaluate capitalization_hard"),
    Case("CK224", _set(("controls", "lora_rank"), 16), {"CK224"}, "CK224", "lora_rank: 16"),
    Case("CK240", lambda d: d["evaluation"]["matrix"][1].__setitem__("vis_label", d["evaluation"]["matrix"][0]["vis_label"]),
         {"CK240"}, "CK240", "vis_label: 1B_rank4_lr1e-5", after=f"run: {RUN1}"),
    # Training validates (controls) on no validation data either: CK255 as well.
    Case("CK214", _do(_set(("data", "training", "splits", "validation"), 0), _entry_epochs(RUN0, "best_val_loss")),
         {"CK214", "CK255"}, "CK214", "epochs: best_val_loss"),
    # --- training steps (400 train examples) ---
    Case("CK250", _do(_set(("controls", "batch_size"), 64), _set(("controls", "num_warmup_steps"), 1)),
         {"CK250"}, "CK250", "epochs: 2", after="controls:"),
    Case("CK251", _set(("controls", "num_warmup_steps"), 500), {"CK251"}, "CK251", "num_warmup_steps: 500"),
    Case("CK252", _set(("controls", "num_warmup_steps"), 100), {"CK252"}, "CK252", "num_warmup_steps: 100"),
    # Issue 23 item 4: left out, num_warmup_steps is the seed's default, 100: the same verdict.
    Case("CK252-default-warmup", _delete(("controls", "num_warmup_steps")), {"CK252"}, "CK252", "controls:"),
    # --- training data (issue 23 items 2 and 3) ---
    Case("CK255", _set(("data", "training", "splits", "validation"), 0), {"CK255"}, "CK255",
         "validation_during_training: true"),
    Case("CK255-resources", lambda d: None, {"CK255", "CK281"}, "CK255", "validation_during_training: true",
         resources=True, on_disk=lambda root: _dataset_without_validation(root / "data" / "words_8L_500.json")),
    Case("CK255-resources-empty", lambda d: None, {"CK255", "CK281"}, "CK255", "validation_during_training: true",
         resources=True,
         on_disk=lambda root: write_dataset(root / "data" / "words_8L_500.json", {"train": 400, "test": 50})),
    Case("CK256", _set(("data", "training", "path"), "data/words_8L_500.parquet"), {"CK256"}, "CK256", "format: json"),
    Case("CK257", _delete(("data", "training", "splits", "train")), {"CK257"}, "CK257", "splits:"),
    # --- paths and conventions ---
    Case("CK260", _set(("experiment", "directory"), "/scratch/me/experiments/cap"), {"CK260"}, "CK260",
         "directory: /scratch/me/experiments/cap"),
    Case("CK261", _set(("output", "checkpoint_pattern"), "ck-out-{run_name}"), {"CK261"}, "CK261",
         "checkpoint_pattern:"),
    Case("CK262", _set(("output", "base_directory"), "/scratch/me/outputs"), {"CK262"}, "CK262",
         "base_directory: /scratch/me/outputs"),
    Case("CK263", lambda d: None, {"CK263"}, "CK263", "name: cap 8L", make_kwargs={"name": "cap 8L"}),
    Case("CK264", lambda d: d["evaluation"]["matrix"][0].__setitem__("vis_label", "rank 4"), {"CK264"}, "CK264",
         "vis_label: rank 4"),
    Case("CK265", _set(("data", "training", "label"), "words"), {"CK265"}, "CK265", "label: words"),
    Case("CK266", _do(to_v03, _set(("experiment", "project"), "cap/2026")), {"CK266"}, "CK266", "project: cap/2026"),
    Case("CK267", _set(("output", "base_directory"), f"/scratch/alice/ck-outputs/{NAME}"), {"CK267"}, "CK267",
         "base_directory: /scratch/alice/"),
    Case("CK268", _set(("output", "checkpoint_pattern"), "{run_name}/epoch_{N}"), {"CK268"}, "CK268",
         "checkpoint_pattern:"),
    Case("CK271-no-date", lambda d: None, {"CK271"}, "CK271", "name: cap_8L_lora_comparison",
         make_kwargs={"name": "cap_8L_lora_comparison"}),
    Case("CK271-other-date", lambda d: None, {"CK271"}, "CK271", "name: cap_8L_lora_comparison_2026-11-24",
         make_kwargs={"name": "cap_8L_lora_comparison_2026-11-24"}),
    Case("CK270", _set(("experiment", "date"), "2026-02-30"), {"CK270"}, "CK270", "date: '2026-02-30'"),
    # --- resources ---
    Case("CK280-model", lambda d: None, {"CK280"}, "CK280", "path: models/Llama-3.2-3B-Instruct", resources=True,
         on_disk=lambda root: shutil.rmtree(root / "models" / "Llama-3.2-3B-Instruct")),
    Case("CK280-script", lambda d: None, {"CK280"}, "CK280", "script: tasks/capitalization_hard.py", resources=True,
         on_disk=lambda root: (root / "tasks" / "capitalization_hard.py").unlink()),
    Case("CK281", _set(("data", "training", "splits", "train"), 500), {"CK281"}, "CK281", "train: 500", resources=True),
    Case("CK282", lambda d: None, {"CK282"}, "CK282", "script: tasks/capitalization.py", resources=True,
         on_disk=lambda root: (root / "tasks" / "capitalization.py").write_text("def capitalization():\n    pass\n")),
    Case("CK283", _set(("data", "training", "size_kb"), None), {"CK283"}, "CK283", "size_kb: null", resources=True),
    Case("CK284-missing", _eval_only({"checkpoint_path": "ckpt/gone/epoch_0"}), {"CK284"}, "CK284",
         "checkpoint_path: ckpt/gone/epoch_0", resources=True),
    Case("CK284-not-a-model", _eval_only({"checkpoint_path": "ckpt/old_rank8"}), {"CK284"}, "CK284",
         "checkpoint_path: ckpt/old_rank8", resources=True,
         on_disk=lambda root: (root / "ckpt" / "old_rank8").mkdir(parents=True)),
    Case("CK298", _set(("runs", 0, "compute"), {"time": "36:00:00", "gpus": 1, "mem": "32G"}), {"CK298"}, "CK298",
         "time: '36:00:00'", resources=True, on_disk=_time_limit("1-00:00:00")),
    # --- scorers and GPUs ---
    Case("CK290", _set(("evaluation", "scorer", 0, "params", "location"), "start"), {"CK290"}, "CK290",
         "location: start"),
    Case("CK291", _set(("evaluation", "scorer", 0, "name"), "exact_match"), {"CK291"}, "CK291", "name: exact_match"),
    Case("CK292-shared", lambda d: None, {"CK292"}, "CK292", f"- name: {RUN0}", make_kwargs={"full_gpu": False}),
    Case("CK292-multi", lambda d: None, {"CK292"}, "CK292", "model: Llama-3.3-70B-Instruct",
         make_kwargs={"models": ("Llama-3.3-70B-Instruct",), "full_gpu": False}),
    # Issue 23 item 1: a model that needs a full GPU or more always gets one, in a sanity check too.
    Case("CK292-sanity-check-large-model", _set(("controls", "gpus"), 4), {"CK292"}, "CK292",
         "- name: Llama-3.3-70B-Instruct_rank4_lr1e-5",
         make_kwargs={"models": ("Llama-3.3-70B-Instruct",), "full_gpu": False, "experiment_type": "sanity_check"}),
    Case("CK293", lambda d: None, {"CK293"}, "CK293", "- name: Custom-7B-Chat",
         make_kwargs={"models": ("Custom-7B-Chat",)}),
    # --- beyond the seed (issue 11): dataset type ---
    Case("CK205", _do(_set(("controls", "system_prompt"), "You capitalize words."),
                      _set(("evaluation", "system_prompt"), "You capitalize words."),
                      _set(("controls", "dataset_type"), "text_completion")),
         {"CK205"}, "CK205", "system_prompt: You capitalize words.", after="controls:"),
    Case("CK102-dataset-type", _set(("controls", "dataset_type"), "chat"), {"CK102"}, "CK102", "dataset_type: chat"),
    # --- beyond the seed (issue 11): evaluation settings ---
    Case("CK296", _do(_set(("evaluation", "temperature"), 0.7), _set(("evaluation", "sampling"), False)),
         {"CK296"}, "CK296", "sampling: false"),
    Case("CK297", _set(("evaluation", "sampling"), True), {"CK297"}, "CK297", "sampling: true"),
    Case("CK102-max-tokens", _set(("evaluation", "max_tokens"), 0), {"CK102"}, "CK102", "max_tokens: 0"),
    Case("CK101-seed", _set(("evaluation", "seed"), "42"), {"CK101"}, "CK101", "seed: '42'"),
]


def _build(tmp_path: Path, case: Case) -> Path:
    data = make_design(**case.make_kwargs)
    if case.resources:
        make_resources(tmp_path, data)
    case.mutate(data)
    text = dump(data)
    if case.text:
        text = case.text(text)
    path = write_design(tmp_path, text)
    if case.on_disk:
        case.on_disk(tmp_path)
    return path


def _exit_status(path: Path, resources: bool, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[dict[str, Any]]]:
    argv = ["--format", "json", str(path)] + (["--check-resources"] if resources else [])
    status = cli.run(argv)
    out = capsys.readouterr().out
    return status, json.loads(out)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_rule(case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _build(tmp_path, case)
    text = path.read_text()
    findings = checks.check(loader.load_file(path), check_resources=case.resources)
    assert {f.code for f in findings} == case.codes, "\n".join(f"{f.line}: {f.code} {f.message}" for f in findings)
    expected_line = line_of(text, case.needle, after=case.after)
    lines = sorted(f.line for f in findings if f.code == case.code)
    assert expected_line in lines, (lines, expected_line)
    for f in findings:
        assert f.severity in ("error", "warning")
        assert f.message and f.path == str(path)
    status, reported = _exit_status(path, case.resources, capsys)
    errors = any(f.severity == "error" for f in findings)
    assert status == (1 if errors else 0)
    assert {(r["code"], r["line"]) for r in reported} == {(f.code, f.line) for f in findings}


def test_every_design_rule_has_a_case() -> None:
    covered = {c.code for c in CASES} | {"CK001", "CK002", "CK003"}  # load errors: test_load_error_codes
    design_codes = {code for code in RULES if not code.startswith("CK3")}
    assert design_codes <= covered, sorted(design_codes - covered)


@pytest.mark.parametrize(
    ("code", "text", "line"),
    [
        ("CK001", "experiment:\n  name: [unclosed\nruns: []\n", 3),
        ("CK002", "experiment: {}\nruns: []\nruns: []\n", 3),
        ("CK003", "- just\n- a list\n", 1),
    ],
)
def test_load_error_codes(code: str, text: str, line: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_design(tmp_path, text)
    status, reported = _exit_status(path, False, capsys)
    assert status == 1
    assert [(r["code"], r["line"]) for r in reported] == [(code, line)]


# --- messages and hints name the values ------------------------------------------------------


def _findings(tmp_path: Path, data: dict[str, Any], **kwargs: Any) -> list[checks.Finding]:
    return checks.check(loader.load_file(write_design(tmp_path, data)), **kwargs)


LONG_PROMPT = "You are a careful copy editor. Capitalize the word you are given."


@pytest.mark.parametrize(
    ("train", "evaluate", "where"),
    [
        # Whitespace is part of the prompt the model sees: a trailing space or newline is a mismatch.
        ("You capitalize words.", "You capitalize words. ", ""),
        ("You capitalize words.", "You capitalize words.\n", ""),
        (" ", "", ""),
        (LONG_PROMPT, LONG_PROMPT.replace("word you", "word  you"), " (first difference at character 52)"),  # the second space
        (LONG_PROMPT, LONG_PROMPT + "\n", f" (first difference at character {len(LONG_PROMPT) + 1})"),
        (LONG_PROMPT.replace("You", "you"), LONG_PROMPT, " (first difference at character 1)"),
    ],
)
def test_ck201_any_difference_is_reported_and_its_first_character_named(tmp_path: Path, train: str, evaluate: str,
                                                                         where: str) -> None:
    data = make_design()
    data["controls"]["system_prompt"], data["evaluation"]["system_prompt"] = train, evaluate
    (f,) = _findings(tmp_path, data)
    assert f.code == "CK201"
    assert f.message == (f"evaluation.system_prompt {evaluate!r} differs from controls.system_prompt {train!r}{where}")


def test_valid_design_passes_clean_with_resources(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = make_design()
    assert len(data["models"]["base"]) == 2 and len(data["variables"]) == 2
    assert len(data["evaluation"]["tasks"]) == 2 and any(r["type"] == "control" for r in data["runs"])
    make_resources(tmp_path, data)
    path = write_design(tmp_path, data)
    assert checks.check(loader.load_file(path), check_resources=True) == []
    status, reported = _exit_status(path, True, capsys)
    assert (status, reported) == (0, [])


def test_ck210_message_and_one_indexed_hint(tmp_path: Path) -> None:
    data = make_design()
    _entry(data, RUN0)["epochs"] = [1, 2]
    (f,) = _findings(tmp_path, data)
    assert f.message == "epoch 2 is past training: controls.epochs is 2, so checkpoints are epoch_0 and epoch_1"
    assert "0-indexed" in f.hint and "[0, 1]" in f.hint


def test_ck210_uses_the_runs_own_epochs(tmp_path: Path) -> None:
    data = make_design(variables={"epochs": [1, 3]}, eval_epochs="last")
    # The epochs=1 run asks for epoch 1: past its own training, though controls says 2.
    entry = _entry(data, "Llama-3.2-1B-Instruct_ep1")
    entry["epochs"] = [1]
    findings = [f for f in _findings(tmp_path, data) if f.code == "CK210"]
    assert len(findings) == 1
    assert "runs[0].parameters.epochs is 1" in findings[0].message
    assert "the only checkpoint is epoch_0" in findings[0].message


def test_ck102_message_names_the_allowed_values(tmp_path: Path) -> None:
    data = make_design()
    data["runs"][3]["type"] = "finetuned"
    (f,) = _findings(tmp_path, data)
    assert f.message == "runs[3].type: 'finetuned' is not one of 'fine-tuned', 'control', 'eval-only'"
    assert f.hint == "did you mean 'fine-tuned'?"


def test_ck100_hint_spots_the_misspelled_key(tmp_path: Path) -> None:
    data = make_design()
    data["runs"][0]["modle"] = data["runs"][0].pop("model")
    codes = {f.code: f for f in _findings(tmp_path, data)}
    assert set(codes) == {"CK100", "CK105"}
    assert "'modle'" in codes["CK100"].hint
    assert codes["CK105"].hint == "rename the key to 'model'"
    assert codes["CK105"].severity == "error" and "resembles 'model'" in codes["CK105"].message


def test_ck201_shows_both_prompts(tmp_path: Path) -> None:
    data = make_design()
    data["evaluation"]["system_prompt"] = "Be brief."
    (f,) = _findings(tmp_path, data)
    assert "'Be brief.'" in f.message and "''" in f.message


def test_ck223_proposes_the_conventional_name(tmp_path: Path) -> None:
    data = make_design()
    _rename_run(0, "my_run")(data)
    (f,) = _findings(tmp_path, data)
    assert f.code == "CK223" and RUN0 in f.hint


def test_ck250_per_run_values(tmp_path: Path) -> None:
    data = make_design(variables={"batch_size": [4, 128]})
    data["controls"].pop("batch_size")
    data["controls"]["num_warmup_steps"] = 1
    text = dump(data)
    findings = [f for f in _findings(tmp_path, data) if f.code == "CK250"]
    # One per 128-batch run (both models); the 4-batch runs train 200 steps.
    assert len(findings) == 2
    assert "400 train examples / (batch_size 128 x gradient_accumulation_steps 1) = 4 steps per epoch x 2 epochs = 8 total steps" in findings[0].message
    assert findings[0].line == line_of(text, "batch_size: 128", after="- name: Llama-3.2-1B-Instruct_bs128")


def test_ck004_not_for_boolean_parameters(tmp_path: Path) -> None:
    data = make_design()
    text = dump(data).replace("packing: true", "packing: yes").replace("validation_during_training: true", "validation_during_training: on")
    path = write_design(tmp_path, text)
    assert checks.check(loader.load_file(path)) == []


def test_ck004_replaces_the_type_error(tmp_path: Path) -> None:
    data = make_design()
    data["evaluation"]["matrix"][0]["vis_label"] = "__X__"
    path = write_design(tmp_path, dump(data).replace("__X__", "off"))
    (f,) = checks.check(loader.load_file(path))
    assert f.code == "CK004" and "'off'" in f.hint


def test_ck105_misspelled_variable_name(tmp_path: Path) -> None:
    data = make_design(variables={"lora_rnak": [4, 8]})
    findings = _findings(tmp_path, data)
    assert {f.code for f in findings} == {"CK105"}
    assert findings[0].hint == "rename it to 'lora_rank' here, in every run's parameters and in the run names"


def test_ck103_unknown_variable_name(tmp_path: Path) -> None:
    data = make_design(variables={"lora_alpha": [16, 32]})
    findings = _findings(tmp_path, data)
    assert {f.code for f in findings} == {"CK103"}
    assert findings[0].severity == "warning"


def test_one_round_structural_error_does_not_hide_rules(tmp_path: Path) -> None:
    data = make_design()
    data["runs"][2]["parameters"] = [8]  # broken run
    _entry(data, RUN0)["epochs"] = [2]  # a rule finding elsewhere
    data["evaluation"]["system_prompt"] = "x"
    codes = {f.code for f in _findings(tmp_path, data)}
    assert {"CK101", "CK210", "CK201"} <= codes


def test_relative_paths_resolve_against_the_design_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = make_design()
    sub = tmp_path / "exp"
    sub.mkdir()
    make_resources(sub, data)
    monkeypatch.chdir(tmp_path)  # not the design's directory
    assert checks.check(loader.load_file(write_design(sub, data)), check_resources=True) == []


def test_ck283_only_with_check_resources(tmp_path: Path) -> None:
    data = make_design()
    data["data"]["training"]["splits"]["test"] = None
    assert _findings(tmp_path, data) == []
    codes = [f.code for f in _findings(tmp_path, data, check_resources=True)]
    assert "CK283" in codes


def test_ck292_is_an_error_for_a_model_that_needs_several_gpus(tmp_path: Path) -> None:
    data = make_design(models=("Llama-3.3-70B-Instruct",), full_gpu=False)
    findings = _findings(tmp_path, data)
    assert findings and all(f.code == "CK292" and f.severity == "error" for f in findings)
    data["controls"]["gpus"] = 4
    # Enough GPUs, but no full-GPU override in an experiment: a warning (issue 9 item 7).
    findings = _findings(tmp_path, data)
    assert findings and all(f.code == "CK292" and f.severity == "warning" for f in findings)
    data = make_design(models=("Llama-3.3-70B-Instruct",), full_gpu=True)
    data["controls"]["gpus"] = 4
    assert _findings(tmp_path, data) == []


def test_sanity_checks_may_omit_slurm_overrides(tmp_path: Path) -> None:
    data = make_design(full_gpu=False, experiment_type="sanity_check")
    assert _findings(tmp_path, data) == []


# --- through the installed console script ----------------------------------------------------

CK_VALIDATE = Path(sys.executable).parent / "ck-validate"


def test_console_script_valid_design_with_resources(tmp_path: Path) -> None:
    data = make_design()
    make_resources(tmp_path, data)
    path = write_design(tmp_path, data)
    proc = subprocess.run([str(CK_VALIDATE), "--check-resources", str(path)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "CK" not in proc.stdout


def test_console_script_reports_file_line_column_code_and_hint(tmp_path: Path) -> None:
    data = make_design()
    _entry(data, RUN0)["epochs"] = [1, 2]
    path = write_design(tmp_path, data)
    line = line_of(path.read_text(), "epochs: [1, 2]")
    column = path.read_text().splitlines()[line - 1].index("2]") + 1
    proc = subprocess.run([str(CK_VALIDATE), str(path)], capture_output=True, text=True)
    assert proc.returncode == 1
    first, hint = proc.stdout.splitlines()[:2]
    assert first == (
        f"{path}:{line}:{column}: CK210 [*] error: epoch 2 is past training: controls.epochs is 2, "
        "so checkpoints are epoch_0 and epoch_1"
    )
    assert hint.strip().startswith("hint:") and "[0, 1]" in hint


def test_console_script_warning_only_exits_zero_and_strict_exits_one(tmp_path: Path) -> None:
    path = write_design(tmp_path, make_design(full_gpu=False))  # CK292 warnings only
    assert subprocess.run([str(CK_VALIDATE), str(path)], capture_output=True).returncode == 0
    assert subprocess.run([str(CK_VALIDATE), "--strict", str(path)], capture_output=True).returncode == 1
    assert subprocess.run([str(CK_VALIDATE), "--strict", "--ignore", "CK292", str(path)], capture_output=True).returncode == 0


def test_swept_prompt_lacking_input_is_reported_once_at_the_variable(tmp_path: Path) -> None:
    data = make_design(variables={"prompt": ["Capitalize: {input}", "Capitalize this"]})
    data["controls"].pop("prompt")
    text = dump(data)
    findings = _findings(tmp_path, data)
    # controls.prompt is not required when the prompt is varied; run names say a swept prompt's
    # position (`_prompt2`, naming.value_label), so they stay safe directory names (no CK264)
    assert {f.code for f in findings} == {"CK202"}
    assert [(f.line, f.message.split(":")[0]) for f in findings if f.code == "CK202"] == [
        (line_of(text, "prompt: ['Capitalize: {input}', Capitalize this]"), "variables.prompt[1]")
    ]


def test_ck210_last_epoch_one_indexed(tmp_path: Path) -> None:
    data = make_design(eval_epochs="last")
    _entry(data, RUN0)["epochs"] = [2]
    (f,) = _findings(tmp_path, data)
    assert f.code == "CK210" and "did you mean [1]?" in f.hint


def test_non_string_keys(tmp_path: Path) -> None:
    data = make_design()
    text = dump(data).replace("variables:\n", "variables:\n  2: [2]\n").replace("  temperature: 0.0\n", "  temperature: 0.0\n  on: 1\n")
    path = write_design(tmp_path, text)
    findings = checks.check(loader.load_file(path))
    assert [(f.code, f.line) for f in findings] == [
        ("CK101", line_of(text, "  2: [2]")),
        ("CK004", line_of(text, "  on: 1")),
    ]


def test_evaluation_settings_that_agree_pass_clean(tmp_path: Path) -> None:
    """Sampling at a temperature, with max_tokens and seed (issue 11 part 5): no finding."""
    data = make_design()
    data["evaluation"].update(temperature=0.7, sampling=True, max_tokens=32, seed=1234)
    assert checks.check(loader.load_file(write_design(tmp_path, data))) == []
    data["evaluation"].update(temperature=0.0, sampling=False)
    assert checks.check(loader.load_file(write_design(tmp_path, data))) == []
