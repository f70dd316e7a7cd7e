"""What migrating a seed-era design to the 0.3 era changes, decided on the plain data (no I/O):
ck-migrate and the wizard (a 0.3 design is the seed-era build migrated) both use it.

The steps come from spec/era.py's table (RENAMES, DROPPED, PROJECT) and the conventions of
spec/naming.py; migrate/apply.py makes them on the ruamel.yaml tree, so comments and layout stay.
A design already in the 0.3 era gives no step: migrating twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from . import era as eras
from . import naming

RENAME, DROP, SET = "rename", "drop", "set"


@dataclass(frozen=True)
class Step:
    kind: str  # RENAME (path -> key `value`), DROP (path), SET (path = value; added after `after`)
    path: tuple[str, ...]
    value: Any = None
    why: str = ""  # said to the user beside the change
    after: str | None = None  # SET of a new key: the key of the same mapping it goes after

    def describe(self) -> str:
        where = eras.dotted(self.path)
        if self.kind == RENAME:
            return f"renamed {where} -> {eras.dotted((*self.path[:-1], self.value))}"
        if self.kind == DROP:
            return f"dropped {where}: {self.why}"
        return f"set {where}: {self.value!r} ({self.why})"


class MigrationError(Exception):
    """The design cannot be migrated as it is (the message says why and what to do)."""


class NeedsProject(MigrationError):
    """No project given and none in the path: the user must say it (--project)."""


def _get(data: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(data, Mapping) or key not in data:
            return None
        data = data[key]
    return data


def _has(data: Any, path: tuple[str, ...]) -> bool:
    parent = _get(data, path[:-1])
    return isinstance(parent, Mapping) and path[-1] in parent


def plan(data: Any, *, project: str | None = None, folder: str | None = None, project_source: str = "--project") -> list[Step]:
    """The steps that make `data` a 0.3 design. `folder` is the absolute folder the file is in
    (the project is read from `{scratch}/ck-projects/{project}/{name}/` when not given).
    Raises MigrationError when a key and its 0.3 name are both present, or no project is known."""
    if not isinstance(data, Mapping):
        raise MigrationError("the file is not a mapping of sections (experiment, controls, ...)")
    if eras.detect(data) == eras.V03:
        return []  # already 0.3: nothing is rewritten, not even a value that breaks 0.3's conventions
    steps: list[Step] = []
    for old, new in eras.RENAMES:
        if not _has(data, old):
            continue
        if _has(data, new):
            raise MigrationError(
                f"both {eras.dotted(old)} and {eras.dotted(new)} are set: keep the one you mean and delete the other, then run ck-migrate again"
            )
        steps.append(Step(RENAME, old, new[-1]))
    for path, why in eras.DROPPED.items():
        if _has(data, path):
            value = _get(data, path)
            steps.append(Step(DROP, path, value, f"{why}; was {value!r}"))
    steps += _system_prompt(data)
    steps += _sampling(data)
    steps += _project_and_dir(data, project, folder, project_source)
    return steps


def _system_prompt(data: Any) -> list[Step]:
    """0.3 drops evaluation.system_prompt: controls.system_prompt is the one source. Dropped when
    equal (nothing changes); kept when it differs, for CK201 to report (a decision, not a rename)."""
    evaluation, controls = _get(data, ("evaluation",)), _get(data, ("controls",))
    if not isinstance(evaluation, Mapping) or not isinstance(controls, Mapping) or "system_prompt" not in evaluation:
        return []
    if "system_prompt" in controls and evaluation["system_prompt"] == controls["system_prompt"]:
        return [Step(DROP, ("evaluation", "system_prompt"), evaluation["system_prompt"],
                     "in 0.3 controls.system_prompt is the one source for training and evaluation (the same text)")]
    return []


def _sampling(data: Any) -> list[Step]:
    """The seed era sampled whenever the temperature was above 0 (no switch given); 0.3 samples
    only with do_sample: true (default false). Say so, so the evaluation stays what it was."""
    evaluation = _get(data, ("evaluation",))
    if not isinstance(evaluation, Mapping) or "sampling" in evaluation or "do_sample" in evaluation:
        return []
    temperature = evaluation.get("temperature")
    if isinstance(temperature, (int, float)) and not isinstance(temperature, bool) and temperature > 0:
        return [Step(SET, ("evaluation", "do_sample"), True,
                     f"temperature {temperature} sampled in the seed era; 0.3 decodes greedily unless do_sample is true",
                     after="temperature")]
    return []


def _project_and_dir(data: Any, project: str | None, folder: str | None, source: str) -> list[Step]:
    experiment = _get(data, ("experiment",))
    if not isinstance(experiment, Mapping):
        return []
    steps: list[Step] = []
    from_path = naming.project_parts(folder) if folder else None
    current = experiment.get("project")
    if current is None:
        if project is None and from_path is not None:
            project, source = from_path[1], f"from the path {naming.PROJECTS_DIR}/{from_path[1]}/"
        if project is None:
            raise NeedsProject(
                "0.3 needs experiment.project, the folder under {scratch}/ck-projects/: give it with --project NAME "
                f"(or keep the file under {{scratch}}/{naming.PROJECTS_DIR}/{{project}}/{{name}}/)"
            )
        if not naming.is_safe_name(project):
            raise MigrationError(
                f"--project {project!r} is not safe as a folder name: use letters, digits, '.', '_' and '-' "
                f"(e.g. {naming.safe_name(project)!r})"
            )
        after = "name" if "name" in experiment else None
        steps.append(Step(SET, eras.PROJECT, project, "the project, " + source, after=after))
    else:
        project = current if isinstance(current, str) else None
    steps += _dir(experiment, project, folder, from_path)
    return steps


def _dir(experiment: Mapping[str, Any], project: str | None, folder: str | None, from_path: Any) -> list[Step]:
    """experiment.dir: where the file is, when it sits at {scratch}/ck-projects/{project}/{name}/;
    else 0.3's convention when the old value followed the seed's; else left as it is (CK260 says)."""
    key = "directory" if "directory" in experiment else "dir"
    directory, name = experiment.get(key), experiment.get("name")
    if not isinstance(directory, str) or not isinstance(name, str) or not isinstance(project, str):
        return []
    target = None
    if from_path is not None and from_path[1:] == (project, name) and folder:
        target, why = folder.rstrip("/"), "the folder the file is in"
    else:
        scratch = next(
            (s for sub in (naming.EXPERIMENTS_DIR, naming.SANITY_CHECKS_DIR) if (s := naming.scratch_of(directory, sub, name)) is not None),
            None,
        )
        if scratch is not None:
            target = naming.project_directory(scratch, project, name)
            why = f"0.3's convention {{scratch}}/{naming.PROJECTS_DIR}/{{project}}/{{name}}: move the experiment's folder there"
    if target is None or target == directory.rstrip("/"):
        return []
    return [Step(SET, ("experiment", "dir"), target, why)]


def apply_to_data(data: dict[str, Any], steps: list[Step]) -> dict[str, Any]:
    """The steps made on plain data (the wizard's built design), in place and in key order:
    what migrate/apply.py does on the file's ruamel.yaml tree."""
    for step in sorted(steps, key=lambda s: (s.kind != RENAME, s.kind != DROP)):
        parent: Any = data
        for key in step.path[:-1]:
            parent = parent[key]
        key = step.path[-1]
        if step.kind == RENAME:
            items = [(step.value if k == key else k, v) for k, v in parent.items()]
        elif step.kind == DROP:
            items = [(k, v) for k, v in parent.items() if k != key]
        elif key in parent:
            parent[key] = step.value
            continue
        else:
            items = list(parent.items())
            at = next((i + 1 for i, (k, _) in enumerate(items) if k == step.after), len(items))
            items.insert(at, (key, step.value))
        parent.clear()
        parent.update(items)
    return data
