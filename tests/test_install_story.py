"""One install story (issue 22, item 6): README.md, the rendered .pre-commit-config.yaml and the
rendered workflow say how ck-design is installed in the same words (wizard/render.py
INSTALL_STORY), and the pre-commit config names the command for the ck-design this design came
from. A real `copier copy` renders both files."""

from __future__ import annotations

import re
from pathlib import Path

from wizard_fixtures import REPO, base_answers, make_resources, render_cli

from ck_design.wizard.render import INSTALL_STORY


def _prose(text: str) -> str:
    """Comment lines (or paragraphs) joined into one line of words."""
    return " ".join(re.sub(r"^\s*# ?", "", line) for line in text.splitlines()).replace("  ", " ")


def _said(text: str) -> bool:
    return " ".join(INSTALL_STORY.split()) in " ".join(_prose(text).split())


def test_readme_and_both_rendered_configs_tell_one_install_story(tmp_path: Path) -> None:
    assert _said((REPO / "README.md").read_text())
    res = make_resources(tmp_path / "res")
    dst = tmp_path / "ck-experiments" / "story"
    done = render_cli(res, dst, base_answers(res))
    assert done.returncode == 0, done.stderr
    config = (dst / ".pre-commit-config.yaml").read_text()
    workflow = (dst / ".github" / "workflows" / "validate.yml").read_text()
    assert _said(config), config
    assert _said(workflow), workflow
    assert "pip install ck-design" not in config and "install ck-design (`pip install ck-design`" not in config
    # the command for this design's own ck-design: the template it was rendered from (a local path here)
    assert f"#   pip install {REPO}" in config, config


BARE_NAME = re.compile(r"(pip install|uv tool install|--with|pipx inject copier) ck-design(?![\w/ @.-]*[/@])")


def test_no_text_installs_ck_design_by_bare_name() -> None:
    """What a person reads when something is missing (the post-copy hook's fallback message,
    hooks/README.md, the modules' own docs) tells the same story: from the repository, never
    `pip install ck-design` from a package index."""
    files = [REPO / "hooks" / "post_copy.py", REPO / "hooks" / "README.md", REPO / "README.md",
             *sorted((REPO / "docs").glob("*.md")), *sorted((REPO / "validators").rglob("*.py"))]
    said = [f"{p.relative_to(REPO)}:{i}: {line.strip()}" for p in files
            for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if BARE_NAME.search(line)]
    assert not said, "\n".join(said)
