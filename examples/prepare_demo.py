"""Write the inputs of `make demo` into a scratch folder, with every path made absolute.

    python examples/prepare_demo.py OUT_DIR

writes OUT_DIR/claude.local.md and OUT_DIR/answers.yml from examples/capitalization/, resolving
the relative paths those files hold (relative to their own folder) into absolute ones, and
creates the scratch directory OUT_DIR/scratch, which the written claude.local.md names. A relative path in a claude.local.md or an
answers file would be read relative to wherever copier happens to run; absolute paths are what a
researcher's real files hold, and what the rendered experiment_summary.yaml must record.

Standard library plus PyYAML (a dependency of ck-design): run it with the project's venv.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

EXAMPLE = Path(__file__).resolve().parent / "capitalization"
PATH_FIELDS = ("Scratch directory", "Models directory", "Task scripts")
FIELD = re.compile(r"^(- \*\*(?P<field>[^*]+)\*\*: `)(?P<value>[^`]*)(`.*)$")


def absolute(value: str, base: Path) -> str:
    path = Path(value).expanduser()
    return str(path if path.is_absolute() else (base / path).resolve())


def local_config(src: Path, scratch: Path) -> tuple[str, dict[str, str]]:
    """The claude.local.md text with its path fields made absolute, and those fields.
    The scratch directory is always `scratch`, so every demo output stays in one folder."""
    lines, fields = [], {}
    for line in src.read_text(encoding="utf-8").splitlines():
        m = FIELD.match(line)
        if m and m["field"] in PATH_FIELDS:
            value = str(scratch) if m["field"] == "Scratch directory" else absolute(m["value"], src.parent)
            fields[m["field"]] = value
            line = f"{m.group(1)}{value}{m.group(4)}"
        lines.append(line)
    return "\n".join(lines) + "\n", fields


def answers(src: Path) -> dict:
    data = yaml.safe_load(src.read_text(encoding="utf-8"))
    data["dataset_path"] = absolute(data["dataset_path"], src.parent)
    for task in data.get("eval_tasks", []):
        task["script"] = absolute(task["script"], src.parent)
    return data


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    out = Path(argv[0]).resolve()
    out.mkdir(parents=True, exist_ok=True)
    text, fields = local_config(EXAMPLE / "claude.local.md", out / "scratch")
    text = re.sub(
        r"<!--.*?-->",
        "<!-- Written by `make demo` (examples/prepare_demo.py) from\n"
        f"     {EXAMPLE / 'claude.local.md'}, every path made absolute. -->",
        text,
        count=1,
        flags=re.S,
    )
    (out / "claude.local.md").write_text(text, encoding="utf-8")
    Path(fields["Scratch directory"]).mkdir(parents=True, exist_ok=True)
    data = answers(EXAMPLE / "answers.yml")
    header = "# Written by `make demo` from examples/capitalization/answers.yml, paths made absolute.\n"
    (out / "answers.yml").write_text(
        header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1000), encoding="utf-8"
    )
    print(f"demo inputs: {out / 'claude.local.md'}")
    print(f"             {out / 'answers.yml'}")
    print(f"  scratch:   {fields['Scratch directory']}")
    print(f"  models:    {fields['Models directory']}")
    print(f"  dataset:   {data['dataset_path']}")
    for task in data.get("eval_tasks", []):
        print(f"  task:      {task['script']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
