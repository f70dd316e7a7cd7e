"""Upgrading an experiment rendered by an earlier release (docs/wizard.md, docs/releasing.md).

`copier update` renders the experiment's OLD template version with the INSTALLED ck-design (to
compute its 3-way merge), so every Jinja global and filter an older copier.yml or template uses
must keep working. The experiment here is rendered exactly as a user of the last release got it:
the template at commit 2b7d5c5, with that release's own package (its `validators/` first on
PYTHONPATH, so its Jinja extension and post-copy hook run). Then the real copier CLI updates it
to the current tree with the current package.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest
from tools import copy_working_tree
import yaml

from copier_support import COPIER, CK_VALIDATE, REPO, answers_for, clean_env, copier_update, git, log_actions, make_scratch

RELEASED = "2b7d5c5"  # the 0.1.0 release (tagged v0.0.1 below)
# The state this round (0.3.0) started from: 0.2.0's template and package plus issue 13's work. Its
# experiments were made with the wizard before its questions were restructured (issue 22) and before
# ck-scaffold, the 0.3 schema and the answers object: they must update cleanly all the same.
ROUND_START = "8ad9034"
CONFLICT = re.compile(rb"^(<<<<<<<|>>>>>>>)( |$)", re.M)


def _released_commit_available(commit: str = RELEASED) -> bool:
    r = subprocess.run(["git", "cat-file", "-e", f"{commit}^{{commit}}"], cwd=REPO, capture_output=True, check=False)
    return r.returncode == 0


pytestmark = pytest.mark.skipif(
    not _released_commit_available(),
    reason=f"commit {RELEASED} (the last release) is not in this clone's history (a shallow clone?): "
    "fetch the full history (`git fetch --unshallow`) to run the upgrade test",
)


def _extract_release(dst: Path, commit: str = RELEASED) -> None:
    archive = subprocess.run(["git", "archive", "--format=tar", commit], cwd=REPO, capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        # The "data" filter (refuse links out, absolute paths) exists from Python 3.10.12 / 3.11.4
        # on; older supported Pythons extract a git archive of this repository's own commit as is.
        if hasattr(tarfile, "data_filter"):
            tar.extractall(dst, filter="data")
        else:
            tar.extractall(dst)


def _template_history(tmp: Path, env: dict[str, str], commit: str = RELEASED) -> tuple[Path, Path]:
    """A template repository: v0.0.1 = the release, v0.0.2 = the current tree. Also returns a
    copy of the release's files (its package is what rendered experiments of that time)."""
    released = tmp / "released"
    _extract_release(released, commit)
    template = tmp / "template"
    shutil.copytree(released, template)
    git(["init", "-q"], template, env)
    git(["add", "-A"], template, env)
    git(["commit", "-q", "-m", "release 0.0.1"], template, env)
    git(["tag", "v0.0.1"], template, env)
    git(["rm", "-rq", "."], template, env)
    copy_working_tree(template)
    git(["add", "-A"], template, env)
    git(["commit", "-q", "--allow-empty", "-m", "release 0.0.2"], template, env)
    git(["tag", "v0.0.2"], template, env)
    return template, released


@pytest.mark.parametrize("commit", [RELEASED, ROUND_START])
def test_update_from_the_last_release(tmp_path: Path, commit: str) -> None:
    env = clean_env(tmp_path / "home")  # sets GIT_AUTHOR_*/GIT_COMMITTER_* for every commit
    template, released = _template_history(tmp_path, env, commit)
    res = make_scratch(tmp_path / "res", models=("Llama-3.2-1B-Instruct",))
    dst = Path(res["scratch"]) / "ck-experiments" / "cap_lora_rank_comparison_2026-11-25"

    # The release, with the release's package: what an existing experiment was made with.
    old_env = {**env, "PYTHONPATH": str(released / "validators")}
    data = tmp_path / "answers.yml"
    data.write_text(yaml.safe_dump(answers_for(res), sort_keys=False))
    r = subprocess.run([COPIER, "copy", "--trust", "--defaults", "--vcs-ref", "v0.0.1", "--data-file", str(data),
                        str(template), str(dst)], cwd=tmp_path, env=old_env, capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stderr
    assert "_commit: v0.0.1" in (dst / ".copier-answers.yml").read_text()
    before = log_actions(dst)
    assert before, "the release's post-copy hook wrote the design log"

    # The upgrade: the current package renders v0.0.1 (for the merge) and v0.0.2.
    u = copier_update(dst, env)
    assert u.returncode == 0, u.stderr
    assert "_commit: v0.0.2" in (dst / ".copier-answers.yml").read_text()

    files = [p for p in dst.rglob("*") if p.is_file() and ".git" not in p.relative_to(dst).parts]
    assert [p for p in files if CONFLICT.search(p.read_bytes())] == []
    assert [p for p in files if p.suffix == ".rej"] == []
    v = subprocess.run([CK_VALIDATE, "experiment_summary.yaml"], cwd=dst, env=env, capture_output=True, text=True, check=False)
    assert v.returncode == 0, v.stdout + v.stderr
    after = log_actions(dst)
    assert after[: len(before)] == before
    assert any(a.startswith("UPDATE_DESIGN") for a in after[len(before):]), after
