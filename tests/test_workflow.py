"""The rendered pull-request workflow (.github/workflows/validate.yml): least privilege, a time
limit, and ck-design installed only from where the design came from, never by bare name from a
package index (docs/security.md). Real copier renders it from a local path and from a git URL."""

from __future__ import annotations

from pathlib import Path

import subprocess

import pytest
import yaml
from test_hook_support import answers_for, clean_env, copier_copy, git, make_scratch, template_repo


def _workflow(dst):
    return yaml.safe_load((dst / ".github" / "workflows" / "validate.yml").read_text())


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("workflow")
    env = clean_env(tmp / "home")
    template = template_repo(tmp, env)
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
