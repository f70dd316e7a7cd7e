"""docs/design.md stays true: every module of the package appears in its layout, and every path
it names exists (a name given beside a path, "`spec/sweep.py` `effective_prompt`", is in that file)."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "validators" / "ck_design"
DOC = REPO / "docs" / "design.md"
# Files of a rendered experiment (not of this repository) that the page names.
IN_AN_EXPERIMENT = {"logs/resource-facts.json", "logs/design-experiment.log", ".copier-answers.yml", "experiment_summary.yaml"}
FILE = r"[\w.-]+\.(?:py|md|yml|yaml|json|jinja|toml)"
# A path in the prose: in backquotes (a folder ends with /), or a file path with a folder.
QUOTED_PATH = re.compile(rf"`((?:[\w.<>-]+/)+(?:{FILE})?|{FILE})`")
BARE_PATH = re.compile(rf"(?<![\w./`-])((?:[\w.-]+/)+{FILE})")
NAMED = re.compile(r"`([\w/.-]+\.py)` \(?`(\w+)`")
ENTRY = re.compile(r"^    ( *)(\S[^ ]*(?:, \S+)*)(?: {2,}(.*))?$")


def _layout() -> list[tuple[str, str]]:
    """The layout under "## The pieces": (path, description) per entry, nesting by indentation."""
    block = DOC.read_text(encoding="utf-8").split("## The pieces", 1)[1].split("\n## ", 1)[0]
    entries: list[tuple[str, str]] = []
    parents: list[tuple[int, str]] = []
    for line in block.splitlines():
        if line.startswith(" " * 14) and entries:  # a description's continuation line
            entries[-1] = (entries[-1][0], f"{entries[-1][1]} {line.strip()}")
            continue
        m = ENTRY.match(line)
        if not m:
            continue
        depth, names, description = len(m.group(1)), m.group(2), m.group(3) or ""
        while parents and parents[-1][0] >= depth:
            parents.pop()
        prefix = parents[-1][1] if parents else ""
        for name in names.rstrip(",").split(", "):
            entries.append((prefix + name, description))
        if names.endswith("/"):
            parents.append((depth, prefix + names))
    return entries


def test_the_layout_is_read() -> None:
    paths = [p for p, _ in _layout()]
    assert "validators/ck_design/spec/params.py" in paths
    assert "validators/ck_design/validate/fixes/" in paths
    assert "hooks/post_copy.py" in paths


def test_every_module_of_the_package_is_in_the_layout() -> None:
    entries = _layout()
    listed = {p for p, _ in entries}
    described = {p: d for p, d in entries if p.endswith("/")}
    missing = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(REPO).as_posix()
        folder = rel.rsplit("/", 1)[0] + "/"
        if rel in listed or (path.name == "__init__.py" and folder in listed and path.parent != PACKAGE):
            continue
        # A folder whose modules are named in its description (rules/, fixes/) lists them there.
        if re.search(rf"\b{re.escape(path.stem)}\b", described.get(folder, "")):
            continue
        missing.append(rel)
    assert missing == [], f"docs/design.md does not mention {missing}: add them to its layout"


def test_every_path_the_page_names_exists() -> None:
    text = DOC.read_text(encoding="utf-8")
    head, rest = text.split("## The pieces", 1)
    prose = head + rest.split("\n## ", 1)[1]
    missing = sorted(p for p, _ in _layout() if not (REPO / p).exists())
    for path in QUOTED_PATH.findall(prose) + BARE_PATH.findall(prose):
        if "<" in path or path in IN_AN_EXPERIMENT:
            continue
        if not any((base / path).exists() for base in (REPO, PACKAGE, REPO / "validators")):
            missing.append(path)
    assert missing == [], f"docs/design.md names paths that do not exist: {missing}"


def test_a_name_given_beside_a_path_is_in_that_file() -> None:
    wrong = []
    for path, name in NAMED.findall(DOC.read_text(encoding="utf-8")):
        file = next((b / path for b in (PACKAGE, REPO) if (b / path).is_file()), None)
        if file is None or not re.search(rf"\b{name}\b", file.read_text(encoding="utf-8")):
            wrong.append(f"{path} {name}")
    assert wrong == [], f"docs/design.md names what these files do not define: {wrong}"
