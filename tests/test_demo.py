"""`make demo` on a fresh clone, from a clean environment: the README's first command works.

The test clones the repository it runs from (committed files only, as a newcomer gets them) into a
temporary directory and runs `make demo` there with an environment that has no trace of this
checkout's virtualenv. The clone creates its own .venv and pip-installs the project (PyPI, or the
pip cache), which takes a while; that is the point.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"

pytestmark = [
    pytest.mark.skipif(shutil.which("make") is None or shutil.which("git") is None, reason="needs make and git"),
    pytest.mark.skipif(not (REPO / "copier.yml").exists(), reason="the wizard (copier.yml) is not there yet"),
]

# Environment variables a clean login shell may legitimately carry into `make demo`:
# locale, home (pip's cache), temp dir, and what pip needs to reach PyPI behind a proxy.
_PASS = {"HOME", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "TERM", "USER", "LOGNAME", "SSL_CERT_FILE",
         "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "NO_PROXY", "no_proxy"}


def clean_env() -> dict[str, str]:
    """No VIRTUAL_ENV, no .venv/bin on PATH, no MAKEFLAGS from an outer `make test`."""
    env = {k: v for k, v in os.environ.items()
           if k in _PASS or k.startswith("PIP_") or k.lower().endswith("_proxy")}
    venvs = {Path(sys.prefix).resolve()}
    if os.environ.get("VIRTUAL_ENV"):
        venvs.add(Path(os.environ["VIRTUAL_ENV"]).resolve())
    path = []
    for entry in os.environ.get("PATH", "").split(os.pathsep):
        p = Path(entry).resolve() if entry else None
        if p is None or any(p == v / "bin" for v in venvs) or p.name == "bin" and (p.parent / "pyvenv.cfg").exists():
            continue
        path.append(entry)
    env["PATH"] = os.pathsep.join(path) or "/usr/local/bin:/usr/bin:/bin"
    env.update(
        GIT_AUTHOR_NAME="ck demo test", GIT_AUTHOR_EMAIL="ck-demo@example.invalid",
        GIT_COMMITTER_NAME="ck demo test", GIT_COMMITTER_EMAIL="ck-demo@example.invalid",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
    )
    return env


def readme_block(name: str) -> str:
    """The text between `<!-- NAME:start -->` and `<!-- NAME:end -->` in README.md."""
    text = README.read_text(encoding="utf-8")
    m = re.search(rf"<!-- {name}:start -->\n(.*?)<!-- {name}:end -->", text, re.S)
    assert m, f"README.md has no {name} block"
    return m.group(1)


def fresh_clone(where: Path) -> Path:
    """A clone of the repository this test runs from: committed files only, like a newcomer's."""
    clone = where / "ck-design"
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(clone)], check=True, env=clean_env())
    return clone


def run_demo(clone: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["make", "demo"], cwd=clone, env=clean_env(), capture_output=True,
                          text=True, timeout=900)


def demo_dir(clone: Path, stdout: str) -> Path:
    m = re.search(r"^Demo experiment: (.+)$", stdout, re.M)
    assert m, stdout
    dst = Path(m.group(1).strip())
    assert dst.is_relative_to(clone / "demo-output"), dst
    return dst


def test_make_demo_on_a_fresh_clone(tmp_path):
    demo_clone = fresh_clone(tmp_path)
    env = clean_env()
    assert "VIRTUAL_ENV" not in env and ".venv" not in env["PATH"]
    first = run_demo(demo_clone)
    assert first.returncode == 0, first.stdout[-4000:] + first.stderr[-4000:]
    dst = demo_dir(demo_clone, first.stdout)

    # A valid experiment: design, plan, log, under git.
    summary = dst / "experiment_summary.yaml"
    # The editor modeline resolves: for the clone's editable install, the schema in the clone.
    m = re.match(r"# yaml-language-server: \$schema=(\S+)\n", summary.read_text(encoding="utf-8"))
    assert m, summary.read_text(encoding="utf-8")[:200]
    schema = Path(m.group(1))
    assert schema.is_absolute() and schema.is_file() and schema.resolve().is_relative_to(demo_clone.resolve()), schema
    assert json.loads(schema.read_text()) == json.loads((demo_clone / "schemas" / schema.name).read_text())
    design = yaml.safe_load(summary.read_text(encoding="utf-8"))
    assert design["experiment"]["name"] == dst.name
    assert design["data"]["training"]["splits"] == {"train": 400, "validation": 50, "test": 50}
    assert {r["name"] for r in design["runs"]} >= {"Llama-3.2-1B-Instruct_rank4", "Llama-3.2-3B-Instruct_base"}
    for path in (design["data"]["training"]["path"], *(t["script"] for t in design["evaluation"]["tasks"]),
                 *(m["path"] for m in design["models"]["base"])):
        assert Path(path).is_absolute() and Path(path).exists(), path
    assert (dst / "README.md").is_file()
    log = (dst / "logs" / "design-experiment.log").read_text(encoding="utf-8")
    assert "START_DESIGN" in log and "COMPLETE_DESIGN" in log
    ck_validate = demo_clone / ".venv" / "bin" / "ck-validate"
    check = subprocess.run([str(ck_validate), "--check-resources", str(summary)], env=env,
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    log_check = subprocess.run([str(ck_validate), "--log", str(dst / "logs" / "design-experiment.log")],
                               env=env, capture_output=True, text=True)
    assert log_check.returncode == 0, log_check.stdout + log_check.stderr

    # The demo output is git-ignored: the clone stays clean.
    status = subprocess.run(["git", "status", "--porcelain"], cwd=demo_clone, env=env,
                            capture_output=True, text=True, check=True)
    assert status.stdout == "", status.stdout

    # The README's excerpt of a rendered plan is what the demo renders.
    rendered = (dst / "README.md").read_text(encoding="utf-8")
    table_lines = [line for line in readme_block("rendered-readme").splitlines() if line.startswith("|")]
    assert len(table_lines) >= 10
    for line in table_lines:
        assert line in rendered, f"README.md excerpt line not in the rendered plan: {line!r}"

    # Running it again starts over instead of failing on the previous output.
    (dst / "stale-file").write_text("left by the previous demo")
    second = run_demo(demo_clone)
    assert second.returncode == 0, second.stdout[-4000:] + second.stderr[-4000:]
    assert not (dst / "stale-file").exists()
    assert (dst / "experiment_summary.yaml").is_file()

    # README step 4, verbatim, in the experiment the demo rendered.
    readme_copier_update(demo_clone, dst)


def readme_command(prefix: str) -> list[str]:
    """The README's shell command starting with `prefix`, as argv."""
    for m in re.finditer(r"^```sh\n(.*?)^```", README.read_text(encoding="utf-8"), re.S | re.M):
        for line in m.group(1).splitlines():
            line = re.sub(r"\s+#.*$", "", line).strip()
            if line.startswith(prefix):
                return shlex.split(line)
    raise AssertionError(f"README.md shows no `{prefix}` command")


def readme_copier_update(demo_clone: Path, dst: Path) -> None:
    """README step 4, verbatim, inside the experiment `make demo` rendered: a third rank."""
    env = clean_env()
    argv = readme_command("copier update")
    argv[0] = str(demo_clone / ".venv" / "bin" / "copier")
    env["CK_LOCAL_CONFIG"] = str(demo_clone / "demo-output" / "claude.local.md")
    env["PATH"] = f"{demo_clone / '.venv' / 'bin'}{os.pathsep}{env['PATH']}"
    done = subprocess.run(argv, cwd=dst, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    design = yaml.safe_load((dst / "experiment_summary.yaml").read_text(encoding="utf-8"))
    assert design["variables"]["lora_rank"] == [4, 8, 16]
    assert "Llama-3.2-1B-Instruct_rank16" in {r["name"] for r in design["runs"]}
    assert "UPDATE_DESIGN" in (dst / "logs" / "design-experiment.log").read_text(encoding="utf-8")
    check = subprocess.run([str(demo_clone / ".venv" / "bin" / "ck-validate"), "--check-resources",
                            str(dst / "experiment_summary.yaml")], env=env, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def test_installed_package_outside_a_clone(tmp_path):
    """README step 1 and 3: `pip install` the package (a real, non-editable install), then
    `copier copy` with the README's non-interactive command. The schema modeline must resolve for
    an installed package too: a path that exists outside the clone, or a URL."""
    demo_clone = fresh_clone(tmp_path)
    env = clean_env()
    venv = tmp_path / "tool-env"
    subprocess.run(["python3", "-m", "venv", str(venv)], check=True, env=env)
    pip = readme_command("pip install")
    assert pip[:2] == ["pip", "install"]
    install = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
               *[a for a in pip[2:] if a != "--user"]]
    install[install.index("/path/to/ck-design")] = str(demo_clone)
    done = subprocess.run(install, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]

    inputs = tmp_path / "inputs"
    subprocess.run([str(venv / "bin" / "python"), str(demo_clone / "examples" / "prepare_demo.py"), str(inputs)],
                   check=True, env=env, capture_output=True)
    dst = inputs / "scratch" / "ck-experiments" / "installed_demo"
    argv = readme_command("copier copy --trust --defaults")
    argv[0] = str(venv / "bin" / "copier")
    argv = [{"answers.yml": str(inputs / "answers.yml"), "DEST": str(dst)}.get(a, a) for a in argv]
    # render the clone's HEAD, as `make demo` does, not the newest release tag
    argv[argv.index("/path/to/ck-design"):argv.index("/path/to/ck-design") + 1] = ["--vcs-ref", "HEAD", str(demo_clone)]
    env["CK_LOCAL_CONFIG"] = str(inputs / "claude.local.md")
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env['PATH']}"
    done = subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]

    summary = dst / "experiment_summary.yaml"
    first = summary.read_text(encoding="utf-8").splitlines()[0]
    m = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
    assert m, first
    target = m.group(1)
    if "://" in target:
        assert target.startswith("https://") and target.endswith("experiment_summary.schema.json"), target
    else:
        schema = Path(target) if Path(target).is_absolute() else (summary.parent / target)
        assert schema.is_file(), f"modeline points at a missing file: {target}"
        assert not schema.resolve().is_relative_to(demo_clone), "an installed package must not need the clone"
        assert json.loads(schema.read_text())["properties"]["runs"]
    design = yaml.safe_load(summary.read_text(encoding="utf-8"))
    assert design["controls"]["epochs"] == 3
    check = subprocess.run([str(venv / "bin" / "ck-validate"), "--check-resources", str(summary)],
                           env=env, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def test_hooks_from_another_repository(tmp_path):
    """README step 5: another repository's .pre-commit-config.yaml with `repo:`/`rev:` pointing at
    ck-design gets both hooks from .pre-commit-hooks.yaml; a 1-indexed design is refused."""
    pre_commit = Path(sys.executable).parent / "pre-commit"
    if not pre_commit.exists():
        pytest.skip("pre-commit is not installed")
    clone = fresh_clone(tmp_path)
    env = clean_env()
    env["PRE_COMMIT_HOME"] = str(tmp_path / "pre-commit-home")
    rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=clone, env=env, capture_output=True,
                         text=True, check=True).stdout.strip()
    snippet = next(yaml.safe_load(m.group(1)) for m in re.finditer(r"^```yaml\n(.*?)^```", README.read_text(), re.S | re.M)
                   if "repos:" in m.group(1))
    snippet["repos"][0].update(repo=str(clone), rev=rev)

    designs = tmp_path / "designs"
    (designs / "exp").mkdir(parents=True)
    (designs / ".pre-commit-config.yaml").write_text(yaml.safe_dump(snippet, sort_keys=False))
    (designs / "exp" / "experiment_summary.yaml").write_text(
        (clone / "examples" / "typical-mistakes.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    subprocess.run(["git", "init", "-q"], cwd=designs, env=env, check=True)
    subprocess.run(["git", "add", "-A"], cwd=designs, env=env, check=True)

    bad = subprocess.run([str(pre_commit), "run", "--all-files"], cwd=designs, env=env,
                         capture_output=True, text=True, timeout=900)
    assert bad.returncode != 0, bad.stdout + bad.stderr
    assert "CK210" in bad.stdout and "CK201" in bad.stdout, bad.stdout + bad.stderr

    (designs / "exp" / "experiment_summary.yaml").write_text(
        (clone / "examples" / "experiment_summary.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    subprocess.run(["git", "add", "-A"], cwd=designs, env=env, check=True)
    good = subprocess.run([str(pre_commit), "run", "--all-files"], cwd=designs, env=env,
                          capture_output=True, text=True, timeout=900)
    assert good.returncode == 0, good.stdout + good.stderr


def test_prepare_demo_makes_every_path_absolute(tmp_path):
    """The demo never hands copier a relative path: they would resolve against copier's cwd."""
    out = tmp_path / "out"
    subprocess.run([sys.executable, str(REPO / "examples" / "prepare_demo.py"), str(out)], check=True,
                   capture_output=True)
    fields = dict(re.findall(r"^- \*\*([^*]+)\*\*: `([^`]*)`", (out / "claude.local.md").read_text(), re.M))
    assert fields["Scratch directory"] == str(out / "scratch") and (out / "scratch").is_dir()
    models = Path(fields["Models directory"])
    assert models.is_absolute() and (models / "Llama-3.2-1B-Instruct" / "config.json").is_file()
    answers = yaml.safe_load((out / "answers.yml").read_text())
    assert Path(answers["dataset_path"]).is_absolute() and Path(answers["dataset_path"]).is_file()
    for task in answers["eval_tasks"]:
        assert Path(task["script"]).is_absolute() and Path(task["script"]).is_file()
    # everything else is the example's answers, unchanged
    example = yaml.safe_load((REPO / "examples" / "capitalization" / "answers.yml").read_text())
    assert {k: v for k, v in answers.items() if k not in ("dataset_path", "eval_tasks")} == \
        {k: v for k, v in example.items() if k not in ("dataset_path", "eval_tasks")}
