"""The Jinja extension copier loads for the wizard (`_jinja_extensions` in copier.yml).

Registration only: it wires the plain functions of this package into Jinja as globals (prefixed
`ck_`) and filters, so copier.yml and the `.jinja` files stay thin: they pass answers in and lay
values out (docs/wizard.md, docs/design.md).

The names are an interface beyond this version: `copier update` renders an experiment's OLD
template version with the INSTALLED package (to compute its 3-way merge), so every global and
filter an older copier.yml or template used keeps its name and signature (tests/test_upgrade.py).

Copier imports this module from its own Python environment: ck-design must be installed next
to copier (`pip install /path/to/ck-design` where copier lives, `uv tool install copier --with
/path/to/ck-design`, or `pipx inject copier /path/to/ck-design`).
"""

from __future__ import annotations

import json
from typing import Any

from jinja2 import pass_context
from jinja2.ext import Extension
from jinja2.runtime import Context

from .. import __version__
from ..facts import destination, gitref, localconfig
from ..facts.prerequisites import prerequisites
from ..facts.yamlwriter import answers_yaml, yaml_flow_list, yaml_scalar, yaml_value
from ..plan import markdown as plan_md
from ..plan.counts import epochs_text, summary_counts
from ..spec import era as eras
from ..spec import naming
from ..spec.model_registry import default_dataset_type
from ..spec.params import GENERATION_SETTINGS, SWEEPABLE
from .. import terminal
from . import cli_errors, defaults, steps, validators
from ..spec.answers import Answers, absolute_path, normalize_variables, today
from .answers import answers_from
from .build import build_design
from .render import DECLINED_ROOT, after_copy_message, approval_root, copier_operation, install_command, install_requirement, install_story, schema_url, template_version

def _dst(ctx: Context) -> str | None:
    conf = ctx.get("_copier_conf")
    try:
        return str(conf["dst_path"]) if conf is not None else None
    except (KeyError, TypeError):
        return None


@pass_context
def ck_local(ctx: Context, key: str, default: str = "") -> str:
    """A claude.local.md field (see ck_design.facts.localconfig.FIELDS for the keys), or `default`."""
    return localconfig.load(_dst(ctx)).get(key, default)


@pass_context
def ck_local_path(ctx: Context) -> str:
    """Where the claude.local.md in use was found ("" when there is none)."""
    return localconfig.load(_dst(ctx)).path or ""


@pass_context
def ck_local_warnings(ctx: Context) -> list[str]:
    """What the opening message says about the claude.local.md in use: values left out (they
    could not reach a SLURM script safely) and, for a file outside the user's own folders, which
    defaults it supplies (docs/security.md)."""
    config = localconfig.load(_dst(ctx))
    out = [f"claude.local.md value ignored: {why}" for why in config.refused]
    if config.foreign and config.values:
        keys = ", ".join(name for name, key in localconfig.FIELDS.items() if key in config.values)
        out.append(f"{config.path} is not yours ({config.foreign}); it supplies the defaults for: {keys}")
    return out


@pass_context
def ck_detect_type(ctx: Context) -> str:
    return defaults.detect_experiment_type(_dst(ctx))


@pass_context
def ck_default_experiment_name(ctx: Context, task_label: Any, factor: Any, date: Any) -> str:
    return defaults.default_experiment_name(task_label, factor, date, _dst(ctx))


@pass_context
def ck_name_from_destination(ctx: Context) -> bool:
    """On `copier copy` only: on update copier renders into temporary folders."""
    return copier_operation() == "copy" and defaults.name_from_destination(_dst(ctx))


@pass_context
def ck_training_defaults(ctx: Context, variables: Any, models: Any, models_dir: Any) -> str:
    return defaults.training_defaults(variables, models, models_dir, localconfig.load(_dst(ctx)).values.get("default_gpus"))


@pass_context
def ck_template_version(ctx: Context) -> str:
    """The version the wizard's first line shows: the template's, as copier names it."""
    conf = ctx.get("_copier_conf")
    try:
        src = str(conf["src_path"])
    except (KeyError, TypeError):
        return __version__
    return template_version(__version__, gitref.describe(src))


@pass_context
def ck_task_scripts(ctx: Context, dataset_path: Any) -> list[str]:
    return defaults.task_script_options(dataset_path, localconfig.load(_dst(ctx)).get("tasks_dir"))


@pass_context
def ck_default_task_script(ctx: Context, dataset_path: Any) -> str:
    return defaults.default_task_script(dataset_path, localconfig.load(_dst(ctx)).get("tasks_dir"))


@pass_context
def ck_dst(ctx: Context) -> str:
    return absolute_path(_dst(ctx) or ".")


@pass_context
def ck_experiment_directory(ctx: Context, scratch_dir: Any, experiment_type: Any, name: Any) -> str:
    """The `experiment_directory` answer: on `copier copy` into a destination that is not
    {scratch}/ck-experiments/{name}, that destination; else "" (the convention). Never computed
    on update: copier renders the old and new versions into temporary folders then."""
    if copier_operation() != "copy":
        return ""
    return defaults.recorded_directory(_dst(ctx), scratch_dir, experiment_type, name)


@pass_context
def ck_after_copy(ctx: Context) -> str:
    conf = ctx.get("_copier_conf")
    try:
        skipped = bool(conf["skip_tasks"])
    except (KeyError, TypeError):
        skipped = False
    return after_copy_message(ck_dst(ctx), skipped)


@pass_context
def ck_default_schema(ctx: Context) -> str:
    return defaults.default_schema(_dst(ctx))


@pass_context
def ck_schema_question(ctx: Context) -> bool:
    return defaults.schema_question_applies(_dst(ctx))


@pass_context
def ck_default_project(ctx: Context, task_label: Any) -> str:
    return defaults.default_project(_dst(ctx), task_label)


@pass_context
def ck_project_question(ctx: Context, schema: Any) -> bool:
    return defaults.project_question_applies(_dst(ctx), schema)


def ck_scorers_key(design: Any) -> str:
    """The scorers' key of a built design's era: scorer (seed) or scorers (0.3)."""
    return eras.field_path(eras.SCORERS, eras.era_of(design))[-1]


@pass_context
def ck_destination_note(ctx: Context) -> str:
    return defaults.destination_note(_dst(ctx), localconfig.load(_dst(ctx)).get("scratch_dir", ""))


@pass_context
def ck_design(ctx: Context) -> dict[str, Any]:
    """The whole experiment_summary.yaml data built from the answers."""
    return build_design(answers_from(ctx))


@pass_context
def ck_plan(ctx: Context) -> str:
    """Step 8: prints the complete plan, wrapped to the terminal, and returns the approval
    question (copier's help would cut the plan at the terminal's edge and height: see
    wizard/terminal.py). Rendered only when the question is asked interactively."""
    # imported here: a --defaults/--data-file run never shows the plan, and every copier
    # process imports this module (benchmarks/render.py)
    from .approval import plan_text

    *plan, question = plan_text(answers_from(ctx), _dst(ctx)).splitlines()
    terminal.show("\n".join(plan))
    return question


@pass_context
def ck_check_eval_epoch_list(ctx: Context, value: Any) -> str:
    a = Answers.read(answers_from(ctx))
    return validators.check_eval_epoch_list(value, a.params["epochs"], a.variables)


@pass_context
def ck_design_size_problem(ctx: Context, eval_selection: str | None = None) -> str:
    """"" while the design the answers so far build (with `eval_selection`, when given) stays
    within spec/sweep.py MAX_EVALUATIONS runs and evaluations; else what it gives."""
    answers = answers_from(ctx)
    if eval_selection is not None:
        answers["eval_selection"] = eval_selection
    return validators.design_size_problem(answers)


@pass_context
def ck_selection_question(ctx: Context, eval_tasks: Any) -> bool:
    """`when:` of eval_selection (wizard/defaults.py selection_question_applies)."""
    return defaults.selection_question_applies(eval_tasks, ck_design_size_problem(ctx, "all"))


@pass_context
def ck_check_eval_matrix(ctx: Context, matrix: Any, eval_tasks: Any) -> str:
    """The selective matrix: its form, then the size of the design it makes."""
    if msg := validators.check_eval_matrix(matrix, eval_tasks):
        return msg
    problem = validators.design_size_problem({**answers_from(ctx), "eval_matrix": matrix})
    return f"this matrix gives {problem}: match fewer runs per task, or split the experiment" if problem else ""


@pass_context
def ck_check_best_val_loss(ctx: Context) -> str:
    return validators.check_best_val_loss(answers_from(ctx))


def ck_experiment_factor(variables: Any) -> str:
    return naming.experiment_factor(normalize_variables(variables))


def inert(text: Any) -> str:
    """`text` as a Jinja expression that renders to exactly `text`: copier renders every choice's
    name and value again (copier's Question._formatted_choices), so an answer (a model name from
    --data or a committed .copier-answers.yml) placed in a choices list would otherwise be
    evaluated as a template: `{{ "$TOKEN" | expandvars }}` would print a secret (docs/security.md).
    A JSON string is a valid Jinja string literal: Jinja decodes it with `unicode-escape` after
    escaping non-ASCII, which reverses JSON's escapes."""
    return "{{ " + json.dumps(str(text), ensure_ascii=False) + " }}"


def ck_model_choices(models_dir: Any, current: Any = None) -> list[str]:
    """The model choices, each inert (see `inert`): copier renders them once more."""
    return [inert(m) for m in defaults.model_choices(models_dir, current)]


# Context-free; exported under their Jinja names too.
ck_approval_root = approval_root




@pass_context
def ck_check_destination(ctx: Context) -> str:
    """'' when the destination can take a new design; on copy, stop before anything is
    written when it cannot (facts/destination.py). Used by `_subdirectory`, which copier
    renders before writing any file, interactive or not."""
    if copier_operation() == "update":
        return ""
    conf = ctx.get("_copier_conf")
    try:
        src = str(conf["src_path"])
        answers_file = str(conf["answers_file"])
    except (KeyError, TypeError):
        return ""
    problem = destination.destination_problem(ck_dst(ctx), src, answers_file)
    if problem:
        from copier.errors import UserMessageError

        raise UserMessageError(f"ck-design: {problem}")
    return ""
ck_schema_url = schema_url
__all__ = ["DECLINED_ROOT", "FILTERS", "GLOBALS", "WizardExtension", "ck_approval_root", "ck_schema_url"]


GLOBALS: dict[str, Any] = {
    "ck_version": __version__,
    "ck_template_version": ck_template_version,  # the opening line: the template as copier names it
    # copier.yml: messages, defaults, `when:` conditions
    "ck_local": ck_local,
    "ck_local_path": ck_local_path,
    "ck_detect_type": ck_detect_type,
    "ck_dst": ck_dst,
    "ck_today": today,
    "ck_model_choices": ck_model_choices,
    "ck_default_models": defaults.default_models,
    "ck_default_gpus": defaults.default_gpus,
    "ck_name_from_destination": ck_name_from_destination,
    "ck_task_scripts": ck_task_scripts,
    "ck_default_task_script": ck_default_task_script,
    "ck_first_tasks": defaults.first_tasks,
    "ck_given_task": defaults.given_task,
    "ck_training_defaults": ck_training_defaults,
    "ck_evaluation_defaults": defaults.evaluation_defaults,
    "ck_default_dataset_type": default_dataset_type,
    "ck_generation_settings": GENERATION_SETTINGS,
    # the evaluation's scalar settings in the file's order, of either era (absent ones are not written)
    "ck_evaluation_settings": ("system_prompt", "temperature", *GENERATION_SETTINGS, "do_sample"),
    "ck_default_schema": ck_default_schema,
    "ck_schema_question": ck_schema_question,
    "ck_default_project": ck_default_project,
    "ck_project_question": ck_project_question,
    "ck_full_gpu_question": defaults.full_gpu_question_applies,
    "ck_overrides_apply": defaults.overrides_apply,
    "ck_dataset_label": defaults.dataset_label,
    "ck_default_eval_tasks": defaults.default_eval_tasks,
    "ck_experiment_factor": ck_experiment_factor,
    "ck_default_experiment_name": ck_default_experiment_name,
    "ck_experiment_directory": ck_experiment_directory,
    "ck_destination_note": ck_destination_note,
    "ck_after_copy": ck_after_copy,
    "ck_sweepable": lambda: SWEEPABLE,
    "ck_step_count": lambda: len(steps.STEPS),  # the opening's "in N steps"
    "ck_step": steps.number,
    # copier.yml: validators
    "ck_local_warnings": ck_local_warnings,
    "ck_check_required": validators.check_required,
    "ck_check_path": validators.check_path,
    "ck_check_line": validators.check_line,
    "ck_check_slurm_value": validators.check_slurm_value,
    "ck_check_variables": validators.check_variables,
    "ck_check_param": validators.check_param,
    "ck_check_epochs": validators.check_epochs,
    "ck_check_temperature": validators.check_temperature,
    "ck_check_gpus": validators.check_gpus,
    "ck_check_prompt": validators.check_prompt,
    "ck_check_experiment_name": validators.check_experiment_name,
    "ck_check_project": validators.check_project,
    "ck_check_date": validators.check_date,
    "ck_check_eval_tasks": validators.check_eval_tasks,
    "ck_check_eval_checkpoints": validators.check_eval_checkpoints,
    "ck_check_eval_matrix": ck_check_eval_matrix,
    "ck_check_string_list": validators.check_string_list,
    "ck_check_evaluation_setting": validators.check_evaluation_setting,
    "ck_check_eval_epoch_list": ck_check_eval_epoch_list,
    "ck_check_best_val_loss": ck_check_best_val_loss,
    "ck_design_size_problem": ck_design_size_problem,
    "ck_selection_question": ck_selection_question,
    # approval, and the template
    "ck_plan": ck_plan,
    "ck_approval_root": ck_approval_root,
    "ck_check_destination": ck_check_destination,
    "ck_design": ck_design,
    "ck_prerequisites": prerequisites,
    "ck_counts": summary_counts,
    "ck_epochs_text": epochs_text,
    "ck_plan_sections": plan_md.plan_sections,
    "ck_prerequisites_section": plan_md.prerequisites_section,
    "ck_schema_url": ck_schema_url,
    "ck_scorers_key": ck_scorers_key,
    "ck_checkpoints_root": naming.checkpoints_root_of,
    "ck_install_requirement": install_requirement,  # .github/workflows/validate.yml
    "ck_install_story": install_story,  # the same sentence in README.md and both rendered configs
    "ck_install_command": install_command,  # .pre-commit-config.yaml: this design's ck-design
}
FILTERS: dict[str, Any] = {
    "yaml_scalar": yaml_scalar,
    "yaml_flow": yaml_flow_list,
    "yaml_value": yaml_value,
    "md_cell": plan_md.md_text,
    "md_code": plan_md.md_code,
    "mermaid_label": plan_md.mermaid_label,
    "ck_answers_yaml": answers_yaml,
    "ck_wrap": terminal.wrap,  # copier's own messages, wrapped to the terminal like everything we print
}


class WizardExtension(Extension):
    """Registers GLOBALS and FILTERS for copier.yml and template/."""

    def __init__(self, environment):  # type: ignore[no-untyped-def]
        super().__init__(environment)
        environment.globals.update(GLOBALS)
        environment.filters.update(FILTERS)
        cli_errors.install()  # a refused --data answer: one line, not copier's traceback
