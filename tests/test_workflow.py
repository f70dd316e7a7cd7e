"""The rendered pull-request workflow (.github/workflows/validate.yml): least privilege, a time
limit, and ck-design installed only from where the design came from, never by bare name from a
package index (docs/security.md). Real copier renders it from a local path and from a git URL."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from copier_support import BIN, REPO, answers_for, clean_env, copier_copy, git, make_scratch, shared_template


def _workflow(dst):
    return yaml.safe_load((dst / ".github" / "workflows" / "validate.yml").read_text())


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("workflow")
    env = clean_env(tmp / "home")
    template = shared_template()
    commit = git(["rev-parse", "HEAD"], template, env).stdout.strip()
    res = make_scratch(tmp / "x")
    out = {}
    for label, src in (("path", str(template)), ("url", f"git+file://{template}")):
        dst = Path(res["scratch"]) / "ck-experiments" / f"wf_{label}"
        r = copier_copy(src, dst, answers_for(res, experiment_name=f"wf_{label}"), env, tmp)
        assert r.returncode == 0, r.stderr
        out[label] = dst
    return out, commit, template


@pytest.mark.parametrize("label", ["path", "url"])
def test_least_privilege_and_a_time_limit(rendered, label):
    wf = _workflow(rendered[0][label])
    assert wf["permissions"] == {"contents": "read"}
    assert wf["jobs"]["validate"]["timeout-minutes"] == 15


def test_a_git_template_is_pinned_to_its_url_and_commit(rendered):
    out, commit, template = rendered
    spec = _workflow(out["url"])["jobs"]["validate"]["env"]["CK_DESIGN_SPEC"]
    prefix = f"ck-design @ git+file://{template}@"
    assert spec.startswith(prefix)
    pin = spec[len(prefix):]
    assert len(pin) >= 7 and commit.startswith(pin)  # the (abbreviated) commit copier rendered


def test_a_local_template_never_installs_by_bare_name(rendered):
    out, _, _ = rendered
    text = (out["path"] / ".github" / "workflows" / "validate.yml").read_text()
    job = _workflow(out["path"])["jobs"]["validate"]
    assert job["env"]["CK_DESIGN_SPEC"] == "${{ vars.CK_DESIGN_SPEC }}"
    assert '"ck-design"' not in text and "install pre-commit ck-design" not in text
    # The first step refuses to go on without a requirement, with one line saying what to set.
    guard = job["steps"][0]["run"]
    r = subprocess.run(["bash", "-e", "-c", guard], env={"CK_DESIGN_SPEC": "", "PATH": "/usr/bin:/bin"},
                       capture_output=True, text=True)
    assert r.returncode == 1
    lines = r.stdout.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("::error::CK_DESIGN_SPEC is not set")
    r = subprocess.run(["bash", "-e", "-c", guard], env={"CK_DESIGN_SPEC": "ck-design @ git+https://x/y@abc", "PATH": "/usr/bin:/bin"},
                       capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout == ""


# --- The install line is computed in Python (wizard/render.py install_requirement), not in Jinja.

@pytest.mark.parametrize(("src", "commit", "expected"), [
    ("gh:org/ck-design", "v0.2.0", "ck-design @ git+https://github.com/org/ck-design@v0.2.0"),
    ("gl:org/ck-design", "v0.2.0-5-gabc1234", "ck-design @ git+https://gitlab.com/org/ck-design@abc1234"),
    ("git+https://example.org/ck-design.git", "", "ck-design @ git+https://example.org/ck-design.git"),
    ("https://example.org/ck-design", "deadbeef", "ck-design @ git+https://example.org/ck-design@deadbeef"),
    ("ssh://git@example.org/ck-design", "v1", "ck-design @ git+ssh://git@example.org/ck-design@v1"),
    ("git@github.com:org/ck-design.git", "v1", "ck-design @ git+ssh://git@github.com/org/ck-design.git@v1"),
    ("/home/me/ck-design", "v1", ""),
    ("", "", ""),
])
def test_install_requirement(src, commit, expected):
    from ck_design.wizard.render import install_requirement

    assert install_requirement(src, commit) == expected


def test_the_template_does_no_url_parsing():
    text = (REPO / "template" / ".github" / "workflows" / "validate.yml.jinja").read_text()
    assert "startswith" not in text and "regex_replace" not in text
    assert "ck_install_requirement(" in text


# --- Issue 24: both workflows pass zizmor and shellcheck; actions are pinned; dependabot keeps the pins.

def _project_workflow():
    return REPO / ".github" / "workflows" / "ci.yml"


def _workflows(rendered):
    out, _, _ = rendered
    return {"ci.yml": _project_workflow(),
            **{f"rendered ({label})": dst / ".github" / "workflows" / "validate.yml" for label, dst in out.items()}}


def test_zizmor_finds_nothing_of_medium_severity_or_above(rendered):
    out, _, _ = rendered
    for target in [REPO / ".github", *(dst / ".github" for dst in out.values())]:
        r = subprocess.run([str(BIN / "zizmor"), "--offline", "--min-severity", "medium", "--no-progress", str(target)],
                           capture_output=True, text=True)
        assert r.returncode == 0, f"{target}:\n{r.stdout}{r.stderr}"
        assert "No findings to report" in r.stdout + r.stderr


def _steps(path):
    doc = yaml.safe_load(path.read_text())
    return [step for job in doc["jobs"].values() for step in job["steps"]]


def test_shell_steps_pass_shellcheck(rendered, tmp_path):
    checked = 0
    for label, path in _workflows(rendered).items():
        for i, step in enumerate(_steps(path)):
            if "run" not in step:
                continue
            # GitHub runs a step as `bash -e {0}` on ubuntu runners.
            script = tmp_path / f"{label.replace(' ', '_')}-step{i}.sh"
            script.write_text("#!/usr/bin/env bash\nset -e\n" + step["run"])
            r = subprocess.run([str(BIN / "shellcheck"), "--shell=bash", str(script)], capture_output=True, text=True)
            assert r.returncode == 0, f"{label}, step {i} ({step.get('name', step['run'][:40])}):\n{r.stdout}"
            checked += 1
    assert checked >= 6


def test_no_expression_is_expanded_in_a_run_line(rendered):
    for label, path in _workflows(rendered).items():
        for step in _steps(path):
            assert "${{" not in step.get("run", ""), f"{label}: {step['run']!r} (pass the value through env:)"


_PINNED = re.compile(r"^\s*(?:- )?uses: ([\w.-]+/[\w.-]+)@([0-9a-f]{40}) # (v\d+\.\d+\.\d+)$")


def _pins(path):
    lines = [line for line in path.read_text().splitlines() if re.match(r"^\s*(- )?uses:", line)]
    pins = [_PINNED.match(line) for line in lines]
    assert all(pins), f"{path.name}: not pinned to a commit with its tag in a comment: {lines}"
    return {m.group(1): (m.group(2), m.group(3)) for m in pins}


def test_actions_are_pinned_to_a_commit_and_the_template_follows_the_project(rendered):
    project = _pins(_project_workflow())
    assert {"actions/checkout", "actions/setup-python"} <= set(project)
    for label, path in _workflows(rendered).items():
        # dependabot bumps ci.yml's pins; the template's must follow (it cannot read a .jinja file).
        assert _pins(path) == {a: project[a] for a in _pins(path)}, f"{label} pins differ from ci.yml's"
    for step in _steps(_project_workflow()) + [s for p in _workflows(rendered).values() for s in _steps(p)]:
        if str(step.get("uses", "")).startswith("actions/checkout@"):
            assert step["with"]["persist-credentials"] is False


def test_dependabot_keeps_the_pins_current(rendered):
    out, _, _ = rendered
    for path in [REPO / ".github" / "dependabot.yml", *(dst / ".github" / "dependabot.yml" for dst in out.values())]:
        config = yaml.safe_load(path.read_text())
        assert config["version"] == 2
        assert {"package-ecosystem": "github-actions", "directory": "/"}.items() <= config["updates"][0].items(), path


# --- Issue 24: the pull-request workflow writes `ck-plan --compare` against the base branch to the job summary.

def _compare_step(dst):
    steps = _workflow(dst)["jobs"]["validate"]["steps"]
    return next(s for s in steps if s.get("name") == "Compare the design with the base branch"), steps


def _run_step(step, cwd, base_ref, summary):
    env = {"PATH": f"{BIN}:/usr/bin:/bin", "BASE_REF": base_ref, "GITHUB_STEP_SUMMARY": str(summary),
           "HOME": str(cwd), "GIT_CONFIG_NOSYSTEM": "1"}
    return subprocess.run(["bash", "-e", "-c", step["run"]], cwd=cwd, env=env, capture_output=True, text=True)


def test_the_comparison_reaches_the_job_summary(rendered, tmp_path):
    out, _, _ = rendered
    step, steps = _compare_step(out["url"])
    # The base branch arrives through env, the step runs on pull requests only, and checkout
    # fetches the history that has the base branch in it.
    assert step["env"] == {"BASE_REF": "${{ github.base_ref }}"}
    assert "github.event_name == 'pull_request'" in step["if"]
    checkout = next(s for s in steps if str(s.get("uses", "")).startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0
    # As on the runner: the pull request's design checked out, origin/<base> the design before it.
    exp = tmp_path / "exp"
    shutil.copytree(out["url"], exp, symlinks=True)
    git(["update-ref", "refs/remotes/origin/main", "HEAD"], exp)
    summary_file = exp / "experiment_summary.yaml"
    design = yaml.safe_load(summary_file.read_text())
    runs_before = len(design["runs"])
    dropped = design["runs"].pop()["name"]
    design["evaluation"]["matrix"] = [e for e in design["evaluation"]["matrix"] if e["run"] != dropped]
    summary_file.write_text(yaml.safe_dump(design, sort_keys=False))
    job_summary = tmp_path / "step_summary.md"
    job_summary.write_text("earlier steps' summary\n")
    r = _run_step(step, exp, "main", job_summary)
    assert r.returncode == 0, r.stderr
    lines = job_summary.read_text().splitlines()
    assert lines[:2] == ["earlier steps' summary", "## Design change: experiment_summary.yaml against `origin/main`"]
    assert f"| runs | {runs_before} → {runs_before - 1} |" in lines
    assert f"- removed: `{dropped}`" in lines


def test_a_hostile_base_branch_name_is_data(rendered, tmp_path):
    out, _, _ = rendered
    step, _ = _compare_step(out["url"])
    job_summary = tmp_path / "step_summary.md"
    r = _run_step(step, out["url"], "$(touch pwned)`touch pwned2`", job_summary)
    assert r.returncode == 2 and r.stderr.startswith("ck-plan: --compare: 'origin/$(touch pwned)")
    assert not (out["url"] / "pwned").exists() and not (out["url"] / "pwned2").exists()
    assert job_summary.read_text() == ""
