"""What the hook verifies: the rendered design read back, or, when it cannot be read (conflict
markers after an update, say), what the answers name (hooks/README.md)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..facts.loader import LoadError, load_file
from ..spec import era as eras
from ..spec.answers import Answers
from ..spec.naming import OUTPUTS_DIR, checkpoints_root_of, scratch_from_directory


def load_design(path: Path) -> tuple[dict[str, Any] | None, str | None]:
    """The rendered design, or (None, why not)."""
    try:
        data = load_file(path).data
    except OSError as exc:
        return None, f"cannot read {path.name}: {exc.strerror or exc}"
    except LoadError as exc:
        return None, f"{path.name}:{exc.line}:{exc.column}: {exc.code} {exc.message}"
    if not isinstance(data, dict):
        return None, f"{path.name} is not a mapping"
    return data, None


def _get(data: Any, *keys: Any, default: Any = None) -> Any:
    for key in keys:
        if isinstance(data, Mapping) and key in data:
            data = data[key]
        elif isinstance(data, list) and isinstance(key, int) and -len(data) <= key < len(data):
            data = data[key]
        else:
            return default
    return data


def _mappings(data: Any, *keys: str) -> list[Mapping[str, Any]]:
    """The mapping items of a list in the design (a hand-edited design may hold anything)."""
    return [m for m in (_get(data, *keys, default=[]) or []) if isinstance(m, Mapping)]


def _text(value: Any) -> str:
    return str(value or "")


@dataclass
class Plan:
    """What the hook verifies, taken from the design (or, when it cannot be read, the answers)."""

    name: str = ""
    type: str = ""
    directory: str = ""
    scratch_dir: str = ""
    models: list[tuple[str, str]] = field(default_factory=list)  # (name, path)
    recorded_sizes: dict[str, Any] = field(default_factory=dict)  # models.base[].size_gb as written
    dataset: str = ""
    dataset_splits: dict[str, Any] = field(default_factory=dict)
    tasks: list[tuple[str, str, str | None]] = field(default_factory=list)  # (name, script, own dataset)
    controls: dict[str, Any] = field(default_factory=dict)
    runs: list[Mapping[str, Any]] = field(default_factory=list)
    matrix: list[Mapping[str, Any]] = field(default_factory=list)
    from_design: bool = True
    era: str = eras.SEED  # the cruijff_kit schema the design is written in (spec/era.py)
    checkpoints: str = ""  # the folder checkpoints land under: output.base_directory, or 0.3's experiment.dir


def _scratch(design: Mapping[str, Any], a: Answers, directory: str) -> str:
    scratch = a.scratch_dir or scratch_from_directory(directory)
    output = _text(_get(design, "output", "base_directory"))
    marker = f"/{OUTPUTS_DIR}/"
    if not scratch and marker in output:
        scratch = output.split(marker)[0]
    return scratch


def _task(t: Mapping[str, Any]) -> tuple[str, str, str | None]:
    dataset = t.get("dataset")
    return _text(t.get("name")), _text(t.get("script")), dataset if isinstance(dataset, str) else None


def _from_design(design: Mapping[str, Any], a: Answers, dst: Path) -> Plan:
    exp = _get(design, "experiment", default={}) or {}
    exp = exp if isinstance(exp, Mapping) else {}
    directory = _text(eras.experiment_dir(design))
    models = _mappings(design, "models", "base")
    return Plan(
        name=_text(exp.get("name") or a.experiment_name),
        type=_text(exp.get("type") or a.experiment_type),
        directory=directory or str(dst),
        scratch_dir=_scratch(design, a, directory),
        models=[(_text(m.get("name")), _text(m.get("path"))) for m in models],
        recorded_sizes={_text(m.get("name")): m.get("size_gb") for m in models},
        dataset=_text(_get(design, "data", "training", "path")),
        dataset_splits=dict(_get(design, "data", "training", "splits", default={}) or {}),
        tasks=[_task(t) for t in _mappings(design, "evaluation", "tasks")],
        controls=dict(_get(design, "controls", default={}) or {}),
        runs=_mappings(design, "runs"),
        matrix=_mappings(design, "evaluation", "matrix"),
        era=eras.era_of(design),
        checkpoints=checkpoints_root_of(design),
    )


def _from_answers(a: Answers, dst: Path) -> Plan:
    return Plan(
        name=a.experiment_name,
        type=a.experiment_type,
        directory=str(dst),
        scratch_dir=a.scratch_dir,
        models=[(m, str(Path(a.models_dir) / m) if a.models_dir else m) for m in a.models],
        dataset=a.dataset_path,
        tasks=[_task(t) for t in a.eval_tasks],
        from_design=False,
        era=a.cruijff_kit_schema,
    )


def plan_from(design: Mapping[str, Any] | None, answers: Answers | Mapping[str, Any], dst: Path) -> Plan:
    a = Answers.of(answers)
    return _from_design(design, a, dst) if design is not None else _from_answers(a, dst)
