"""README.md stays true: its ck-validate output is what ck-validate prints today, its quick start is
exactly `make demo` and `make test`, and every command it shows is exercised somewhere."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"
FIRST_SCREEN = 45  # lines a reader sees before scrolling


def readme() -> str:
    return README.read_text(encoding="utf-8")


def block(name: str) -> str:
    m = re.search(rf"<!-- {name}:start -->\n(.*?)<!-- {name}:end -->", readme(), re.S)
    assert m, f"README.md has no <!-- {name}:start/end --> block"
    return m.group(1)


def fenced(text: str) -> list[tuple[str, str]]:
    """(language, body) of each fenced code block in text."""
    return [(m.group(1), m.group(2)) for m in re.finditer(r"^```(\w*)\n(.*?)^```", text, re.S | re.M)]


def section(title: str) -> str:
    m = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", readme(), re.S | re.M)
    assert m, f"README.md has no '## {title}' section"
    return m.group(1)


def commands(body: str) -> list[str]:
    """Shell commands of a code block: `$ `-prefixed lines in console blocks, else every
    non-comment line; backslash continuations joined, trailing comments dropped."""
    lines, out = body.splitlines(), []
    console = any(line.startswith("$ ") for line in lines)
    joined = ""
    for line in lines:
        if console and not joined:
            if not line.startswith("$ "):
                continue
            line = line[2:]
        line = line.rstrip()
        if line.endswith("\\"):
            joined += line[:-1] + " "
            continue
        line = joined + line
        joined = ""
        line = re.sub(r"\s+#.*$", "", line).strip()
        if line and not line.startswith("#"):
            out.append(line)
    return out


def ck_validate() -> str:
    return str(Path(sys.executable).parent / "ck-validate")


def test_quick_start_is_exactly_make_demo_and_make_test():
    blocks = fenced(section("Quick start"))
    cmds = [c for _, body in blocks for c in commands(body)]
    assert cmds == ["make demo", "make test"]


def test_readme_shows_a_real_finding_on_the_first_screen():
    first = "\n".join(readme().splitlines()[:FIRST_SCREEN])
    assert "<!-- ck-validate-output:start -->" in first
    assert re.search(r"^\S+:\d+:\d+: CK210 (\[\*\] )?error: ", first, re.M), "no CK210 finding on the first screen"
    assert re.search(r"^\S+:\d+:\d+: CK201 (\[\*\] )?error: ", first, re.M), "no CK201 finding on the first screen"


def test_shown_ck_validate_output_is_what_it_prints_today():
    (lang, body), = fenced(block("ck-validate-output"))
    lines = body.splitlines()
    assert lines[0].startswith("$ ck-validate ")
    argv = shlex.split(lines[0][2:])
    shown = "\n".join(lines[1:]) + "\n"
    got = subprocess.run([ck_validate(), *argv[1:]], cwd=REPO, capture_output=True, text=True)
    assert got.returncode == 1, got.stderr
    # what a terminal shows: the findings (stdout), then the one-line summary (stderr)
    assert got.stdout + got.stderr == shown, (
        "README.md's ck-validate output is stale. Paste this between the markers:\n" + got.stdout + got.stderr
    )


def test_rendered_readme_excerpt_has_runs_table_and_matrix():
    excerpt = block("rendered-readme")
    assert re.search(r"^\|.*Run.*\|", excerpt, re.M | re.I), "no runs table in the excerpt"
    assert "_base" in excerpt and "rank4" in excerpt and "rank8" in excerpt
    # tests/test_demo.py checks every line of the excerpt against the README `make demo` renders.


def test_links_resolve():
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", readme()):
        if "://" in target or target.startswith("mailto:"):
            continue
        assert (REPO / target).exists(), f"README.md links to missing {target}"
    assert "docs/rules.md" in readme()


def test_pre_commit_snippet_names_real_hooks():
    hooks_file = REPO / ".pre-commit-hooks.yaml"
    ids = {h["id"] for h in yaml.safe_load(hooks_file.read_text())}
    snippets = [yaml.safe_load(body) for lang, body in fenced(readme()) if lang == "yaml" and "repos:" in body]
    assert snippets, "README.md shows no .pre-commit-config.yaml snippet"
    for snippet in snippets:
        for repo in snippet["repos"]:
            assert repo["rev"] and repo["repo"]
            assert {h["id"] for h in repo["hooks"]} <= ids


# Each command shown in README.md, by its leading words, and the file that runs it (needle: the
# text in that file that shows it does). A command the README adds must be listed here.
EXERCISED = {
    "make demo": ("tests/test_demo.py", '["make", "demo"]'),
    "make test": (".ci/run", "make test"),
    "pip install": ("tests/test_readme_path.py", 'readme_command("pip install")'),
    "copier copy --trust --defaults": ("tests/test_readme_path.py", 'readme_command("copier copy --trust --defaults")'),
    # the interactive form: the same command without --defaults, driven in a pty
    "copier copy --trust": ("tests/test_wizard_pty.py", '"copy", "--trust"'),
    "copier update": ("tests/test_readme_path.py", 'readme_command("copier update")'),
    "ck-validate": ("tests/test_readme.py", "def test_readme_ck_validate_commands_run"),
    "ck-plan --compare": ("tests/test_readme.py", "def test_shown_ck_plan_compare_output_is_what_it_prints_today"),
    "ck-migrate": ("tests/test_migrate.py", "def test_the_readme_commands_run_as_written"),
    "ck-scaffold": ("tests/test_scaffold_render.py", "def test_the_readme_commands_run_as_written"),
    "sh submit.sh": ("tests/test_scaffold_render.py", "def test_the_readme_commands_run_as_written"),
    "uv tool install copier": ("tests/test_readme_path.py", '"uv tool install copier --with"'),
    "pipx install copier": ("tests/test_readme_path.py", '"pipx install copier"'),
}
# README.md's .pre-commit-config.yaml snippet, run as written (only the repository URL replaced).
SNIPPET_RUN_BY = ("tests/test_release.py", "readme_pre_commit_snippet()")
def readme_commands() -> list[str]:
    return [cmd for lang, body in fenced(readme()) if lang in ("sh", "console", "bash")
            for cmd in commands(body)]


def test_every_command_is_exercised():
    for cmd in readme_commands():
        # the most specific key first: "copier copy --trust --defaults" before "copier copy --trust"
        key = next((k for k in sorted(EXERCISED, key=len, reverse=True) if cmd == k or cmd.startswith(k + " ")), None)
        assert key is not None, f"README.md shows a command no test exercises: {cmd!r}"
        where, needle = EXERCISED[key]
        assert needle in (REPO / where).read_text(encoding="utf-8"), f"{cmd!r}: {where} does not run it"
    where, needle = SNIPPET_RUN_BY
    assert needle in (REPO / where).read_text(encoding="utf-8"), f"{where} does not run the pre-commit snippet"


VALID_LOG = """[2026-11-25 14:30:01] START_DESIGN
Details: Starting the design
Experiment: demo
Type: experiment
Directory: /scratch/me/ck-experiments/demo
Result: success

[2026-11-25 14:30:02] COMPLETE_DESIGN
Details: Design complete
Duration: 1s
Result: success
"""


def test_readme_ck_validate_commands_run(tmp_path):
    """Every `ck-validate ...` line of the README runs (no usage error) on real files."""
    exe = ck_validate()
    summary = (REPO / "examples" / "experiment_summary.yaml").read_text(encoding="utf-8")
    for rel in ("experiment_summary.yaml", "path/to/experiment_summary.yaml"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(summary, encoding="utf-8")
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "design-experiment.log").write_text(VALID_LOG, encoding="utf-8")
    ran = 0
    for cmd in readme_commands():
        argv = shlex.split(cmd)
        if argv[0] != "ck-validate" or cmd == block_command():
            continue
        got = subprocess.run([exe, *argv[1:]], cwd=tmp_path, capture_output=True, text=True)
        assert got.returncode in (0, 1), f"{cmd!r} exited {got.returncode}: {got.stderr}"
        assert "Traceback" not in got.stderr
        ran += 1
    assert ran >= 3


def block_command() -> str:
    return block("ck-validate-output").split("\n")[1][2:]


def update_readme_output() -> None:
    """Rewrite the README's ck-validate block with what ck-validate prints now (`make readme`)."""
    text = readme()
    m = re.search(r"(<!-- ck-validate-output:start -->\n```console\n\$ (ck-validate [^\n]*)\n)(.*?)(```\n<!-- ck-validate-output:end -->)", text, re.S)
    assert m, "README.md has no ck-validate-output block"
    argv = shlex.split(m.group(2))
    got = subprocess.run([ck_validate(), *argv[1:]], cwd=REPO, capture_output=True, text=True)
    README.write_text(text[:m.start(3)] + got.stdout + got.stderr + text[m.end(3):], encoding="utf-8")


if __name__ == "__main__":
    update_readme_output()


def _compare_example(tmp_path: Path) -> Path:
    """The README's "Review a change" example, as a real repository: `main` holds a design (one
    model, lora_rank 4 and 8, two tasks, compute estimates); the working tree is a pull request that
    adds lora_rank 16 (its evaluation epochs written 1-indexed, by mistake) and drops a task."""
    from designs import TASKS, dump, make_design, with_compute

    def design(lora, tasks):
        return with_compute(make_design(models=("Llama-3.2-1B-Instruct",), variables={"lora_rank": lora}, tasks=tasks))

    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_AUTHOR_NAME": "A", "GIT_AUTHOR_EMAIL": "a@example.invalid",
           "GIT_COMMITTER_NAME": "A", "GIT_COMMITTER_EMAIL": "a@example.invalid"}
    repo = tmp_path / "experiment"
    repo.mkdir()
    summary = repo / "experiment_summary.yaml"
    summary.write_text(dump(design([4, 8], TASKS)), encoding="utf-8")
    for args in (["init", "-q", "--initial-branch=main"], ["add", summary.name], ["commit", "-qm", "design"]):
        subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)
    pull_request = design([4, 8, 16], TASKS[:1])
    entry = next(e for e in pull_request["evaluation"]["matrix"] if e["run"].endswith("_rank16"))
    entry["epochs"] = [1, 2]
    summary.write_text(dump(pull_request), encoding="utf-8")
    return repo


@pytest.mark.e2e  # a real git history
def test_shown_ck_plan_compare_output_is_what_it_prints_today(tmp_path):
    (lang, body), = fenced(block("ck-plan-compare-output"))
    lines = body.splitlines()
    assert lang == "console" and lines[0] == "$ ck-plan --compare main"
    repo = _compare_example(tmp_path)
    got = subprocess.run([str(Path(sys.executable).parent / "ck-plan"), "--compare", "main"], cwd=repo,
                         capture_output=True, text=True)
    assert got.returncode == 0 and got.stderr == "", got.stderr
    assert got.stdout == "\n".join(lines[1:]) + "\n", (
        "README.md's ck-plan --compare output is stale. Paste this between the markers:\n" + got.stdout)
