"""Shared helpers for the wizard tests: real resources on disk, a real `copier copy`, the real
`ck-validate`. Imported by test_wizard_*.py and test_roundtrip.py (not a test module)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
COPIER = BIN / "copier"
CK_VALIDATE = BIN / "ck-validate"
GIT_ENV = {
    "GIT_AUTHOR_NAME": "ck test", "GIT_AUTHOR_EMAIL": "ck-test@example.invalid",
    "GIT_COMMITTER_NAME": "ck test", "GIT_COMMITTER_EMAIL": "ck-test@example.invalid",
}
TRAIN, VALIDATION, TEST = 400, 50, 50


def make_resources(root: Path, models=("Llama-3.2-1B-Instruct", "Llama-3.2-3B-Instruct"),
                   tasks=("words",), local: dict[str, str] | None = None) -> dict[str, Any]:
    """Model dirs (config.json + a weights file), a dataset with three splits, task scripts with
    @task, a scratch dir and a claude.local.md; returns their paths."""
    models_dir = root / "models"
    for m in models:
        (models_dir / m).mkdir(parents=True, exist_ok=True)
        (models_dir / m / "config.json").write_text('{"model_type": "llama"}')
        (models_dir / m / "model.safetensors").write_bytes(b"\0" * 2048)
    data = root / "data" / "words_8L.json"
    data.parent.mkdir(parents=True, exist_ok=True)
    row = {"input": "kemubcrd", "output": "Kemubcrd"}
    data.write_text(json.dumps({"train": [row] * TRAIN, "validation": [row] * VALIDATION, "test": [row] * TEST}))
    scripts = {}
    for t in tasks:
        p = root / "tasks" / f"{t}.py"
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(f"from inspect_ai import task\n\n\n@task\ndef {t}():\n    return None\n")
        scripts[t] = str(p)
    scratch = root / "scratch"
    scratch.mkdir(exist_ok=True)
    fields = {"Scratch directory": str(scratch), "Models directory": str(models_dir),
              "Full GPU constraint": "gpu80", "Partition": "<partition>", "Default project": "ck-words"}
    fields.update(local or {})
    cfg = root / "claude.local.md"
    cfg.write_text("## Paths\n" + "".join(f"- **{k}**: `{v}`\n" for k, v in fields.items()))
    return {"root": root, "models_dir": str(models_dir), "dataset": str(data), "scripts": scripts,
            "scratch": str(scratch), "config": str(cfg)}


def task_list(res: dict[str, Any]) -> list[dict[str, str]]:
    return [{"name": n, "script": s, "description": f"Capitalize ({n})", "dataset": "same"}
            for n, s in res["scripts"].items()]


def base_answers(res: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    answers = {
        "question": "Does LoRA rank matter for capitalization?",
        "dataset_path": res["dataset"],
        "models": ["Llama-3.2-1B-Instruct"],
        "num_warmup_steps": 10,
        "eval_tasks": task_list(res),
        "experiment_date": "2026-11-25",
    }
    answers.update(overrides)
    return answers


def render_api(res: dict[str, Any], dst: Path, answers: dict[str, Any], monkeypatch=None, src: Path = REPO) -> Path:
    """A real `copier copy` through the Python API (copier.run_copy), non-interactive."""
    import copier

    env = {"CK_LOCAL_CONFIG": res["config"], **GIT_ENV}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        copier.run_copy(str(src), str(dst), data=answers, defaults=True, unsafe=True, quiet=True,
                        vcs_ref="HEAD", skip_tasks=True)
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return dst


def render_cli(res: dict[str, Any], dst: Path, answers: dict[str, Any], extra: list[str] = (),
               src: Path = REPO, skip_tasks: bool = True) -> subprocess.CompletedProcess:
    """`copier copy --trust --defaults --data-file answers.yml SRC DST`, the documented CLI."""
    data_file = Path(res["root"]) / f"answers-{dst.name}.yml"
    data_file.write_text(yaml.safe_dump(answers, sort_keys=False, allow_unicode=True))
    argv = [str(COPIER), "copy", "--trust", "--defaults", "--vcs-ref", "HEAD", "--data-file", str(data_file),
            *extra, *(["--skip-tasks"] if skip_tasks else []), str(src), str(dst)]
    env = {**os.environ, "CK_LOCAL_CONFIG": res["config"], **GIT_ENV}
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300)


def load_design(dst: Path) -> dict[str, Any]:
    from ck_design.facts.loader import load_file
    from ck_design.spec.schema import ExperimentSummary

    doc = load_file(dst / "experiment_summary.yaml")
    ExperimentSummary.model_validate(doc.data)
    return doc.data


def ck_validate(path: Path, *args: str) -> tuple[int, list[dict[str, Any]], str]:
    done = subprocess.run([str(CK_VALIDATE), "--check-resources", "--format", "json", *args, str(path)],
                          capture_output=True, text=True, timeout=120)
    try:
        found = json.loads(done.stdout or "[]")
    except ValueError:
        found = [{"raw": done.stdout}]
    return done.returncode, found, done.stderr


def assert_no_findings(dst: Path) -> None:
    rc, found, err = ck_validate(dst / "experiment_summary.yaml")
    assert rc == 0 and found == [], (rc, found, err)


def have_git() -> bool:
    return shutil.which("git") is not None
