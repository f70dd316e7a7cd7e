"""CK260-CK268, CK270-CK271: naming and directory conventions (spec/naming.py): a safe experiment
name (and 0.3's project), a real date that the name carries, the checkpoint pattern, and where an
experiment and its outputs live (one scratch folder for both), by the conventions of the design's
era (spec/era.py)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from ...spec import era as eras
from ...spec import naming
from ..context import Ctx, Design
from ..values import PathT, as_dict, fmt_path
from . import E, PATHS, W, rule

DOCS = [
    rule(
        "CK260", W, PATHS,
        "experiment.directory does not follow the convention for its type and name.",
        """Experiments live in {scratch}/ck-experiments/{name}, sanity checks in
        {scratch}/ck-sanity-checks/{name}; tools that find experiments (and people) look there.""",
        "Use {scratch}/ck-experiments/{name} (or ck-sanity-checks for a sanity_check).",
        """
        experiment:
          name: cap_8L_lora_rank_comparison_2026-11-25
          type: experiment
          directory: /scratch/me/experiments/cap_8L
        """,
        """
        experiment:
          name: cap_8L_lora_rank_comparison_2026-11-25
          type: experiment
          directory: /scratch/me/ck-experiments/cap_8L_lora_rank_comparison_2026-11-25
        """,
        v03="""experiment.dir must be {scratch}/ck-projects/{project}/{name} (experiment.project),
        for sanity checks too: 0.3 has no ck-sanity-checks folder.""",
    ),
    rule(
        "CK261", E, PATHS,
        "output.checkpoint_pattern lacks {run_name} or {N}.",
        """Without {run_name} all runs write to the same directory; without {N} every epoch
        overwrites the previous checkpoint, so only the last one survives.""",
        "Use the default ck-out-{run_name}/epoch_{N}.",
        """
        output:
          checkpoint_pattern: ck-out-{run_name}
        """,
        """
        output:
          checkpoint_pattern: ck-out-{run_name}/epoch_{N}
        """,
        v03="Not checked: 0.3 has no checkpoint_pattern (checkpoints are {experiment.dir}/{run}/artifacts/epoch_{N}).",
    ),
    rule(
        "CK262", W, PATHS,
        "output.base_directory does not follow {scratch}/ck-outputs/{name}.",
        """Outputs of all experiments are grouped under {scratch}/ck-outputs/ by experiment
        name; analysis tools and clean-up scripts look for them there.""",
        "Use {scratch}/ck-outputs/{name}.",
        """
        experiment:
          name: cap_8L_lora_rank_comparison_2026-11-25
        output:
          base_directory: /scratch/me/outputs
        """,
        """
        experiment:
          name: cap_8L_lora_rank_comparison_2026-11-25
        output:
          base_directory: /scratch/me/ck-outputs/cap_8L_lora_rank_comparison_2026-11-25
        """,
        v03="Not checked: 0.3 has no output.base_directory (outputs live inside experiment.dir).",
    ),
    rule(
        "CK263", E, PATHS,
        "experiment.name is not a safe directory name.",
        """The name becomes a directory (twice: the experiment and its outputs) and part of
        SLURM job names. Spaces, slashes, `..` or a leading dot or dash break paths and
        shell commands. Allowed: ^[A-Za-z0-9][A-Za-z0-9._-]*$ without `..`.""",
        "Use letters, digits, '.', '_' and '-' only, starting with a letter or digit.",
        """
        experiment:
          name: cap 8L/lora ranks
        """,
        """
        experiment:
          name: cap_8L_lora_ranks_2026-11-25
        """,
    ),
    rule(
        "CK264", E, PATHS,
        "A run name, task name or vis_label is not safe as a folder or file name (a '/', '..', whitespace or another character outside letters, digits, '.', '_' and '-').",
        """Run names become the checkpoint directories ck-out-{run_name}; task names and
        vis_labels become file names and task-name suffixes (capitalization_rank4). A '/'
        nests or escapes the directory, '..' climbs out of it, and whitespace breaks the
        generated SLURM scripts and shell commands.""",
        "Use letters, digits, '.', '_' and '-' only (rename the matrix entries that refer to it too).",
        """
        runs:
          - name: Llama-3.2-1B-Instruct rank4/lr1e-5
        """,
        """
        runs:
          - name: Llama-3.2-1B-Instruct_rank4_lr1e-5
        """,
        v03="Run names become the folders {experiment.dir}/{run_name}.",
    ),
    rule(
        "CK265", W, PATHS,
        "data.training.label is not the dataset's file name without extension.",
        """The label names the dataset in directories, plots and the design log; the seed's
        convention is the file name without extension, so results of different datasets are
        never mixed up under one label.""",
        "Set the label to the file name without extension.",
        """
        data:
          training:
            path: /data/words_8L_500.json
            label: words
        """,
        """
        data:
          training:
            path: /data/words_8L_500.json
            label: words_8L_500
        """,
        v03="The field is data.training.dataset_label.",
    ),
    rule(
        "CK266", E, PATHS,
        "experiment.project (0.3 era) is empty or not safe as a folder name.",
        """A 0.3 experiment lives in {scratch}/ck-projects/{project}/{name}: the project is one
        folder name. An empty one, a '/', '..' or whitespace puts the experiment somewhere
        else than every tool looks, or breaks the paths and SLURM scripts built from it.""",
        "Use letters, digits, '.', '_' and '-' only, starting with a letter or digit.",
        """
        experiment:
          name: cap_8L_lora_rank_comparison_2026-11-25
          project: capitalization/2026
          dir: /scratch/me/ck-projects/capitalization/2026/cap_8L_lora_rank_comparison_2026-11-25
        """,
        """
        experiment:
          name: cap_8L_lora_rank_comparison_2026-11-25
          project: capitalization_2026
          dir: /scratch/me/ck-projects/capitalization_2026/cap_8L_lora_rank_comparison_2026-11-25
        """,
    ),
    rule(
        "CK267", W, PATHS,
        "output.base_directory is under another scratch folder beside the experiment's (/scratch/alice/ck-outputs for /scratch/me/ck-experiments).",
        """The seed derives both from one `scratch_dir` (claude.local.md's Scratch directory):
        "Experiments: {scratch_dir}/ck-experiments/{experiment_name}/" and "Derive the output
        directory: {scratch_dir}/ck-outputs/{experiment_name}/". Outputs under someone else's
        scratch folder (a design copied from a colleague) are written where you may not have
        quota or permission, and the experiment's tools look for them under its own scratch
        folder. Only scratch folders side by side (the same parent) are reported: a design kept
        elsewhere than the scratch folder its outputs go to is a choice.""",
        "Put the outputs under the experiment's scratch folder: {scratch}/ck-outputs/{name}.",
        """
        experiment:
          name: cap_8L_lora_rank_comparison_2026-11-25
          directory: /scratch/me/ck-experiments/cap_8L_lora_rank_comparison_2026-11-25
        output:
          base_directory: /scratch/alice/ck-outputs/cap_8L_lora_rank_comparison_2026-11-25
        """,
        """
        experiment:
          name: cap_8L_lora_rank_comparison_2026-11-25
          directory: /scratch/me/ck-experiments/cap_8L_lora_rank_comparison_2026-11-25
        output:
          base_directory: /scratch/me/ck-outputs/cap_8L_lora_rank_comparison_2026-11-25
        """,
        v03="""Not checked: 0.3 has no output.base_directory (outputs live inside experiment.dir).""",
    ),
    rule(
        "CK268", W, PATHS,
        "output.checkpoint_pattern does not start with the ck-out- prefix.",
        """The seed's template: "checkpoint_pattern ... Standard value: ck-out-{run_name}/epoch_{N}"
        and "Outputs are automatically grouped: {scratch_dir}/ck-outputs/{name}/ck-out-{run_name}/".
        Training writes each run's checkpoints into ck-out-{run_name}; a pattern without the
        prefix describes folders that never exist, so whoever (or whatever) follows it to a
        checkpoint finds nothing.""",
        "Use the standard value ck-out-{run_name}/epoch_{N}.",
        """
        output:
          checkpoint_pattern: "{run_name}/epoch_{N}"
        """,
        """
        output:
          checkpoint_pattern: "ck-out-{run_name}/epoch_{N}"
        """,
        v03="""Not checked: 0.3 has no checkpoint_pattern (checkpoints are {experiment.dir}/{run}/artifacts/epoch_{N}).""",
    ),
    rule(
        "CK270", E, PATHS,
        "experiment.date is not a real YYYY-MM-DD date.",
        """The date orders experiments and is part of their names; 2026-02-30 or 25/11/2026
        sort wrongly and break tools that parse it.""",
        "Write a real calendar date as YYYY-MM-DD.",
        """
        experiment:
          date: '2026-02-30'
        """,
        """
        experiment:
          date: '2026-02-28'
        """,
    ),
    rule(
        "CK271", W, PATHS,
        "experiment.name does not carry experiment.date (no YYYY-MM-DD in it, or another one).",
        """The seed's step 6 ("Establish naming"): an experiment name includes a task/dataset
        indicator, the key experimental factor and the "Date (YYYY-MM-DD format)", as in
        cap_8L_lora_comparison_2025-10-18. Names are directories side by side in ck-experiments/
        and ck-outputs/, sorted and found by that date: without one, a rerun of the same
        comparison collides with the first one's name; a name whose date disagrees with
        experiment.date (a design copied from an earlier one, the date changed and the name
        not) files the experiment under the wrong day. The wizard names an experiment after the
        folder it is created in: create it in a dated folder
        ($SCRATCH/ck-experiments/cap_8L_lora_comparison_2026-11-25), or acknowledge the warning
        with `# ck-validate: ignore CK271` on the name's line.""",
        "End the name with experiment.date: {task}_{factor}_{YYYY-MM-DD}.",
        """
        experiment:
          name: cap_8L_lora_comparison
          date: '2026-11-25'
        """,
        """
        experiment:
          name: cap_8L_lora_comparison_2026-11-25
          date: '2026-11-25'
        """,
    ),
]

_SAFE_CHAR = re.compile(r"[A-Za-z0-9._-]")
_SAFE_FIRST = re.compile(r"[A-Za-z0-9]")


def check(ctx: Ctx, d: Design) -> None:
    name = d.experiment.get("name")
    if isinstance(name, str):
        _check_name(ctx, name)
    when = d.experiment.get("date")
    # The name's date is judged against a real date only (else CK270 says what is wrong).
    if isinstance(when, str) and _check_date(ctx, when) and isinstance(name, str) and naming.is_safe_name(name):
        _check_name_date(ctx, name, when)
    output = as_dict(d.data.get("output"))
    pattern = output.get("checkpoint_pattern")
    if isinstance(pattern, str):
        _check_checkpoint_pattern(ctx, pattern)
    if d.era == eras.V03:
        project = d.experiment.get("project")
        if isinstance(project, str):
            _check_project(ctx, project)
        if isinstance(name, str) and name and isinstance(project, str) and naming.is_safe_name(project):
            _check_project_directory(ctx, d.experiment, name, project)
    elif isinstance(name, str) and name:
        _check_directories(ctx, d.experiment, output, name)
    _check_file_names(ctx, d)
    _check_label(ctx, d.data_training, eras.field_path(eras.DATASET_LABEL, d.era))


def _unsafe(ctx: Ctx, path: PathT, what: str, value: Any) -> None:
    """CK264 for one name (a str that is not naming.is_safe_name)."""
    if not isinstance(value, str) or naming.is_safe_name(value):
        return
    ctx.add(
        "CK264",
        path,
        f"{fmt_path(path)} {value!r} is not safe as {what}: use letters, digits, '.', '_' and '-' (no '/', '..' or whitespace)",
        f"rename it to {naming.safe_name(value)!r} (and every matrix entry that refers to it)",
    )


def _check_file_names(ctx: Ctx, d: Design) -> None:
    """CK264: run names (ck-out-{run_name}), task names and vis_labels (file and task-name suffixes)."""
    folder = "a directory name ({experiment.dir}/{run_name})" if d.era == eras.V03 else "a directory name (ck-out-{run_name})"
    for i, run in enumerate(d.runs):
        if isinstance(run, dict):
            _unsafe(ctx, ("runs", i, "name"), folder, run.get("name"))
    for j, task in enumerate(d.tasks or ()):
        if isinstance(task, dict):
            _unsafe(ctx, ("evaluation", "tasks", j, "name"), "a task name (file names and task-name suffixes)", task.get("name"))
    for j, entry in enumerate(d.matrix or ()):
        if isinstance(entry, dict) and entry.get("vis_label") is not None:
            _unsafe(ctx, ("evaluation", "matrix", j, "vis_label"), "a vis_label (a task-name suffix)", entry.get("vis_label"))


def _check_label(ctx: Ctx, training: dict[Any, Any], at: PathT) -> None:
    """CK265: the label (at `at`, the era's name for it) is the dataset's file name without extension."""
    path, label = training.get("path"), training.get(at[-1])
    if not isinstance(path, str) or not isinstance(label, str) or not path.strip("/"):
        return
    stem = path.rstrip("/").rsplit("/", 1)[-1]
    stem = stem.rsplit(".", 1)[0] if "." in stem.lstrip(".") else stem
    if label != stem:
        ctx.add(
            "CK265",
            at,
            f"{fmt_path(at)} {label!r} is not the dataset's file name without extension ({stem!r})",
            f"set {at[-1]}: {stem}",
        )


def _check_project(ctx: Ctx, project: str) -> None:
    """CK266."""
    if naming.is_safe_name(project):
        return
    problem = "it is empty" if not project else "use letters, digits, '.', '_' and '-' (no '/', '..' or whitespace)"
    ctx.add(
        "CK266",
        ("experiment", "project"),
        f"experiment.project {project!r} is not safe as a folder name ({{scratch}}/{naming.PROJECTS_DIR}/{{project}}): {problem}",
        "name the project, e.g. 'capitalization'" if not project else f"rename it to {naming.safe_name(project)!r}",
    )


def _check_project_directory(ctx: Ctx, exp: dict[Any, Any], name: str, project: str) -> None:
    """CK260 in the 0.3 era: experiment.dir is {scratch}/ck-projects/{project}/{name}."""
    directory = exp.get("dir")
    if not isinstance(directory, str):
        return
    parts = naming.project_parts(directory)
    if parts is not None and parts[1:] == (project, name):
        return
    scratch = parts[0] if parts else naming.scratch_from_directory(directory) or "<scratch>"
    ctx.add(
        "CK260",
        ("experiment", "dir"),
        f"experiment.dir {directory!r} is not {{scratch}}/{naming.PROJECTS_DIR}/{project}/{name}, "
        f"the convention for project {project!r} and name {name!r}",
        f"use {naming.project_directory(scratch, project, name)!r}",
    )


def _check_name(ctx: Ctx, name: str) -> None:
    """CK263."""
    problems = []
    if not name:
        problems.append("it is empty")
    else:
        bad = sorted({c for c in name if not _SAFE_CHAR.match(c)})
        if bad:
            problems.append("it contains " + ", ".join(repr(c) for c in bad))
        if not _SAFE_FIRST.match(name[0]):
            problems.append(f"it starts with {name[0]!r}")
        if ".." in name:
            problems.append("it contains '..'")
    if problems or not naming.SAFE_NAME.match(name):
        proposal = re.sub(r"[^A-Za-z0-9._-]+", "_", name)
        proposal = re.sub(r"\.{2,}", ".", proposal).lstrip("._-") or "experiment"
        ctx.add(
            "CK263",
            ("experiment", "name"),
            f"experiment.name {name!r} is not a safe directory name: {'; '.join(problems) or 'it does not match ' + naming.SAFE_NAME_PATTERN}",
            f"rename it to {proposal!r} (letters, digits, '.', '_' and '-', starting with a letter or digit)",
        )


def _check_date(ctx: Ctx, when: str) -> bool:
    """CK270; True when the date is real."""
    reason = None
    if not naming.DATE_FORM.match(when):
        reason = "it is not in YYYY-MM-DD form"
    else:
        try:
            date.fromisoformat(when)
        except ValueError as exc:
            reason = f"it is not a real date ({exc})"
    if reason:
        ctx.add("CK270", ("experiment", "date"), f"experiment.date {when!r}: {reason}", "write a real calendar date as YYYY-MM-DD, e.g. '2026-11-25'")
    return reason is None


def _check_name_date(ctx: Ctx, name: str, when: str) -> None:
    """CK271: the name carries experiment.date (the seed's step 6)."""
    dates = naming.DATE_IN_NAME.findall(name)
    if when in dates:
        return
    if dates:
        problem = f"carries the date {dates[-1]}, but experiment.date is {when!r}"
        proposal = name.replace(dates[-1], when)
    else:
        problem = "carries no date (YYYY-MM-DD)"
        proposal = f"{name}_{when}"
    ctx.add(
        "CK271",
        ("experiment", "name"),
        f"experiment.name {name!r} {problem}: the seed's names end with the design date, e.g. cap_8L_lora_comparison_2025-10-18",
        f"rename the experiment to {proposal!r} (and its directories), or keep the name and add `# ck-validate: ignore CK271` on this line",
    )


def _check_checkpoint_pattern(ctx: Ctx, pattern: str) -> None:
    """CK261, CK268."""
    if not pattern.startswith(naming.CHECKPOINT_PREFIX):
        ctx.add(
            "CK268",
            ("output", "checkpoint_pattern"),
            f"output.checkpoint_pattern {pattern!r} does not start with {naming.CHECKPOINT_PREFIX!r}: training writes each run's checkpoints into {naming.CHECKPOINT_PREFIX}{{run_name}}",
            f"use {naming.CHECKPOINT_PATTERN}",
        )
    missing = [p for p in ("{run_name}", "{N}") if p not in pattern]
    if missing:
        ctx.add(
            "CK261",
            ("output", "checkpoint_pattern"),
            f"output.checkpoint_pattern {pattern!r} lacks {' and '.join(missing)}: "
            + ("runs would share one directory" if "{run_name}" in missing else "each epoch would overwrite the last"),
            f"use {naming.CHECKPOINT_PATTERN}",
        )


def _check_directories(ctx: Ctx, exp: dict[Any, Any], output: dict[Any, Any], name: str) -> None:
    """CK260, CK262: {scratch}/ck-experiments/{name} (or ck-sanity-checks) and {scratch}/ck-outputs/{name}."""
    kind = naming.experiment_type(exp)
    directory = exp.get("directory")
    base_dir = output.get("base_directory")
    scratch = None  # guessed from whichever of the two follows the convention, for the proposal
    for path_, sub in (
        (directory, naming.EXPERIMENTS_DIR),
        (directory, naming.SANITY_CHECKS_DIR),
        (base_dir, naming.OUTPUTS_DIR),
    ):
        if isinstance(path_, str) and scratch is None:
            scratch = naming.scratch_of(path_, sub, name)
    if isinstance(directory, str) and kind in naming.EXPERIMENT_TYPES:
        sub = naming.TYPE_DIRS[kind]
        if naming.scratch_of(directory, sub, name) is None:
            proposal = naming.experiment_directory(scratch or "<scratch>", kind, name)
            ctx.add(
                "CK260",
                ("experiment", "directory"),
                f"experiment.directory {directory!r} is not {{scratch}}/{sub}/{name}, the convention for {'an' if kind == naming.EXPERIMENT else 'a'} {kind} named {name!r}",
                f"use {proposal!r}",
            )
    if isinstance(base_dir, str) and naming.scratch_of(base_dir, naming.OUTPUTS_DIR, name) is None:
        proposal = naming.output_directory(scratch or "<scratch>", name)
        ctx.add(
            "CK262",
            ("output", "base_directory"),
            f"output.base_directory {base_dir!r} is not {{scratch}}/{naming.OUTPUTS_DIR}/{name}",
            f"use {proposal!r}",
        )
    if isinstance(directory, str) and isinstance(base_dir, str):
        _check_one_scratch(ctx, directory, base_dir, name)


def _check_one_scratch(ctx: Ctx, directory: str, base_dir: str, name: str) -> None:
    """CK267: both follow their convention (else CK260/CK262 speak), from two scratch folders side
    by side (/scratch/alice and /scratch/me: another user's). A design kept outside the scratch
    folder its outputs go to (the wizard run in ~/ck-experiments) is a choice, not a mix-up."""
    ours = naming.scratch_of(directory, naming.EXPERIMENTS_DIR, name) or naming.scratch_of(directory, naming.SANITY_CHECKS_DIR, name)
    theirs = naming.scratch_of(base_dir, naming.OUTPUTS_DIR, name)
    if ours is None or theirs is None:
        return
    ours, theirs = ours.rstrip("/"), theirs.rstrip("/")
    if ours == theirs or ours.rpartition("/")[0] != theirs.rpartition("/")[0]:
        return
    ctx.add(
        "CK267",
        ("output", "base_directory"),
        f"output.base_directory {base_dir!r} is under the scratch folder {theirs!r}, beside the experiment's {ours!r} (another user's?)",
        f"use {naming.output_directory(ours, name)!r}",
    )
