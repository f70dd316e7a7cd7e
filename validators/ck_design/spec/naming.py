"""Naming conventions: safe names, dates, run names, the directories of an experiment.

One place for the conventions the wizard writes, the validator checks (CK221-CK223, CK260-CK263,
CK270) and the post-copy hook reads back. Pure functions on strings; nothing touches the disk.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from . import era as eras
from .era import V03
from .params import PARAMS

SAFE_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
SAFE_NAME = re.compile(SAFE_NAME_PATTERN)
DATE_FORM = re.compile(DATE_PATTERN)
# A date inside an experiment name (cap_8L_lora_comparison_2025-10-18: the seed's step 6).
DATE_IN_NAME = re.compile(r"(?<!\d)\d{4}-\d{2}-\d{2}(?!\d)")

# Experiment types and the scratch subdirectory each lives in.
EXPERIMENT = "experiment"
SANITY_CHECK = "sanity_check"
EXPERIMENT_TYPES = (EXPERIMENT, SANITY_CHECK)
EXPERIMENTS_DIR = "ck-experiments"
SANITY_CHECKS_DIR = "ck-sanity-checks"
OUTPUTS_DIR = "ck-outputs"
# The 0.3 era: experiments live under a project, and their checkpoints inside them.
PROJECTS_DIR = "ck-projects"
ARTIFACTS_DIR = "artifacts"
TYPE_DIRS = {EXPERIMENT: EXPERIMENTS_DIR, SANITY_CHECK: SANITY_CHECKS_DIR}
CHECKPOINT_PREFIX = "ck-out-"  # each run's training output folder: ck-out-{run_name}
CHECKPOINT_PATTERN = CHECKPOINT_PREFIX + "{run_name}/epoch_{N}"
CONTROL_SUFFIX = "base"
# The files of an experiment directory: the design, the audit log the post-copy hook appends to
# and the resource facts it measured (both never rendered by copier, see hooks/README.md), and
# copier's answers.
SUMMARY_FILE = "experiment_summary.yaml"
LOG_FILE = "logs/design-experiment.log"
FACTS_FILE = "logs/resource-facts.json"
ANSWERS_FILE = ".copier-answers.yml"

# Text that lands in a generated script or a path (SLURM constraint/partition, names, paths,
# the W&B project) must be one line of printable characters: a newline in
# `slurm_overrides.constraint` would add an `#SBATCH` line to every job script
# (docs/security.md). C0/C1 controls, DEL, and the Unicode line/paragraph separators.
SCRIPT_SAFE_PATTERN = r"^[^\x00-\x1f\x7f-\x9f\u2028\u2029]*$"
SCRIPT_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def script_unsafe(text: Any) -> str:
    """'' when `text` is one line of printable characters, else which character is not."""
    if not isinstance(text, str):
        return ""
    m = SCRIPT_UNSAFE.search(text)
    if m is None:
        return ""
    ch = m.group()
    name = {"\n": "a newline", "\r": "a carriage return", "\t": "a tab"}.get(ch, f"control character U+{ord(ch):04X}")
    return f"{name} at character {m.start() + 1}"


# The one rule for a value that reaches a SLURM script, a command line or a path (run names,
# paths, checkpoint paths, slurm_overrides, claude.local.md's partition/account/constraint, the
# W&B project): one line without control characters (SCRIPT_SAFE_PATTERN, script_unsafe); a
# SLURM option value (partition, account, constraint) also keeps to the characters SLURM's own
# names and constraint expressions use (`gpu80`, `a100&ib`, `[rack1|rack2]`, `gpu*2`): no
# space, quote, `$`, `;`, `#`, backtick or `=`-led option, so it is one value on an `#SBATCH`
# line and one word to a shell. The schema, the wizard's validators and the claude.local.md
# reader all call these (docs/security.md).
SLURM_VALUE_PATTERN = r"^[A-Za-z0-9_.,:+@%&|*()\[\]][A-Za-z0-9_.,:+@%&|*()\[\]-]*$"
SLURM_VALUE = re.compile(SLURM_VALUE_PATTERN)
_SLURM_CHAR = re.compile(r"[A-Za-z0-9_.,:+@%&|*()\[\]-]")
SLURM_VALUE_WORDS = "letters, digits and . _ - , : + @ % & | * ( ) [ ]"


def line_problem(text: Any, what: str) -> str:
    """'' when `text` may reach a SLURM script or a path, else one sentence naming `what`."""
    bad = script_unsafe(text)
    if not bad:
        return ""
    return f"{what} holds {bad}: text that reaches a SLURM script or a path must be one line without control characters"


def slurm_value_problem(text: Any, what: str) -> str:
    """'' when `text` is usable as a SLURM option value (empty: left out), else one sentence."""
    if not isinstance(text, str) or text == "":
        return ""
    if line := line_problem(text, what):
        return line
    if SLURM_VALUE.fullmatch(text):
        return ""
    bad = next((ch for ch in text if not _SLURM_CHAR.fullmatch(ch)), "")
    why = f"holds {bad!r}" if bad else "starts with '-'"
    return (f"{what} {text!r} {why}: a SLURM option value uses {SLURM_VALUE_WORDS} only, "
            "and does not start with '-'")


def is_safe_name(name: Any) -> bool:
    """A name usable as one directory component: letters, digits, '.', '_', '-', no '..'."""
    return isinstance(name, str) and bool(SAFE_NAME.fullmatch(name)) and ".." not in name


def safe_name(text: str) -> str:
    """`text` made into a safe directory name (for defaults: the user can still change it)."""
    out = re.sub(r"[^A-Za-z0-9._-]+", "_", str(text)).strip("._-")
    out = re.sub(r"\.\.+", ".", out)
    return out or "experiment"


def format_value(value: Any) -> str:
    """THE number format of run names, labels and the plans: a float below 1 in the shorter of
    its decimal and its scientific spelling, the exponent without padding (1e-5, 1e-4, 1e-3,
    3e-4, 0.01, 0.5; a tie keeps the decimal), from 1 up as Python writes it (2.0); other values
    as repr() (strings as they are).
    The older repr spellings (1e-05, 0.0001) stay accepted: value_spellings."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or not isinstance(value, float) or not math.isfinite(value):
        return repr(value)
    text = repr(value)
    if "e" not in text and abs(value) >= 1:
        return text  # 2.0, 10.0, 1024.5: no exponent above 1
    sign, digits, exponent = Decimal(text).normalize().as_tuple()
    places = "".join(map(str, digits))
    scientific = ("-" if sign else "") + places[0] + (f".{places[1:]}" if len(places) > 1 else "") \
        + f"e{exponent + len(places) - 1}"
    decimal = text if "e" not in text else format(Decimal(text), "f")
    return scientific if len(scientific) < len(decimal) else decimal


def value_label(param: str, value: Any, values: Sequence[Any] | None = None) -> str:
    """`rank4` for lora_rank=4, `lr1e-5` for lr=1e-05 (format_value), `{name}{v}` for unknown parameters.

    A prompt's text is no name (spaces, braces, newlines): a swept prompt is labelled by its
    1-based position in `values` (the variable's list), `prompt1`, `prompt2`, `system_prompt2`
    (docs/wizard.md, "Sweeping a prompt"). Without `values` it falls back to the text.
    """
    p = PARAMS.get(param)
    label = p.label if p else param
    if p is not None and p.index_label and values is not None:
        position = next((k for k, v in enumerate(values) if v == value and type(v) is type(value)), None)
        if position is not None:
            return f"{label}{position + 1}"
    return f"{label}{format_value(value)}"


def parameters_label(parameters: Mapping[str, Any], variables: Mapping[str, Sequence[Any]] | None = None) -> str:
    """The varied part of a run name, in variable order; `ft` when nothing varies."""
    if not parameters:
        return "ft"
    variables = variables or {}
    return "_".join(value_label(k, v, variables.get(k)) for k, v in parameters.items())


def run_name(model: str, parameters: Mapping[str, Any], variables: Mapping[str, Sequence[Any]] | None = None) -> str:
    return f"{model}_{parameters_label(parameters, variables)}"


def control_name(model: str) -> str:
    return f"{model}_{CONTROL_SUFFIX}"


def experiment_type(experiment: Mapping[str, Any]) -> str:
    """`experiment.type` when it is one of EXPERIMENT_TYPES, else what `directory` says.

    The seed's template has no `type`: a design under `ck-sanity-checks/` is a sanity check,
    anything else an experiment.
    """
    given = experiment.get("type")
    if given in EXPERIMENT_TYPES:
        return given
    directory = experiment.get("directory")  # the seed era's name: 0.3 has no sanity-check folder
    if isinstance(directory, str) and f"/{SANITY_CHECKS_DIR}/" in f"/{directory.strip('/')}/":
        return SANITY_CHECK
    return EXPERIMENT


def value_spellings(value: Any) -> tuple[str, ...]:
    """Every way a run name may spell `value`: the form the wizard writes (format_value: 1e-5)
    first, then the repr form earlier versions wrote (1e-05, 0.0001) and the forms people write
    by hand for the same number (1E-5, 0.00001, 1e-04).
    """
    first = format_value(value)
    if isinstance(value, bool) or not isinstance(value, float) or not math.isfinite(value):
        return (first,)
    forms = [first, repr(value)]
    if value.is_integer():
        forms.append(str(int(value)))
    mantissa, _, exponent = f"{value:.12e}".partition("e")
    mantissa = mantissa.rstrip("0").rstrip(".")
    sign = "-" if exponent.startswith("-") else ""
    digits = exponent.lstrip("+-").lstrip("0") or "0"
    for e in (f"e{sign}{digits}", f"e{sign}{digits.zfill(2)}"):
        forms += [f"{mantissa}{e}", f"{mantissa}{e.upper()}"]
    forms.append(f"{value:.12f}".rstrip("0").rstrip("."))
    return tuple(dict.fromkeys(f for f in forms if f))


# Between a parameter's name and its value in a run name: `rank4`, `rank_4`, `rank-4`.
LABEL_SEPARATORS = ("", "_", "-")


def label_prefixes(param: str) -> tuple[str, ...]:
    """The names a run name may give a parameter: its short form (`bs`, what the wizard writes)
    and its full name (`batch_size`): the seed only asks that a run name contain the model and
    the varied values (Llama-3.2-1B-Instruct_rank4), not one abbreviation."""
    p = PARAMS.get(param)
    return tuple(dict.fromkeys((p.label, p.name) if p else (param,)))


def label_spellings(param: str, value: Any) -> tuple[str, ...]:
    """`value_label` in every form a run name may spell it: either prefix (`label_prefixes`),
    a separator or none (`LABEL_SEPARATORS`), and the value as `value_spellings` writes it
    (bs4, batch_size4, batch_size_4, lr1e-5, lr1e-05, lr_0.00001, ...)."""
    return tuple(
        f"{prefix}{sep}{v}" for prefix in label_prefixes(param) for sep in LABEL_SEPARATORS for v in value_spellings(value)
    )


def experiment_directory(scratch_dir: str, experiment_type: str, name: str) -> str:
    sub = TYPE_DIRS.get(experiment_type, EXPERIMENTS_DIR)
    return f"{scratch_dir.rstrip('/')}/{sub}/{name}"


def output_directory(scratch_dir: str, name: str) -> str:
    return f"{scratch_dir.rstrip('/')}/{OUTPUTS_DIR}/{name}"


def scratch_of(path: str, sub: str, name: str) -> str | None:
    """The scratch dir of `{scratch}/{sub}/{name}`, or None when `path` is not of that form."""
    p = path.rstrip("/")
    tail = f"/{sub}/{name}"
    return p[: -len(tail)] if p.endswith(tail) else None


def scratch_from_directory(directory: str) -> str:
    """The scratch dir of an experiment, sanity-check or (0.3) project directory ('' when none)."""
    for sub in (EXPERIMENTS_DIR, SANITY_CHECKS_DIR, PROJECTS_DIR):
        marker = f"/{sub}/"
        if marker in directory:
            return directory.split(marker)[0]
    return ""


# --- The 0.3 era's conventions (UPSTREAM.md section 1) ------------------------------------------


def project_directory(scratch_dir: str, project: str, name: str) -> str:
    """A 0.3 experiment's folder: {scratch}/ck-projects/{project}/{name}."""
    return f"{scratch_dir.rstrip('/')}/{PROJECTS_DIR}/{project}/{name}"


def project_parts(directory: str) -> tuple[str, str, str] | None:
    """(scratch, project, name) of `{scratch}/ck-projects/{project}/{name}`, else None.

    The last ck-projects component counts, so a scratch folder that itself sits under some
    other ck-projects folder is read right; project and name are one component each.
    """
    parts = directory.rstrip("/").split("/")
    for i in range(len(parts) - 3, -1, -1):
        if parts[i] == PROJECTS_DIR:
            if i == len(parts) - 3 and parts[i + 1] and parts[i + 2]:
                return "/".join(parts[:i]), parts[i + 1], parts[i + 2]
            return None
    return None


def training_output_directory(era: str, run: str, *, experiment_dir: str = "", output_base: str = "") -> str:
    """Where a fine-tuned run's checkpoints go: seed {output.base_directory}/ck-out-{run},
    0.3 {experiment.dir}/{run}/artifacts. `era` is spec.era.SEED or spec.era.V03."""
    if era == V03:
        return f"{experiment_dir.rstrip('/')}/{run}/{ARTIFACTS_DIR}"
    return f"{output_base.rstrip('/')}/{CHECKPOINT_PATTERN.split('/', 1)[0].replace('{run_name}', run)}"


def checkpoint_directory(era: str, run: str, epoch: int, *, experiment_dir: str = "", output_base: str = "") -> str:
    """A fine-tuned run's checkpoint of (0-indexed) `epoch`: the training output + epoch_{N}."""
    out = training_output_directory(era, run, experiment_dir=experiment_dir, output_base=output_base)
    return f"{out}/epoch_{epoch}"


def experiment_factor(variables: Mapping[str, Any]) -> str:
    """`lora_rank_comparison`, `lora_rank_lr_comparison`; `baseline` when nothing varies."""
    return f"{'_'.join(variables)}_comparison" if variables else "baseline"


def checkpoint_path_of(design: Mapping[str, Any], run: str = "<run_name>", epoch: Any = "<N>") -> str:
    """Where a design's fine-tuned run saves the checkpoint of `epoch`, by the design's era:
    {output.base_directory}/ck-out-{run}/epoch_{N} (seed), {experiment.dir}/{run}/artifacts/epoch_{N} (0.3)."""
    which = eras.era_of(design)
    exp_dir = eras.experiment_dir(design, which)
    output = design.get("output") if isinstance(design, Mapping) else None
    base = output.get("base_directory") if isinstance(output, Mapping) else None
    return checkpoint_directory(which, run, epoch, experiment_dir=str(exp_dir or ""), output_base=str(base or ""))


def checkpoints_root_of(design: Mapping[str, Any]) -> str:
    """The folder a design's checkpoints land under: output.base_directory (seed), experiment.dir (0.3)."""
    which = eras.era_of(design)
    if which == V03:
        return str(eras.experiment_dir(design, which) or "")
    output = design.get("output") if isinstance(design, Mapping) else None
    return str(output.get("base_directory") or "") if isinstance(output, Mapping) else ""
