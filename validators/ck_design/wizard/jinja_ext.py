"""The Jinja extension copier loads for the wizard (`_jinja_extensions` in copier.yml).

It only wires the plain functions of `ck_design.wizard`, `ck_design.localconfig` and
`ck_design.design` into Jinja as globals (prefixed `ck_`) and filters, so copier.yml and the
`.jinja` files stay thin: they pass answers in and lay values out.

Copier imports this module from its own Python environment: ck-design must be installed next
to copier (`pip install ck-design` where copier lives, `uv tool install copier --with
/path/to/ck-design`, or `pipx inject copier /path/to/ck-design`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from jinja2 import pass_context
from jinja2.ext import Extension
from jinja2.runtime import Context, Undefined

from .. import __version__
from ..facts import localconfig
from ..spec import naming
from . import core as wizard

# Every answer key of SPEC section 4 the design reads.
ANSWER_KEYS = (
    "scratch_dir", "experiment_type", "question", "hypothesis", "purpose", "include_base_controls",
    "preparation_tool", "evaluation_tool", "models_dir", "models", "dataset_path", "variables",
    "epochs", "gpus", "validation_during_training", "system_prompt", "prompt", "lora_rank", "lr",
    "batch_size", "gradient_accumulation_steps", "weight_decay", "lora_dropout", "num_warmup_steps",
    "max_seq_len", "packing", "full_gpu", "gpu_constraint", "gpu_partition", "eval_tasks",
    "eval_epochs", "eval_epoch_list", "eval_selection", "eval_matrix", "scorers", "match_location",
    "match_ignore_case", "includes_ignore_case", "risk_option_tokens", "numeric_labels",
    "temperature", "vis_label_style", "task_label", "experiment_factor", "experiment_date",
    "experiment_name", "wandb_project", "approved",
)


def _defined(value: Any) -> bool:
    return not isinstance(value, Undefined)


def answers_from(ctx: Context | Mapping[str, Any]) -> dict[str, Any]:
    """The answers given so far (later questions are undefined while earlier ones are asked)."""
    out = {}
    for key in ANSWER_KEYS:
        value = ctx.get(key)
        if value is not None and _defined(value):
            out[key] = value
    return out


def _dst(ctx: Context) -> str | None:
    conf = ctx.get("_copier_conf")
    try:
        return str(conf["dst_path"]) if conf is not None else None
    except (KeyError, TypeError):
        return None


@pass_context
def ck_local(ctx: Context, key: str, default: str = "") -> str:
    """A claude.local.md field (see ck_design.localconfig.FIELDS for the keys), or `default`."""
    return localconfig.load(_dst(ctx)).get(key, default)


@pass_context
def ck_local_path(ctx: Context) -> str:
    """Where the claude.local.md in use was found ("" when there is none)."""
    return localconfig.load(_dst(ctx)).path or ""


@pass_context
def ck_detect_type(ctx: Context) -> str:
    return wizard.detect_experiment_type(_dst(ctx))


@pass_context
def ck_default_experiment_name(ctx: Context, task_label: Any, factor: Any, date: Any) -> str:
    return wizard.default_experiment_name(task_label, factor, date, _dst(ctx))


@pass_context
def ck_dst(ctx: Context) -> str:
    return wizard.absolute_path(_dst(ctx) or ".")


def _design(ctx: Context) -> dict[str, Any]:
    return wizard.build_design(answers_from(ctx))


@pass_context
def ck_design(ctx: Context) -> dict[str, Any]:
    """The whole experiment_summary.yaml data built from the answers."""
    return _design(ctx)


@pass_context
def ck_plan(ctx: Context) -> str:
    """Step 8: the complete plan for the approval question."""
    return wizard.plan_text(answers_from(ctx), _dst(ctx))


@pass_context
def ck_answers(ctx: Context) -> dict[str, Any]:
    return answers_from(ctx)


@pass_context
def ck_check_eval_epoch_list(ctx: Context, value: Any) -> str:
    a = answers_from(ctx)
    return wizard.check_eval_epoch_list(value, a.get("epochs", 1), a.get("variables", {}))


@pass_context
def ck_check_best_val_loss(ctx: Context) -> str:
    return wizard.check_best_val_loss(answers_from(ctx))


def ck_schema_url() -> str:
    """Where the modeline points: the JSON schema shipped inside the installed package when it
    is there (works offline, matches the installed validator), else the repository's copy."""
    here = os.path.dirname(os.path.abspath(__file__))
    for candidate in (os.path.join(here, "schemas", wizard.SCHEMA_FILE),
                      os.path.join(os.path.dirname(os.path.dirname(here)), "schemas", wizard.SCHEMA_FILE)):
        if os.path.isfile(candidate):
            return candidate
    return wizard.SCHEMA_URL


# A folder inside template/ whose own rendered name is empty (so an approved render skips it),
# holding one file whose rendered name is empty too: rendering from it writes nothing.
DECLINED_ROOT = "template/{% if false %}declined{% endif %}"


def ck_approval_root(approved: Any) -> str:
    """`_subdirectory`: the template when approved. Declined on copy: an empty folder, so
    nothing at all is written. Declined on update: stop (an empty render would delete files)."""
    if approved is True or (isinstance(approved, str) and approved.lower() in ("true", "yes", "1")):
        return "template"
    operation = None
    try:
        from copier._main import _operation  # the operation copier is running (copy/update)

        operation = _operation.get(None)
    except Exception:  # noqa: BLE001 - copier internals moved: treat as a copy
        operation = None
    if operation == "update":
        from copier.errors import UserMessageError

        raise UserMessageError("Update declined at approval (step 8): nothing was changed.")
    return DECLINED_ROOT


def _md_cell(value: Any) -> str:
    """Text for a markdown table cell or paragraph: `|` escaped, line breaks as <br>, and `<`
    and `&` as entities (so `<placeholder>` shows instead of vanishing as an HTML tag)."""
    text = str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r\n", "<br>").replace("\n", "<br>").replace("\r", "<br>")


def _mermaid_label(value: Any) -> str:
    text = str(value).replace("\r", " ").replace("\n", " ")
    for ch, ent in (("#", "#35;"), ("&", "#amp;"), ('"', "#quot;"), ("<", "#lt;"), (">", "#gt;")):
        text = text.replace(ch, ent)
    return text


def _md_code(value: Any) -> str:
    """Inline code that survives backticks in the value."""
    text = str(value).replace("\n", " ")
    fence = "`"
    while fence in text:
        fence += "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


class WizardExtension(Extension):
    """Globals `ck_*` and filters `yaml_scalar`, `yaml_flow`, `yaml_value`, `md_cell`,
    `md_code`, `mermaid_label`, `ck_answers_yaml` for copier.yml and template/."""

    def __init__(self, environment):  # type: ignore[no-untyped-def]
        super().__init__(environment)
        environment.globals.update(
            ck_version=__version__,
            ck_local=ck_local,
            ck_local_path=ck_local_path,
            ck_detect_type=ck_detect_type,
            ck_dst=ck_dst,
            ck_today=wizard.today,
            ck_model_choices=wizard.model_choices,
            ck_default_models=wizard.default_models,
            ck_full_gpu_question=wizard.full_gpu_question_applies,
            ck_overrides_apply=wizard.overrides_apply,
            ck_dataset_label=wizard.dataset_label,
            ck_dataset_facts=wizard.dataset_facts,
            ck_default_eval_tasks=wizard.default_eval_tasks,
            ck_experiment_factor=lambda variables: naming.experiment_factor(wizard.normalize_variables(variables)),
            ck_default_experiment_name=ck_default_experiment_name,
            ck_experiment_directory=naming.experiment_directory,
            ck_output_directory=naming.output_directory,
            ck_check_required=wizard.check_required,
            ck_check_variables=wizard.check_variables,
            ck_check_param=wizard.check_param,
            ck_check_gpus=wizard.check_gpus,
            ck_check_prompt=wizard.check_prompt,
            ck_check_experiment_name=wizard.check_experiment_name,
            ck_check_date=wizard.check_date,
            ck_check_eval_tasks=wizard.check_eval_tasks,
            ck_check_eval_matrix=wizard.check_eval_matrix,
            ck_check_string_list=wizard.check_string_list,
            ck_check_eval_epoch_list=ck_check_eval_epoch_list,
            ck_check_best_val_loss=ck_check_best_val_loss,
            ck_design=ck_design,
            ck_plan=ck_plan,
            ck_answers=ck_answers,
            ck_prerequisites=wizard.prerequisites,
            ck_counts=wizard.summary_counts,
            ck_epochs_text=wizard.epochs_text,
            ck_schema_url=ck_schema_url,
            ck_approval_root=ck_approval_root,
        )
        environment.filters.update(
            yaml_scalar=wizard.yaml_scalar,
            yaml_flow=wizard.yaml_flow_list,
            yaml_value=wizard.yaml_value,
            md_cell=_md_cell,
            md_code=_md_code,
            mermaid_label=_mermaid_label,
            ck_answers_yaml=wizard.answers_yaml,
        )
