"""Golden test: what ck-validate prints and what the wizard renders, pinned byte for byte.

Recorded before the big internal restructure, so that it can prove it changed nothing a user sees:

    tests/golden/inputs/<case>.yaml|.log     the files ck-validate is run on (designs built by
                                             tests/designs.py, broken variants, small logs)
    tests/golden/ck-validate/<run>.out       `ck-validate ...` run as a real subprocess in a temp
                                             dir (cwd = that dir, relative file names): the command,
                                             exit code, stdout and stderr. The test calls the
                                             console script's function in-process for all of them
                                             (~100 interpreter start-ups were a third of make
                                             test-fast's CPU) and runs SUBPROCESS_RUNS as the real
                                             console script too, each byte-identical both ways.
    tests/golden/render/*                    a real `copier copy --trust --defaults` of the bundled
                                             example (examples/capitalization), machine-specific
                                             bits replaced by <PLACEHOLDERS>

ck-validate runs on the *recorded* inputs, so a change to tests/designs.py cannot hide a change
in the validator; test_inputs_are_what_the_builders_make says separately whether the builders
(ck_design.design through tests/designs.py) still make those inputs.

After an intended change of behaviour, re-record and review the diff of tests/golden/:

    .venv/bin/python tests/test_golden.py --record
"""

from __future__ import annotations

import difflib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import inprocess
import pytest
from tools import needs

sys.path.insert(0, str(Path(__file__).resolve().parent))
from designs import dump, make_design, make_resources
from era_designs import to_v03

import ck_design

REPO = Path(__file__).resolve().parent.parent
GOLDEN = REPO / "tests" / "golden"
BIN = Path(sys.executable).parent
CK_VALIDATE = BIN / "ck-validate"
COPIER = BIN / "copier"
GIT_ENV = {
    "GIT_AUTHOR_NAME": "ck golden", "GIT_AUTHOR_EMAIL": "ck-golden@example.invalid",
    "GIT_COMMITTER_NAME": "ck golden", "GIT_COMMITTER_EMAIL": "ck-golden@example.invalid",
}
EXAMPLES = ("experiment_summary.yaml", "typical-mistakes.yaml")


# --- inputs ---------------------------------------------------------------------------------

def mutate(change: Callable[[dict[str, Any]], Any], **kwargs: Any) -> Callable[[], str]:
    """make_design(**kwargs), changed in place by `change`, as YAML text."""
    def build() -> str:
        data = make_design(**kwargs)
        change(data)
        return dump(data)
    return build


def edit_text(old: str, new: str, **kwargs: Any) -> Callable[[], str]:
    """make_design(**kwargs) as YAML text with the one line `old` replaced by `new`."""
    def build() -> str:
        text = dump(make_design(**kwargs))
        assert text.count(old) == 1, f"{old!r} is not exactly once in the design"
        return text.replace(old, new)
    return build


def valid(**kwargs: Any) -> Callable[[], str]:
    return lambda: dump(make_design(**kwargs))


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """data[a][b][c] = value for path "a.b.c" (list indexes as numbers)."""
    def change(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = data
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value
    return change


def _delete(path: str) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = data
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        del node[last]
    return change


def _rename_param(data: dict[str, Any]) -> None:
    run = data["runs"][0]
    run["parameters"] = {("lora_rnak" if k == "lora_rank" else k): v for k, v in run["parameters"].items()}


def _drop_run(data: dict[str, Any]) -> None:
    name = data["runs"].pop(1)["name"]
    data["evaluation"]["matrix"] = [e for e in data["evaluation"]["matrix"] if e["run"] != name]


def _negative_lr(data: dict[str, Any]) -> None:
    data["controls"]["lr"] = -0.0001


def _control_params(data: dict[str, Any]) -> None:
    control = next(r for r in data["runs"] if r["type"] == "control")
    control["parameters"] = {"lora_rank": 4}


def _control_epochs(data: dict[str, Any]) -> None:
    entry = next(e for e in data["evaluation"]["matrix"] if e["epochs"] is None)
    entry["epochs"] = [0, 1]


ONE_MODEL = ("Llama-3.2-1B-Instruct",)
RANK_ONLY = {"lora_rank": [4, 8]}

# Valid designs: make_design() and variants through its keyword arguments.
VALID: dict[str, Callable[[], str]] = {
    "valid_default": valid(),
    "valid_one_model": valid(models=ONE_MODEL),
    "valid_sanity_check": valid(experiment_type="sanity_check", name="words_8L_500_sanity_2026-11-25"),
    "valid_eval_last": valid(eval_epochs="last"),
    "valid_eval_best_val_loss": valid(eval_epochs="best_val_loss"),
    "valid_no_base_controls": valid(include_base_controls=False),
    "valid_one_variable_one_task_3_epochs": valid(variables=RANK_ONLY, tasks=("capitalization",), epochs=3),
    # cruijff_kit 0.3 (issue 19): make_design() as 0.3 writes it (UPSTREAM.md section 1, by hand)
    "valid_v03": lambda: dump(to_v03(make_design())),
    }


def v03(change: Callable[[dict[str, Any]], Any]) -> Callable[[], str]:
    """make_design() as 0.3 writes it (tests/era_designs.to_v03), changed in place by `change`."""
    def build() -> str:
        data = to_v03(make_design())
        change(data)
        return dump(data)
    return build


def _mix_eras(data: dict[str, Any]) -> None:
    data["output"]["base_directory"] = "/scratch/me/ck-outputs/" + data["experiment"]["name"]

# Broken variants of make_design(): each breaks one thing.
BROKEN: dict[str, Callable[[], str]] = {
    "broken_epochs_1_indexed": mutate(_set("evaluation.matrix.0.epochs", [1, 2])),
    "broken_epochs_past_training": mutate(_set("evaluation.matrix.1.epochs", [0, 5])),
    "broken_fine_tuned_epochs_null": mutate(_set("evaluation.matrix.0.epochs", None)),
    "broken_control_given_epochs": mutate(_control_epochs),
    "broken_control_with_parameters": mutate(_control_params),
    "broken_best_val_loss_without_validation": mutate(_set("controls.validation_during_training", False),
                                                      eval_epochs="best_val_loss"),
    "broken_eval_system_prompt_differs": mutate(_set("evaluation.system_prompt", "You are a careful copy editor.")),
    "broken_prompt_without_input": mutate(_set("controls.prompt", "Capitalize the word.\n")),
    "broken_controls_typo_lora_rnak": mutate(_set("controls.lora_rnak", 8), variables={"lr": [1e-05, 0.0001]}),
    "broken_run_parameter_typo_lora_rnak": mutate(_rename_param),
    "broken_controls_unknown_key": mutate(_set("controls.lora_alpha", 16), variables={"lr": [1e-05, 0.0001]}),
    "broken_batch_size_string": mutate(_set("controls.batch_size", "four")),
    "broken_missing_question": mutate(_delete("experiment.question")),
    "broken_duplicate_run_name": mutate(lambda d: d["runs"][1].update(name=d["runs"][0]["name"])),
    "broken_matrix_unknown_run": mutate(_set("evaluation.matrix.0.run", "Llama-3.2-1B-Instruct_rank99")),
    "broken_matrix_unknown_task": mutate(_set("evaluation.matrix.0.tasks", ["capitalisation"])),
    "broken_incomplete_sweep": mutate(_drop_run),
    "broken_duplicate_vis_label": mutate(lambda d: d["evaluation"]["matrix"][1].update(
        vis_label=d["evaluation"]["matrix"][0]["vis_label"])),
    "broken_negative_lr": mutate(_negative_lr, variables=RANK_ONLY),
    "broken_yaml11_boolean_yes": edit_text("  hypothesis: ''\n", "  hypothesis: yes\n"),
    "broken_duplicate_key": edit_text("  batch_size: 4\n", "  batch_size: 4\n  batch_size: 8\n"),
    "broken_too_few_training_steps": mutate(_set("data.training.splits.train", 40)),
    "broken_checkpoint_pattern_without_n": mutate(_set("output.checkpoint_pattern", "ck-out-{run_name}/final")),
    "broken_date_not_real": mutate(_set("experiment.date", "2026-02-30")),
    "broken_unsafe_experiment_name": mutate(_set("experiment.name", "../words")),
    "broken_match_location": mutate(_set("evaluation.scorer.0.params.location", "middle")),
    "broken_no_full_gpu_overrides": valid(full_gpu=False),
    "broken_not_yaml": lambda: "experiment: [unclosed\n  name: x\n",
    "broken_empty_document": lambda: "",
    # cruijff_kit 0.3 designs, each broken once
    "broken_v03_project_not_a_folder_name": v03(_set("experiment.project", "capitalization/2026")),
    "broken_v03_do_sample_greedy_temperature": v03(lambda d: d["evaluation"].update(do_sample=True, temperature=0.0)),
    "broken_v03_seed_era_key_kept": v03(_mix_eras),
}

# Designs checked with --check-resources; the temp dir holds make_resources(make_design()).
RESOURCES: dict[str, Callable[[], str]] = {
    "resources_ok": valid(),
    "resources_splits_differ": mutate(_set("data.training.splits.train", 399)),
    "resources_missing_model": mutate(_set("models.base.1.path", "models/missing")),
}

GOOD_LOG = """\
[2026-11-25 14:30:01] START_DESIGN
Details: Designing experiment with the ck-design wizard (copier copy)
Experiment: words_8L_500_lora_rank_comparison_2026-11-25
Type: experiment
Directory: /scratch/me/ck-experiments/words_8L_500_lora_rank_comparison_2026-11-25
Result: success

[2026-11-25 14:30:01] USER_RESPONSE
Details: Answer to question
Question: question
Response: "Does LoRA rank matter?"
Result: success

[2026-11-25 14:30:02] VERIFY_DATASET
Details: Verifying training dataset exists and parses
Path: /scratch/me/data/words.json
Error: FileNotFoundError - /scratch/me/data/words.json does not exist
Result: failure

[2026-11-25 14:30:02] CHECK_DISK_SPACE
Details: Checking free disk space under the scratch directory
Free: 12 GB
Answer:
Error: LowDiskSpace - 12 GB free, 40 GB needed
Result: warning

[2026-11-25 14:30:03] COMPLETE_DESIGN
Details: Design complete
Duration: 2s
Result: success
"""

BROKEN_LOG = """\
[2026-11-25 14:30:01] START_DESIGN
Details: Designing experiment
Experiment: words
Result: success

[2026-11-25 14:30] VERIFY_MODEL
Details: Verifying model directory exists
Result: success

[2026-11-25 14:30:02] VERIFY_MODLE
Details: Verifying model directory exists
Result: success

[2026-11-25 14:30:03] VERIFY_DATASET
Path: /scratch/me/data/words.json
Result: success

[2026-11-25 14:30:04] USER_RESPONSE
Details: Answer to question
a stray line
Result: success

[2026-11-25 14:30:05] CHECK_DISK_SPACE
Details: Checking free space
Free: 12 GB

[2026-11-25 14:30:06] VERIFY_EVAL_TASK
Details: Verifying task script
Result: failure


[2026-11-25 14:29:00] GENERATE_RUNS
Details: Generated runs
Result: succeeded
[2026-11-25 14:30:07] COMPLETE_DESIGN
Details: Design complete
Result: success
"""

LOGS: dict[str, Callable[[], str]] = {
    "log_valid": lambda: GOOD_LOG,
    "log_broken": lambda: BROKEN_LOG,
    "log_empty": lambda: "",
}

# Every input file: golden/inputs/<name>, written into the temp dir under the same name.
INPUTS: dict[str, Callable[[], str]] = {
    **{f"{k}.yaml": v for k, v in {**VALID, **BROKEN, **RESOURCES}.items()},
    **{f"{k}.log": v for k, v in LOGS.items()},
}


def _runs() -> dict[str, list[str]]:
    """Golden name -> ck-validate arguments (run with cwd = the temp dir)."""
    runs: dict[str, list[str]] = {}
    for name in (*VALID, *BROKEN):
        runs[f"{name}.text"] = [f"{name}.yaml"]
        runs[f"{name}.json"] = ["--format", "json", f"{name}.yaml"]
    for example in EXAMPLES:
        stem = Path(example).stem
        runs[f"example_{stem}.text"] = [f"examples/{example}"]
        runs[f"example_{stem}.json"] = ["--format", "json", f"examples/{example}"]
    for name in RESOURCES:
        runs[f"{name}.text"] = ["--check-resources", f"{name}.yaml"]
        runs[f"{name}.json"] = ["--check-resources", "--format", "json", f"{name}.yaml"]
    for name in LOGS:
        runs[f"{name}.text"] = ["--log", f"{name}.log"]
        runs[f"{name}.json"] = ["--log", "--format", "json", f"{name}.log"]
    # a few command-line variations
    runs["cli_strict_on_warnings.text"] = ["--strict", "broken_controls_unknown_key.yaml"]
    runs["cli_ignore_codes.text"] = ["--ignore", "CK201", "--ignore", "CK103,CK233", "examples/typical-mistakes.yaml"]
    runs["cli_several_files.text"] = ["valid_default.yaml", "examples/typical-mistakes.yaml", "broken_not_yaml.yaml"]
    runs["cli_several_files.json"] = ["--format", "json", "valid_default.yaml", "examples/typical-mistakes.yaml",
                                      "broken_not_yaml.yaml"]
    runs["cli_log_by_suffix.text"] = ["log_broken.log"]
    runs["cli_missing_file.text"] = ["no-such-file.yaml"]
    runs["cli_missing_file.json"] = ["--format", "json", "no-such-file.yaml"]
    runs["cli_unknown_format.text"] = ["--format", "xml", "valid_default.yaml"]
    runs["cli_unknown_ignore_code.text"] = ["--ignore", "CK999", "valid_default.yaml"]
    runs["cli_default_path_missing.text"] = []
    return runs


RUNS = _runs()


def subprocess_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "CK_LOCAL_CONFIG")}
    env.update(GIT_ENV, COLUMNS="100", PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}")
    return env


# --- running ----------------------------------------------------------------------------------

def write_inputs(work: Path, source: Callable[[str], str]) -> None:
    """The inputs (text from `source(name)`), the bundled examples and the resources, in `work`."""
    for name in INPUTS:
        (work / name).write_bytes(source(name).encode("utf-8"))
    (work / "examples").mkdir()
    for example in EXAMPLES:
        shutil.copyfile(REPO / "examples" / example, work / "examples" / example)
    make_resources(work, make_design())


def run_validate(work: Path, args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run([str(CK_VALIDATE), *args], cwd=work, env=env, capture_output=True, timeout=120)
    return _recorded_form(args, done.returncode, done.stdout, done.stderr)


def _recorded_form(args: list[str], code: int, out: bytes, err: bytes) -> str:
    return "".join([
        f"$ {' '.join(['ck-validate', *args])}\n",
        f"[exit code] {code}\n",
        "[stdout]\n", out.decode("utf-8", "replace"),
        "[stderr]\n", err.decode("utf-8", "replace"),
    ])


def run_validate_in_process(work: Path, args: list[str]) -> str:
    """`ck-validate args` through the console script's function in this process
    (tests/inprocess.py): cwd `work`, subprocess_env()'s variables, the bytes a pipe carries."""
    env: dict[str, str | None] = {"NO_COLOR": None, "FORCE_COLOR": None, "CK_LOCAL_CONFIG": None, "COLUMNS": "100"}
    done = inprocess.ck_validate(args, cwd=work, env=env)
    return _recorded_form(args, done.returncode, done.stdout, done.stderr)


def validate_outputs(source: Callable[[str], str]) -> dict[str, str]:
    """Golden name -> the recorded form of that ck-validate run, on the inputs `source` gives."""
    with tempfile.TemporaryDirectory(prefix="ck-golden-") as tmp:
        work = Path(tmp)
        write_inputs(work, source)
        env = subprocess_env()
        with ThreadPoolExecutor(max_workers=min(8, (os.cpu_count() or 2) * 2)) as pool:
            futures = {name: pool.submit(run_validate, work, args, env) for name, args in RUNS.items()}
            return {name: future.result() for name, future in futures.items()}


def normalize(text: str, replacements: list[tuple[str, str]]) -> str:
    for old, new in replacements:
        text = text.replace(old, new)
    text = re.sub(r"^(# yaml-language-server: \$schema=)\S+$", r"\1<SCHEMA>", text, flags=re.M)
    text = re.sub(r"^_commit: \S+$", "_commit: <COMMIT>", text, flags=re.M)
    text = re.sub(r"^(Template: .*) @ \S+$", r"\1 @ <COMMIT>", text, flags=re.M)
    text = re.sub(r"^\[\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\] ", "[<TIMESTAMP>] ", text, flags=re.M)
    text = re.sub(r"^(Free|Duration): .*$", r"\1: <\1>", text, flags=re.M)
    # The design's hash covers its absolute paths, which hold the temporary folder.
    text = re.sub(r"^Design SHA-256: [0-9a-f]{64}$", "Design SHA-256: <SHA256>", text, flags=re.M)
    return re.sub(rf"\bck-design {re.escape(ck_design.__version__)}\b", "ck-design <VERSION>", text)


RENDERED = {  # golden/render/<name> <- file in the rendered experiment
    "experiment_summary.yaml": "experiment_summary.yaml",
    "README.md": "README.md",
    "copier-answers.yml": ".copier-answers.yml",
    "design-experiment.log": "logs/design-experiment.log",
}


def render_example() -> dict[str, str]:
    """One real `copier copy` of the bundled example, driven as `make demo` drives it."""
    with tempfile.TemporaryDirectory(prefix="ck-golden-render-") as tmp:
        out = Path(tmp) / "demo-output"
        env = subprocess_env()
        subprocess.run([sys.executable, str(REPO / "examples" / "prepare_demo.py"), str(out)], env=env,
                       check=True, capture_output=True)
        dst = out / "scratch" / "ck-experiments" / "golden_lora_rank_comparison_2026-11-25"
        env["CK_LOCAL_CONFIG"] = str(out / "claude.local.md")
        done = subprocess.run(
            [str(COPIER), "copy", "--trust", "--defaults", "--data-file", str(out / "answers.yml"),
             "--data", f"experiment_name={dst.name}", "--data", "experiment_date=2026-11-25",
             "--vcs-ref", "HEAD", str(REPO), str(dst)],
            cwd=tmp, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
        replacements = sorted({(str(Path(tmp).resolve()), "<TMP>"), (tmp, "<TMP>"),
                               (str(REPO.resolve()), "<REPO>"), (str(REPO), "<REPO>")},
                              key=lambda r: -len(r[0]))
        return {name: normalize((dst / rel).read_text(encoding="utf-8"), replacements)
                for name, rel in RENDERED.items()}


# --- recordings -------------------------------------------------------------------------------

def recorded(relpath: str) -> str | None:
    path = GOLDEN / relpath
    return path.read_bytes().decode("utf-8") if path.is_file() else None


def expected_files() -> set[str]:
    return ({f"inputs/{n}" for n in INPUTS} | {f"ck-validate/{n}.out" for n in RUNS}
            | {f"render/{n}" for n in RENDERED})


def compare(pairs: dict[str, str]) -> list[str]:
    """Unified diffs (recorded -> current) of every golden file that differs."""
    problems = []
    for relpath, current in pairs.items():
        old = recorded(relpath)
        if old is None:
            problems.append(f"tests/golden/{relpath}: not recorded")
        elif old != current:
            diff = difflib.unified_diff(old.splitlines(keepends=True), current.splitlines(keepends=True),
                                        f"tests/golden/{relpath} (recorded)", f"{relpath} (now)")
            problems.append("".join(d if d.endswith("\n") else d + "\\ no newline\n" for d in diff))
    return problems


def fail_on(problems: list[str]) -> None:
    if problems:
        pytest.fail(f"{len(problems)} golden file(s) differ; if the change is intended, re-record with "
                    "`.venv/bin/python tests/test_golden.py --record` and review `git diff tests/golden`\n\n"
                    + "\n".join(problems), pytrace=False)


def test_no_stale_or_missing_recordings() -> None:
    on_disk = {str(p.relative_to(GOLDEN)) for p in GOLDEN.rglob("*") if p.is_file()}
    assert on_disk == expected_files(), {"stale": sorted(on_disk - expected_files()),
                                         "missing": sorted(expected_files() - on_disk)}


def test_inputs_are_what_the_builders_make() -> None:
    fail_on(compare({f"inputs/{name}": build() for name, build in INPUTS.items()}))


# Run as the real console script too (a new process each): text and JSON findings, several files,
# argparse's own exit, a missing file, --check-resources, a log. The rest in-process.
SUBPROCESS_RUNS = ("broken_duplicate_key.text", "valid_v03.json", "cli_several_files.text",
                   "cli_unknown_format.text", "cli_missing_file.json", "resources_missing_model.text",
                   "log_broken.text")


def _recorded_input(name: str) -> str:
    text = recorded(f"inputs/{name}")
    return INPUTS[name]() if text is None else text


def test_ck_validate_outputs_unchanged(tmp_path: Path) -> None:
    write_inputs(tmp_path, _recorded_input)
    outputs = {name: run_validate_in_process(tmp_path, args) for name, args in RUNS.items()}
    fail_on(compare({f"ck-validate/{name}.out": text for name, text in outputs.items()}))


def test_the_console_script_prints_what_the_function_does(tmp_path: Path) -> None:
    write_inputs(tmp_path, _recorded_input)
    env = subprocess_env()
    with ThreadPoolExecutor(max_workers=len(SUBPROCESS_RUNS)) as pool:
        futures = {name: pool.submit(run_validate, tmp_path, RUNS[name], env) for name in SUBPROCESS_RUNS}
        outputs = {name: future.result() for name, future in futures.items()}
    fail_on(compare({f"ck-validate/{name}.out": text for name, text in outputs.items()}))


@pytest.mark.e2e
@needs("git")  # copier --vcs-ref HEAD
def test_rendered_example_unchanged() -> None:
    fail_on(compare({f"render/{name}": text for name, text in render_example().items()}))


# --- recording --------------------------------------------------------------------------------

def record() -> None:
    """Rewrite tests/golden/ from the current code."""
    inputs = {name: build() for name, build in INPUTS.items()}
    files = {f"inputs/{name}": text for name, text in inputs.items()}
    files.update({f"ck-validate/{name}.out": text for name, text in validate_outputs(inputs.__getitem__).items()})
    files.update({f"render/{name}": text for name, text in render_example().items()})
    for name in BROKEN:
        out = files[f"ck-validate/{name}.json.out"]
        assert "[exit code] 0\n[stdout]\n[]\n" not in out, f"{name} breaks nothing ck-validate sees"
    if GOLDEN.exists():
        shutil.rmtree(GOLDEN)
    for relpath, text in sorted(files.items()):
        path = GOLDEN / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    print(f"recorded {len(files)} files under {GOLDEN.relative_to(REPO)}/ "
          f"({len(inputs)} inputs, {len(RUNS)} ck-validate runs, {len(RENDERED)} rendered files)")


if __name__ == "__main__":
    if sys.argv[1:] != ["--record"]:
        sys.exit(__doc__.strip().splitlines()[-1].strip())
    record()
