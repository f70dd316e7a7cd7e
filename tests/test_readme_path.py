"""README steps 1, 3 and 4 exactly as written, in a fresh virtualenv: `pip install` ck-design,
`copier copy` a design from the newest release tag, then `git commit` in the experiment: a
1-indexed epoch is refused with its CK code, a good edit is committed; `copier update` re-renders.

The repository is a fresh clone tagged by `make tag` (the tag lives only in that clone). The venv's
bin directory is NOT on PATH while copier runs: the post-copy hook must find the `pre-commit`
installed beside copier by itself. It is on PATH for the commits, as for a person whose tool
environment is on PATH (README step 1): the experiment's hooks call `ck-validate` by name.
The same for the uv and pipx lines of step 1 (copier's environment, with ck-design injected).
Slow (real installs); select them with `-m readme_path`.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
from pathlib import Path

import pytest
from tools import needs
import yaml

from clone_support import clean_env, readme_command, readme_shell_line, tagged_clone, with_repo

pytestmark = [
    pytest.mark.readme_path,
    needs("make", "git"),
]
NO_TAG_WARNING = "No git tags found"


def run(argv, cwd, env, timeout=600) -> subprocess.CompletedProcess:
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def git(args, cwd, env, check=True) -> subprocess.CompletedProcess:
    done = run(["git", *args], cwd, env)
    assert not check or done.returncode == 0, done.stdout + done.stderr
    return done


def install_as_readme_says(venv: Path, clone: Path, env: dict[str, str]) -> None:
    """README step 1: `pip install /path/to/ck-design`, run with the fresh venv's pip."""
    run(["python3", "-m", "venv", str(venv)], None, env)
    pip = readme_command("pip install")
    assert pip[:2] == ["pip", "install"] and "/path/to/ck-design" in pip, pip
    done = run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", *with_repo(pip[2:], clone)],
               None, env, timeout=900)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    for tool in ("copier", "ck-validate", "pre-commit"):
        assert (venv / "bin" / tool).is_file(), f"`pip install ck-design` did not install {tool}"


def copy_as_readme_says(venv: Path, clone: Path, inputs: Path, dst: Path, env: dict[str, str]):
    """README step 3, the non-interactive command, with its placeholders filled in."""
    argv = readme_command("copier copy --trust --defaults")
    argv[0] = str(venv / "bin" / "copier")
    argv = [{"answers.yml": str(inputs / "answers.yml"), "DEST": str(dst)}.get(a, a) for a in with_repo(argv, clone)]
    assert "--vcs-ref" not in argv  # the README renders the newest release tag
    env = dict(env, CK_LOCAL_CONFIG=str(inputs / "claude.local.md"))
    assert str(venv / "bin") not in env["PATH"].split(os.pathsep)
    return run(argv, inputs, env)


def check_modeline(summary: Path, clone: Path) -> None:
    """The schema modeline resolves for an installed (non-editable) package, without the clone."""
    first = summary.read_text(encoding="utf-8").splitlines()[0]
    m = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
    assert m, first
    target = m.group(1)
    if "://" in target:
        assert target.startswith("https://") and target.endswith("experiment_summary.schema.json"), target
        return
    schema = Path(target) if Path(target).is_absolute() else (summary.parent / target)
    assert schema.is_file(), f"modeline points at a missing file: {target}"
    assert not schema.resolve().is_relative_to(clone), "an installed package must not need the clone"
    # Both cruijff_kit eras' shapes (spec/era.py), each with its runs.
    defs = json.loads(schema.read_text())["$defs"]
    assert defs["ExperimentSummary"]["properties"]["runs"] and defs["ExperimentSummaryV03"]["properties"]["runs"]


def test_install_copy_commit_as_the_readme_says(tmp_path):
    clone, tag = tagged_clone(tmp_path)
    env = clean_env()
    venv = tmp_path / "tool-env"
    install_as_readme_says(venv, clone, env)

    inputs = tmp_path / "inputs"
    run([str(venv / "bin" / "python"), str(clone / "examples" / "prepare_demo.py"), str(inputs)], None, env)
    dst = inputs / "scratch" / "ck-experiments" / "installed_demo"
    done = copy_as_readme_says(venv, clone, inputs, dst, env)
    out = done.stdout + done.stderr
    assert done.returncode == 0, out[-4000:]
    assert NO_TAG_WARNING not in out, out[-4000:]
    assert f"Copying from template version {tag[1:]}" in out, out[-4000:]
    answers = yaml.safe_load((dst / ".copier-answers.yml").read_text(encoding="utf-8"))
    assert answers["_commit"] == tag and answers["_src_path"] == str(clone)
    assert "pre-commit is not installed" not in out
    assert "installed the pre-commit hook" in out, out[-4000:]
    assert (dst / ".git" / "hooks" / "pre-commit").is_file()
    summary = dst / "experiment_summary.yaml"
    check_modeline(summary, clone)
    assert yaml.safe_load(summary.read_text(encoding="utf-8"))["controls"]["epochs"] == 3

    # Commits, from a shell whose PATH has the tool environment (README step 1).
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env['PATH']}"
    original = summary.read_text(encoding="utf-8")
    m = re.search(r"epochs: \[(\d+(?:, \d+)*)\]", original)  # the first run's evaluated epochs, 0-indexed
    assert m and m.group(1).startswith("0"), original
    one_indexed = ", ".join(str(int(e) + 1) for e in m.group(1).split(", "))
    summary.write_text(original[:m.start(1)] + one_indexed + original[m.end(1):], encoding="utf-8")
    bad = git(["commit", "-qam", "evaluate the epochs 1-indexed"], dst, env, check=False)
    assert bad.returncode != 0, bad.stdout + bad.stderr
    assert re.search(r"experiment_summary\.yaml:\d+:\d+: CK210 (\[\*\] )?error: ", bad.stdout + bad.stderr), bad.stdout + bad.stderr
    assert git(["rev-list", "--count", "HEAD"], dst, env).stdout.strip() == "1"

    question = yaml.safe_load(original)["experiment"]["question"]
    summary.write_text(original.replace(question, question.replace("?", " (rank 4 vs 8)?")), encoding="utf-8")
    # README: the ck-plan hook regenerates README.md's plan and stops the first commit; commit again.
    first = git(["commit", "-qam", "sharper question"], dst, env, check=False)
    assert first.returncode != 0 and "ck-plan" in first.stdout + first.stderr, first.stdout + first.stderr
    good = git(["commit", "-qam", "sharper question"], dst, env, check=False)
    assert good.returncode == 0, good.stdout + good.stderr
    assert re.search(r"ck-validate experiment_summary\.yaml\.+Passed", good.stdout + good.stderr), good.stdout + good.stderr
    assert git(["rev-list", "--count", "HEAD"], dst, env).stdout.strip() == "2"

    # README step 4 as written: re-render from the same release tag, no warning.
    argv = readme_command("copier update")
    argv[0] = str(venv / "bin" / "copier")
    update = run(argv, dst, dict(env, CK_LOCAL_CONFIG=str(inputs / "claude.local.md")))
    out = update.stdout + update.stderr
    assert update.returncode == 0, out[-4000:]
    assert NO_TAG_WARNING not in out, out[-4000:]
    assert yaml.safe_load((dst / ".copier-answers.yml").read_text(encoding="utf-8"))["_commit"] == tag
    assert "UPDATE_DESIGN" in (dst / "logs" / "design-experiment.log").read_text(encoding="utf-8")


# README step 1's isolated tool environments: the line as written, and where each tool puts
# copier's environment and the executables it exposes.
TOOL_LINES = {
    "uv tool install copier --with": ("UV_TOOL_DIR", "UV_TOOL_BIN_DIR", "copier"),
    "pipx install copier": ("PIPX_HOME", "PIPX_BIN_DIR", "venvs/copier"),
}


@pytest.mark.parametrize("prefix", sorted(TOOL_LINES))
def test_tool_environment_lines_as_written(prefix, tmp_path):
    """uv / pipx put copier, ck-design and pre-commit in one environment whose bin directory is not
    on PATH; the post-copy hook still finds that pre-commit and installs the commit hook."""
    clone, tag = tagged_clone(tmp_path)
    env = clean_env()
    helper = tmp_path / "helper"
    run(["python3", "-m", "venv", str(helper)], None, env)
    tool = prefix.split()[0]
    got = run([str(helper / "bin" / "python"), "-m", "pip", "install", "--quiet", tool], None, env, timeout=600)
    if got.returncode != 0:
        pytest.skip(f"{tool} is not installable here: {got.stderr.strip()[-300:]}")
    home_var, bin_var, venv_rel = TOOL_LINES[prefix]
    env.update({home_var: str(tmp_path / "tool-home"), bin_var: str(tmp_path / "tool-bin"),
                "UV_CACHE_DIR": str(tmp_path / "uv-cache"), "PATH": f"{helper / 'bin'}{os.pathsep}{env['PATH']}"})
    line = readme_shell_line(prefix)
    assert line.count("/path/to/ck-design") == 1, line
    done = run(["bash", "-c", line.replace("/path/to/ck-design", shlex.quote(str(clone)))], None, env, timeout=900)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    tool_bin = tmp_path / "tool-home" / venv_rel / "bin"
    for tool in ("copier", "ck-validate", "pre-commit"):
        assert (tool_bin / tool).is_file(), f"{line!r} did not install {tool} beside copier"

    inputs = tmp_path / "inputs"
    run([str(tool_bin / "python"), str(clone / "examples" / "prepare_demo.py"), str(inputs)], None, env)
    dst = inputs / "scratch" / "ck-experiments" / "tool_demo"
    copy = [str(tmp_path / "tool-bin" / "copier"), "copy", "--trust", "--defaults", "--data-file",
            str(inputs / "answers.yml"), str(clone), str(dst)]
    assert str(tool_bin) not in env["PATH"]
    done = run(copy, inputs, dict(env, CK_LOCAL_CONFIG=str(inputs / "claude.local.md")))
    out = done.stdout + done.stderr
    assert done.returncode == 0, out[-4000:]
    assert NO_TAG_WARNING not in out and "installed the pre-commit hook" in out, out[-4000:]
    assert (dst / ".git" / "hooks" / "pre-commit").is_file()
