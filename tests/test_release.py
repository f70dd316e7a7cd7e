"""One version scheme, and the release tag doing what README.md and docs/releasing.md say.

ck_design.__version__ is the installed distribution's version, the README's pins and the
CHANGELOG's newest section; `make tag` (what `make release` runs after the suite) creates the
annotated tag v<version>. Against a clone tagged that way (never the real repository), the README's
pre-commit snippet works exactly as written, and `copier copy` renders the tag without copier's
"No git tags found" warning and records `_commit: v<version>`.
"""

from __future__ import annotations

import importlib.metadata
import re
import subprocess
import sys
from pathlib import Path

import pytest
from tools import needs
import yaml

import ck_design
from clone_support import REPO, clean_env, fresh_clone, readme_pre_commit_snippet, readme_text, tagged_clone, version

pytestmark = needs("make", "git")
BIN = Path(sys.executable).parent
NO_TAG_WARNING = "No git tags found"


@pytest.fixture(scope="module")
def tagged(tmp_path_factory):
    return tagged_clone(tmp_path_factory.mktemp("release"))


def test_one_version_everywhere():
    v = version()
    assert re.fullmatch(r"\d+\.\d+\.\d+", v), f"__version__ {v!r} is not X.Y.Z (the tag is v{v})"
    assert ck_design.__version__ == v
    assert importlib.metadata.version("ck-design") == v, "reinstall: the installed metadata is stale"
    assert re.search(rf"^## \[{re.escape(v)}\] - \d{{4}}-\d{{2}}-\d{{2}}$", (REPO / "CHANGELOG.md").read_text(), re.M)
    text = readme_text()
    pins = re.findall(r"@(v\d+\.\d+\.\d+)\b", text) + re.findall(r"^\s*rev: (\S+)", text, re.M)
    assert pins and set(pins) == {f"v{v}"}, f"README.md pins {sorted(set(pins))}, the version is v{v}"


def test_make_tag_creates_the_annotated_release_tag(tagged):
    clone, tag = tagged
    env = clean_env()
    kind = subprocess.run(["git", "cat-file", "-t", tag], cwd=clone, env=env, capture_output=True, text=True)
    assert kind.stdout.strip() == "tag", "make tag must create an annotated tag"
    at = subprocess.run(["git", "describe", "--exact-match", "HEAD"], cwd=clone, env=env, capture_output=True, text=True)
    assert at.stdout.strip() == tag
    again = subprocess.run(["make", "--no-print-directory", "tag"], cwd=clone, env=env, capture_output=True, text=True)
    assert again.returncode != 0 and f"tag {tag} exists" in again.stdout + again.stderr


def test_make_release_checks_then_runs_the_suite_then_tags():
    """`make release` is the checks, `make test`, then the very `make tag` tested above (dry run)."""
    plan = subprocess.run(["make", "-n", "--no-print-directory", "release"], cwd=REPO, env=clean_env(),
                          capture_output=True, text=True, timeout=60)
    assert plan.returncode == 0, plan.stdout + plan.stderr
    lines = plan.stdout.splitlines()
    checks = next(i for i, line in enumerate(lines) if "git status --porcelain" in line)
    suite = next(i for i, line in enumerate(lines) if "-m pytest" in line)
    tag = next(i for i, line in enumerate(lines) if line.startswith("git tag -a"))
    assert checks < suite < tag
    assert lines[tag] == f"git tag -a 'v{version()}' -m 'ck-design {version()}'"


def test_readme_pre_commit_snippet_as_written(tagged, tmp_path):
    """README step 5's snippet, with only the repository URL replaced by the tagged clone."""
    clone, tag = tagged
    snippet = readme_pre_commit_snippet()
    url = "https://github.com/<you>/ck-design"
    assert snippet.count(url) == 1
    assert yaml.safe_load(snippet)["repos"][0]["rev"] == tag
    env = clean_env()
    env["PRE_COMMIT_HOME"] = str(tmp_path / "pre-commit-home")
    designs = tmp_path / "designs"
    (designs / "exp").mkdir(parents=True)
    (designs / ".pre-commit-config.yaml").write_text(snippet.replace(url, str(clone)), encoding="utf-8")
    summary = designs / "exp" / "experiment_summary.yaml"
    summary.write_text((clone / "examples" / "typical-mistakes.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    subprocess.run(["git", "init", "-q"], cwd=designs, env=env, check=True)
    subprocess.run(["git", "add", "-A"], cwd=designs, env=env, check=True)
    pre_commit = [str(BIN / "pre-commit"), "run", "--all-files"]

    bad = subprocess.run(pre_commit, cwd=designs, env=env, capture_output=True, text=True, timeout=900)
    assert bad.returncode != 0, bad.stdout + bad.stderr
    assert "CK210" in bad.stdout and "CK201" in bad.stdout, bad.stdout + bad.stderr

    summary.write_text((clone / "examples" / "experiment_summary.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    subprocess.run(["git", "add", "-A"], cwd=designs, env=env, check=True)
    good = subprocess.run(pre_commit, cwd=designs, env=env, capture_output=True, text=True, timeout=900)
    assert good.returncode == 0, good.stdout + good.stderr
    assert re.search(r"ck-validate experiment_summary\.yaml\.+Passed", good.stdout), good.stdout


def test_copier_copy_renders_the_tag_without_a_warning(tagged, tmp_path):
    clone, tag = tagged
    env = clean_env()
    inputs = tmp_path / "inputs"
    subprocess.run([sys.executable, str(clone / "examples" / "prepare_demo.py"), str(inputs)], env=env,
                   check=True, capture_output=True)
    dst = inputs / "scratch" / "ck-experiments" / "tagged_demo"
    env["CK_LOCAL_CONFIG"] = str(inputs / "claude.local.md")
    done = subprocess.run([str(BIN / "copier"), "copy", "--trust", "--defaults", "--data-file",
                           str(inputs / "answers.yml"), str(clone), str(dst)],
                          cwd=inputs, env=env, capture_output=True, text=True, timeout=600)
    out = done.stdout + done.stderr
    assert done.returncode == 0, out[-4000:]
    assert NO_TAG_WARNING not in out, out[-4000:]
    assert f"Copying from template version {tag[1:]}" in out
    assert f"ck-design {tag[1:]}" in out  # the wizard's banner: the same version, written the same way
    assert yaml.safe_load((dst / ".copier-answers.yml").read_text(encoding="utf-8"))["_commit"] == tag


def test_an_untagged_checkout_warns_as_the_readme_explains(tmp_path):
    """Without a release tag copier warns in red and renders HEAD; README.md says what that means,
    and `make demo` (`--vcs-ref HEAD`) does not trigger it."""
    m = re.search(r'A red "(No git tags found[^"]*)" means', readme_text().replace("\n", " "))
    assert m, "README.md does not explain copier's 'No git tags found' warning"
    clone = fresh_clone(tmp_path)
    env = clean_env()
    tags = subprocess.run(["git", "tag"], cwd=clone, env=env, capture_output=True, text=True, check=True).stdout.split()
    if tags:
        subprocess.run(["git", "tag", "-d", *tags], cwd=clone, env=env, check=True, capture_output=True)
    inputs = tmp_path / "inputs"
    subprocess.run([sys.executable, str(clone / "examples" / "prepare_demo.py"), str(inputs)], env=env,
                   check=True, capture_output=True)
    env["CK_LOCAL_CONFIG"] = str(inputs / "claude.local.md")
    copy = [str(BIN / "copier"), "copy", "--trust", "--defaults", "--data-file", str(inputs / "answers.yml")]
    scratch = inputs / "scratch" / "ck-experiments"
    untagged = subprocess.run([*copy, str(clone), str(scratch / "untagged")], cwd=inputs, env=env,
                              capture_output=True, text=True, timeout=600)
    assert untagged.returncode == 0 and m.group(1) in untagged.stderr, untagged.stderr[-4000:]
    # the banner says what copier renders, in copier's own terms (issue 22 item 9)
    said = re.search(r"Copying from template version (0\.0\.0\.post\d+\.dev0\+([0-9a-f]+))", untagged.stderr)
    assert said, untagged.stderr[-4000:]
    assert (f"ck-design {version()}, untagged commit {said.group(2)}: this clone has no release tag, so copier "
            f"renders that commit and calls it {said.group(1)}") in untagged.stderr, untagged.stderr[-4000:]
    recorded = yaml.safe_load((scratch / "untagged" / ".copier-answers.yml").read_text(encoding="utf-8"))["_commit"]
    assert recorded == said.group(2)  # as README.md says: `_commit: <commit>`
    assert "--vcs-ref HEAD" in (REPO / "Makefile").read_text(encoding="utf-8")
    demo_like = subprocess.run([*copy, "--vcs-ref", "HEAD", str(clone), str(scratch / "head")], cwd=inputs, env=env,
                               capture_output=True, text=True, timeout=600)
    assert demo_like.returncode == 0 and NO_TAG_WARNING not in demo_like.stderr, demo_like.stderr[-4000:]
