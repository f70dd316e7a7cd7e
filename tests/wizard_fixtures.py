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
from designs import SPLITS
from designs import make_scratch as make_resources  # noqa: F401 - the one resources helper, for test_wizard_*

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
COPIER = BIN / "copier"
CK_VALIDATE = BIN / "ck-validate"
GIT_ENV = {
    "GIT_AUTHOR_NAME": "ck test", "GIT_AUTHOR_EMAIL": "ck-test@example.invalid",
    "GIT_COMMITTER_NAME": "ck test", "GIT_COMMITTER_EMAIL": "ck-test@example.invalid",
}
TRAIN, VALIDATION, TEST = SPLITS["train"], SPLITS["validation"], SPLITS["test"]


def task_list(res: dict[str, Any]) -> list[dict[str, str]]:
    return [{"name": n, "script": s, "description": f"Capitalize ({n})", "dataset": "same"}
            for n, s in res["scripts"].items()]


def base_answers(res: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    answers = {
        "question": "Does LoRA rank matter for capitalization?",
        "dataset_path": res["dataset"],
        "models": ["Llama-3.2-1B-Instruct"],
        "num_warmup_steps": 10,
        "packing": False,  # one-word examples: packed, a step or two (CK250)
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
    from ck_design.spec.era import era_of
    from ck_design.spec.schema import SUMMARY_MODELS

    doc = load_file(dst / "experiment_summary.yaml")
    SUMMARY_MODELS[era_of(doc.data)].model_validate(doc.data)  # the model of the design's own era
    return doc.data


def ck_validate(path: Path, *args: str) -> tuple[int, list[dict[str, Any]], str]:
    done = subprocess.run([str(CK_VALIDATE), "--check-resources", "--format", "json", *args, str(path)],
                          capture_output=True, text=True, timeout=120)
    try:
        found = json.loads(done.stdout or "[]")
    except ValueError:
        found = [{"raw": done.stdout}]
    return done.returncode, found, done.stderr


def name_date_codes(dst: Path) -> list[str]:
    """["CK271"] when the design's name carries no date (the wizard names an experiment after the
    folder it is created in; the seed's names end with the design date: the one warning such a
    design gets), else []."""
    from ck_design.spec import naming

    name = yaml.safe_load((dst / "experiment_summary.yaml").read_text())["experiment"]["name"]
    return [] if naming.DATE_IN_NAME.search(str(name)) else ["CK271"]


def assert_no_findings(dst: Path) -> None:
    """No finding at all, but CK271 for a name without a date (name_date_codes)."""
    rc, found, err = ck_validate(dst / "experiment_summary.yaml")
    assert rc == 0 and [f["code"] for f in found] == name_date_codes(dst), (rc, found, err)


def have_git() -> bool:
    return shutil.which("git") is not None
