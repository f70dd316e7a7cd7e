"""Issue 13, item 8: the post-copy hook never reports success when a step failed. COMPLETE_DESIGN's
Result follows the steps before it, the closing summary's first line says the same, a commit
that git refused is said there too, and copier's own last words (`_message_after_copy`) read
the hook's verdict from the log. The hook runs in-process on designs written by hand (as in
test_hook.py), then through the real copier CLI."""

from __future__ import annotations

import subprocess
from pathlib import Path

import yaml
from test_hook import entries, run_hook, write_design
from copier_support import COPIER, answers_for, clean_env, git, make_scratch, shared_template

from ck_design.validate.rules.log import check_log_file


def _by_action(dst: Path) -> dict[str, list[str]]:
    return {e[0].split("] ")[1]: e for e in entries(dst)}


def test_a_design_with_errors_is_not_called_ready(tmp_path, env):
    res = make_scratch(tmp_path)
    dst = Path(res["scratch"]) / "ck-experiments" / "exp"
    doc = write_design(dst, res)
    # 1-indexed epochs: 2 training epochs save epoch_0 and epoch_1, so [1, 2] asks for an epoch_2
    doc["evaluation"]["matrix"][0]["epochs"] = [1, 2]
    (dst / "experiment_summary.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    rc, out = run_hook(dst)
    assert rc == 0  # copier deletes a fresh copy whose task fails: the rendered files are kept
    by = _by_action(dst)
    assert by["CREATE_YAML"][-1] == "Result: failure" and by["CREATE_YAML"][-2].startswith("Error: InvalidDesign - CK210")
    complete = by["COMPLETE_DESIGN"]
    assert complete[1] == "Details: Design written with errors to fix"
    assert complete[-2].startswith("Error: StepFailed - CREATE_YAML (InvalidDesign): see those entries")
    assert complete[-1] == "Result: failure"
    assert check_log_file(dst / "logs" / "design-experiment.log") == []
    assert out.splitlines()[1] == f"ck-design: experiment design written with errors to fix in {dst}"
    assert "ready" not in out.splitlines()[1]


def test_missing_resources_are_prerequisites_not_errors(tmp_path, env):
    """An unreadable dataset fails VERIFY_DATASET and makes ck-validate's CK281 an error, but it
    is a resource to fix before running, not a broken design: a warning, never 'ready'."""
    res = make_scratch(tmp_path)
    Path(res["dataset"]).write_text("{not json")
    dst = Path(res["scratch"]) / "ck-experiments" / "exp"
    write_design(dst, res)
    rc, out = run_hook(dst)
    assert rc == 0
    by = _by_action(dst)
    assert by["VERIFY_DATASET"][-1] == "Result: failure"
    assert by["CREATE_YAML"][-1] == "Result: warning" and by["CREATE_YAML"][-2].startswith("Warning: ResourceErrors - CK281")
    assert by["COMPLETE_DESIGN"][-1] == "Result: warning"
    assert out.splitlines()[1] == f"ck-design: experiment design ready, with prerequisites to resolve in {dst}"


def test_a_commit_git_refused_is_said_first(tmp_path, env):
    """A user's global pre-commit hook (core.hooksPath) that refuses the commit: the design is
    written and logged, and the first line says it is not committed."""
    hooks = tmp_path / "user-hooks"
    hooks.mkdir()
    (hooks / "pre-commit").write_text("#!/bin/sh\necho 'refused by policy' >&2\nexit 1\n")
    (hooks / "pre-commit").chmod(0o755)
    git(["config", "--global", "core.hooksPath", str(hooks)], tmp_path, env)
    res = make_scratch(tmp_path / "r")
    dst = Path(res["scratch"]) / "ck-experiments" / "exp"
    write_design(dst, res)
    rc, out = run_hook(dst)
    assert rc == 0
    assert out.splitlines()[1] == f"ck-design: experiment design ready, not committed in {dst}"
    assert "`git commit` failed (refused by policy)" in out
    assert git(["rev-parse", "-q", "--verify", "HEAD"], dst, env, check=False).returncode != 0


def test_copiers_last_words_follow_the_hook(tmp_path):
    """Through the real CLI: a copy whose task script is missing ends 'with things to resolve
    first'; a complete one 'written to'; --skip-tasks says nothing was verified."""
    cli_env = clean_env(tmp_path / "home")
    template = shared_template()
    res = make_scratch(tmp_path / "res")
    cases = {
        "missing": ({"eval_tasks": [{"name": "cap", "script": str(tmp_path / "nowhere.py"), "description": "x"}]}, (),
                    "Experiment design written to {dst}", "  Resolve what is listed above before running it."),
        "complete": ({}, (), "Experiment design written to {dst}", None),
        "skipped": ({}, ("--skip-tasks",), "Experiment design files written to {dst}",
                    "  The hook was skipped (--skip-tasks): nothing verified, logged or committed."),
    }
    for name, (override, extra, first, verdict) in cases.items():
        dst = Path(res["scratch"]) / "ck-experiments" / name
        data = tmp_path / f"{name}.yml"
        data.write_text(yaml.safe_dump(answers_for(res, experiment_name=name, **override), sort_keys=False))
        r = subprocess.run([COPIER, "copy", "--trust", "--defaults", "--data-file", str(data), *extra,
                            str(template), str(dst)], cwd=tmp_path, env=cli_env, capture_output=True, text=True, timeout=600)
        assert r.returncode == 0, r.stderr
        lines = [line for line in r.stderr.splitlines() if line.strip()]  # copier prints its messages there
        at = lines.index(first.format(dst=dst))
        assert lines[at + 1] == "  experiment_summary.yaml (the design) and README.md (the plan).", lines[at:]
        assert lines[at + 2:] == ([verdict] if verdict else []), lines[at:]


def test_hook_commands_off_path_are_said_before_the_first_commit_fails(tmp_path):
    """copier run by its full path (or a tool install whose bin folder is not on PATH): the
    summary says the commit hooks' commands are not on PATH and where they are; a commit then
    stops as it says, and with that folder on PATH it goes through."""
    cli_env = clean_env(tmp_path / "home")
    template = shared_template()
    res = make_scratch(tmp_path / "res")
    dst = Path(res["scratch"]) / "ck-experiments" / "offpath"
    data = tmp_path / "offpath.yml"
    data.write_text(yaml.safe_dump(answers_for(res, experiment_name="offpath"), sort_keys=False))
    bare = {**cli_env, "PATH": "/usr/local/bin:/usr/bin:/bin"}
    r = subprocess.run([COPIER, "copy", "--trust", "--defaults", "--data-file", str(data), str(template), str(dst)],
                       cwd=tmp_path, env=bare, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    bin_dir = Path(COPIER).parent
    assert (f"but ck-validate, ck-plan and ck-scaffold are not on your PATH, so every commit here would stop with "
            f"\"Executable `ck-validate` not found\": add {bin_dir} to your PATH") in r.stdout, r.stdout
    with (dst / "experiment_summary.yaml").open("a") as fh:
        fh.write("# reviewed\n")
    git(["add", "experiment_summary.yaml"], dst, bare)
    stopped = git(["commit", "-m", "review"], dst, bare, check=False)
    assert stopped.returncode != 0 and "Executable `ck-validate` not found" in stopped.stdout + stopped.stderr
    fixed = {**bare, "PATH": f"{bin_dir}:{bare['PATH']}"}
    done = git(["commit", "-m", "review"], dst, fixed, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
