"""The one registry of validation rules (SPEC section 11), and the docs generated from it.

Codes are public (users `--ignore` them), so a code never changes meaning. Each rule carries
what the docs page shows: a summary, why it matters, the generic fix, and a failing example
with its fixed version. `docs/rules.md` is generated from this module:

    python -m ck_design.validate.registry --docs > docs/rules.md

A finding's severity is normally its rule's; CK292 is the one rule whose findings can be
stronger (an error when a model cannot fit on the GPUs it is given).
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path
from dataclasses import dataclass

SEVERITIES = ("error", "warning")


@dataclass(frozen=True)
class Rule:
    code: str
    severity: str  # "error" | "warning": the default for the rule's findings
    summary: str  # one line: what is wrong
    why: str  # why it matters (what fails, or goes silently wrong, later)
    hint: str  # the generic fix; findings carry a specific one where they can
    bad_example: str  # a YAML snippet that triggers the rule
    fixed_example: str  # the same snippet, fixed
    section: str = ""  # heading it is grouped under in docs/rules.md


def _rule(code: str, severity: str, section: str, summary: str, why: str, hint: str, bad: str, fixed: str) -> Rule:
    return Rule(
        code=code,
        severity=severity,
        summary=summary,
        why=" ".join(why.split()),
        hint=hint,
        bad_example=textwrap.dedent(bad).strip("\n"),
        fixed_example=textwrap.dedent(fixed).strip("\n"),
        section=section,
    )


E, W = "error", "warning"
READ = "Reading the file"
SCHEMA = "Structure (schema)"
PROMPTS = "Prompts"
EPOCHS = "Epochs (0-indexed)"
RUNS = "Runs and matrix"
STEPS = "Training steps"
PATHS = "Paths and conventions"
RESOURCES = "Resources (only with --check-resources)"
SCORERS = "Scorers and GPUs"

_RULES: list[Rule] = [
    # --- Reading the file ------------------------------------------------------------------
    _rule(
        "CK001", E, READ,
        "The file is not valid YAML (or uses a tag other than plain YAML data).",
        """Nothing else can be checked until the file parses. The location is the parser's
        mark, which is usually at or just after the mistake. Tags such as `!!python/object`
        are refused because a design holds plain data only and ck-design never constructs
        Python objects.""",
        "Fix the syntax at the reported line; indent with spaces, never tabs.",
        """
        runs:
          - name: Llama-3.2-1B-Instruct_rank4
            type: fine-tuned
           model: Llama-3.2-1B-Instruct
        """,
        """
        runs:
          - name: Llama-3.2-1B-Instruct_rank4
            type: fine-tuned
            model: Llama-3.2-1B-Instruct
        """,
    ),
    _rule(
        "CK002", E, READ,
        "A mapping holds the same key twice.",
        """PyYAML silently keeps the last value, so half of what you wrote is ignored without
        a word. `yes:` and `on:` keys collide too: YAML 1.1 reads both as the boolean true.""",
        "Keep one of the two keys.",
        """
        controls:
          epochs: 2
          batch_size: 4
          epochs: 3
        """,
        """
        controls:
          epochs: 3
          batch_size: 4
        """,
    ),
    _rule(
        "CK003", E, READ,
        "The document is empty or not a mapping; or the file is not UTF-8, binary, too deeply nested, an alias bomb, or larger than 10 MB.",
        """A design is one YAML mapping (experiment, tools, controls, runs, evaluation, ...)
        in UTF-8 text. Anything else is either the wrong file or a file that would make
        the validator (and every tool after it) slow or wrong.""",
        "Point the validator at an experiment_summary.yaml, saved as UTF-8.",
        """
        - experiment: cap_8L
        - runs: []
        """,
        """
        experiment:
          name: cap_8L_lora_rank_comparison_2026-11-25
        runs: []
        """,
    ),
    _rule(
        "CK004", E, READ,
        "A YAML 1.1 boolean word (yes/no/on/off) where a string or number is meant.",
        """YAML 1.1 (PyYAML, and torchtune's OmegaConf) reads an unquoted `no`, `yes`, `on` or
        `off` as a boolean, so a run named `no` or a label `off` silently becomes `false`.
        Booleans are fine where a boolean is meant (packing, validation_during_training,
        ignore_case). Numbers follow YAML 1.2 as OmegaConf reads them: `1e-5` is a float.""",
        "Quote the value: 'no'.",
        """
        evaluation:
          scorer:
            - name: risk_scorer
              params:
                option_tokens: [yes, no]
        """,
        """
        evaluation:
          scorer:
            - name: risk_scorer
              params:
                option_tokens: ['yes', 'no']
        """,
    ),
    # --- Structure ---------------------------------------------------------------------------
    _rule(
        "CK100", E, SCHEMA,
        "A required field is missing.",
        """Scaffolding and the SLURM jobs read these fields; a missing one fails a job later,
        or worse, falls back to a recipe default nobody chose.""",
        "Add the field (the message names it); `ck-validate --format json` lists all at once.",
        """
        runs:
          - name: Llama-3.2-1B-Instruct_rank4
            type: fine-tuned
            parameters: {lora_rank: 4}
        """,
        """
        runs:
          - name: Llama-3.2-1B-Instruct_rank4
            type: fine-tuned
            model: Llama-3.2-1B-Instruct
            parameters: {lora_rank: 4}
        """,
    ),
    _rule(
        "CK101", E, SCHEMA,
        "A field has the wrong type.",
        """Types are checked strictly: a quoted "4" is a string, not the integer torchtune
        needs, and a list where a mapping belongs is a different design altogether.""",
        "Write the value with the type the message names (unquote numbers, quote strings).",
        """
        controls:
          batch_size: "4"
        """,
        """
        controls:
          batch_size: 4
        """,
    ),
    _rule(
        "CK102", E, SCHEMA,
        "A value is not allowed (not one of the choices, does not match the pattern, out of range, or an empty list).",
        """Values outside the allowed set are typos (`finetuned`) or impossible settings
        (`epochs: 0`, `lora_dropout: 1.5`); downstream tools either crash on them or
        quietly do something else.""",
        "Use one of the allowed values the message lists.",
        """
        runs:
          - name: Llama-3.2-1B-Instruct_rank4
            type: finetuned
        """,
        """
        runs:
          - name: Llama-3.2-1B-Instruct_rank4
            type: fine-tuned
        """,
    ),
    _rule(
        "CK103", W, SCHEMA,
        "An unknown field or hyperparameter name (a typo guard).",
        """Unknown keys are allowed because recipes grow, but a misspelled key (`lora_rnak`)
        is ignored by every tool, so the setting you meant never takes effect.""",
        "Rename the key to the known field the hint names, or delete it.",
        """
        controls:
          lora_rnak: 8
        """,
        """
        controls:
          lora_rank: 8
        """,
    ),
    # --- Prompts -----------------------------------------------------------------------------
    _rule(
        "CK201", E, PROMPTS,
        "evaluation.system_prompt differs from controls.system_prompt.",
        """A model fine-tuned with one system prompt and evaluated with another is measured on
        a task it was not trained for; the scores look like a training failure.""",
        "Make evaluation.system_prompt equal to controls.system_prompt.",
        """
        controls:
          system_prompt: ''
        evaluation:
          system_prompt: 'You are a helpful assistant.'
        """,
        """
        controls:
          system_prompt: ''
        evaluation:
          system_prompt: ''
        """,
    ),
    _rule(
        "CK202", E, PROMPTS,
        "A prompt (controls, run parameters or a varied value) lacks the {input} placeholder.",
        """The prompt is a template: each example's input is put where `{input}` is. Without
        it every training example becomes the same fixed text.""",
        "Put {input} where the example's input goes, e.g. 'Capitalize: {input}\\n'.",
        """
        controls:
          prompt: "Capitalize the word:\\n"
        """,
        """
        controls:
          prompt: "Capitalize the word: {input}\\n"
        """,
    ),
    _rule(
        "CK203", W, PROMPTS,
        "A prompt has placeholders other than {input}, or unbalanced braces.",
        """Only `{input}` is filled in; formatting a template with `{word}` or a lone `{`
        raises at run time, or leaves the braces in the text the model sees.""",
        "Use {input} only; write a literal brace as {{ or }}.",
        """
        controls:
          prompt: "Capitalize {word}: {input}\\n"
        """,
        """
        controls:
          prompt: "Capitalize: {input}\\n"
        """,
    ),
    # --- Epochs ------------------------------------------------------------------------------
    _rule(
        "CK210", E, EPOCHS,
        "An evaluated epoch is not a checkpoint the run saves (epoch >= the run's training epochs).",
        """Epochs are 0-indexed: training for 2 epochs saves epoch_0 and epoch_1. Asking for
        epoch_2 makes the evaluation job fail hours later, after training, when the
        checkpoint is not there. A list like [1, 2] for 2 epochs is the usual 1-indexed slip.""",
        "Evaluate epochs 0 .. epochs-1 (the last checkpoint is epochs-1).",
        """
        controls:
          epochs: 2
        evaluation:
          matrix:
            - run: Llama-3.2-1B-Instruct_rank4
              tasks: [capitalization]
              epochs: [1, 2]
        """,
        """
        controls:
          epochs: 2
        evaluation:
          matrix:
            - run: Llama-3.2-1B-Instruct_rank4
              tasks: [capitalization]
              epochs: [0, 1]
        """,
    ),
    _rule(
        "CK211", E, EPOCHS,
        "A control run has an epoch list (it must be null).",
        """A control is the base model, never fine-tuned: it has no checkpoints, so it is
        evaluated once per task, without an epoch suffix.""",
        "Set the control's matrix entry to `epochs: null`.",
        """
        evaluation:
          matrix:
            - run: Llama-3.2-1B-Instruct_base
              tasks: [capitalization]
              epochs: [0]
        """,
        """
        evaluation:
          matrix:
            - run: Llama-3.2-1B-Instruct_base
              tasks: [capitalization]
              epochs: null
        """,
    ),
    _rule(
        "CK212", E, EPOCHS,
        "A fine-tuned run has `epochs: null` or an empty epoch list.",
        """Without epochs a fine-tuned run is trained but none of its checkpoints is ever
        evaluated (or it is evaluated as if it were the base model).""",
        "List the 0-indexed epochs to evaluate, e.g. [epochs-1] for the last one.",
        """
        evaluation:
          matrix:
            - run: Llama-3.2-1B-Instruct_rank4
              tasks: [capitalization]
              epochs: null
        """,
        """
        evaluation:
          matrix:
            - run: Llama-3.2-1B-Instruct_rank4
              tasks: [capitalization]
              epochs: [1]
        """,
    ),
    _rule(
        "CK213", E, EPOCHS,
        "A negative or duplicated epoch; or best_val_loss without validation during training.",
        """Checkpoints are epoch_0, epoch_1, ...: a negative epoch does not exist and a
        duplicate evaluates the same checkpoint twice. `best_val_loss` picks the checkpoint
        with the lowest validation loss, which only exists when validation runs during training.""",
        "Remove the negative or repeated epoch; for best_val_loss set validation_during_training: true.",
        """
        controls:
          validation_during_training: false
        evaluation:
          matrix:
            - run: Llama-3.2-1B-Instruct_rank4
              tasks: [capitalization]
              epochs: best_val_loss
        """,
        """
        controls:
          validation_during_training: true
        evaluation:
          matrix:
            - run: Llama-3.2-1B-Instruct_rank4
              tasks: [capitalization]
              epochs: best_val_loss
        """,
    ),
    # --- Runs and matrix ---------------------------------------------------------------------
    _rule(
        "CK220", E, RUNS,
        "A control run has non-empty parameters.",
        """A control evaluates the base model as it is; parameters on it suggest it was meant
        to be fine-tuned, and tools that read them would treat it inconsistently.""",
        "Set `parameters: {}` on the control, or make it a fine-tuned run.",
        """
        runs:
          - name: Llama-3.2-1B-Instruct_base
            type: control
            model: Llama-3.2-1B-Instruct
            parameters: {lora_rank: 4}
        """,
        """
        runs:
          - name: Llama-3.2-1B-Instruct_base
            type: control
            model: Llama-3.2-1B-Instruct
            parameters: {}
        """,
    ),
    _rule(
        "CK221", W, RUNS,
        "A control run's name lacks `base`.",
        """By convention controls are named `{model}_base`; plots, reports and the matrix tell
        controls from fine-tuned runs by that name.""",
        "Rename the control to {model}_base (and its matrix entry).",
        """
        runs:
          - name: Llama-3.2-1B-Instruct_control
            type: control
            model: Llama-3.2-1B-Instruct
            parameters: {}
        """,
        """
        runs:
          - name: Llama-3.2-1B-Instruct_base
            type: control
            model: Llama-3.2-1B-Instruct
            parameters: {}
        """,
    ),
    _rule(
        "CK222", E, RUNS,
        "A fine-tuned run's parameter is not a declared variable, its value is not one of the variable's values, or it leaves a variable unset.",
        """`parameters` holds this run's point of the sweep declared in `variables`. A value
        outside the sweep, or a variable the run does not set, means the run trains with
        settings the design does not describe (a missing variable silently falls back to the
        recipe default).""",
        "Use a declared variable and one of its values (or add the value to variables).",
        """
        variables:
          lora_rank: [4, 8]
        runs:
          - name: Llama-3.2-1B-Instruct_rank16
            type: fine-tuned
            model: Llama-3.2-1B-Instruct
            parameters: {lora_rank: 16}
        """,
        """
        variables:
          lora_rank: [4, 8, 16]
        runs:
          - name: Llama-3.2-1B-Instruct_rank16
            type: fine-tuned
            model: Llama-3.2-1B-Instruct
            parameters: {lora_rank: 16}
        """,
    ),
    _rule(
        "CK223", W, RUNS,
        "A run name does not contain its model and its varied values (naming convention).",
        """Run names become checkpoint directories and plot labels; `{model}_{label}` (e.g.
        Llama-3.2-1B-Instruct_rank4_lr1e-05) keeps them unique and self-describing, and a name
        that disagrees with its parameters misleads whoever reads the results.""",
        "Rename the run to the conventional name the hint proposes (and its matrix entry).",
        """
        runs:
          - name: Llama-3.2-1B-Instruct_rank8
            type: fine-tuned
            model: Llama-3.2-1B-Instruct
            parameters: {lora_rank: 4}
        """,
        """
        runs:
          - name: Llama-3.2-1B-Instruct_rank4
            type: fine-tuned
            model: Llama-3.2-1B-Instruct
            parameters: {lora_rank: 4}
        """,
    ),
    _rule(
        "CK230", E, RUNS,
        "Two runs have the same name.",
        """A run's name is its output directory (`ck-out-{run_name}`): two runs with one name
        overwrite each other's checkpoints.""",
        "Give each run a unique name.",
        """
        runs:
          - {name: Llama-3.2-1B-Instruct_rank4, type: fine-tuned, model: Llama-3.2-1B-Instruct, parameters: {lora_rank: 4}}
          - {name: Llama-3.2-1B-Instruct_rank4, type: fine-tuned, model: Llama-3.2-1B-Instruct, parameters: {lora_rank: 8}}
        """,
        """
        runs:
          - {name: Llama-3.2-1B-Instruct_rank4, type: fine-tuned, model: Llama-3.2-1B-Instruct, parameters: {lora_rank: 4}}
          - {name: Llama-3.2-1B-Instruct_rank8, type: fine-tuned, model: Llama-3.2-1B-Instruct, parameters: {lora_rank: 8}}
        """,
    ),
    _rule(
        "CK231", E, RUNS,
        "A matrix entry names a run that is not in `runs`.",
        """The evaluation job would look for checkpoints of a run that is never trained.""",
        "Use the name of a run from `runs` (the hint names the closest one).",
        """
        runs:
          - {name: Llama-3.2-1B-Instruct_rank4, type: fine-tuned, model: Llama-3.2-1B-Instruct, parameters: {lora_rank: 4}}
        evaluation:
          matrix:
            - {run: Llama-3.2-1B_rank4, tasks: [capitalization], epochs: [0]}
        """,
        """
        runs:
          - {name: Llama-3.2-1B-Instruct_rank4, type: fine-tuned, model: Llama-3.2-1B-Instruct, parameters: {lora_rank: 4}}
        evaluation:
          matrix:
            - {run: Llama-3.2-1B-Instruct_rank4, tasks: [capitalization], epochs: [0]}
        """,
    ),
    _rule(
        "CK232", E, RUNS,
        "A matrix entry names a task that is not in evaluation.tasks.",
        """Scaffolding cannot find the task's script, so the evaluation is never set up.""",
        "Use the name of a task from evaluation.tasks.",
        """
        evaluation:
          tasks:
            - {name: capitalization, script: tasks/capitalization.py, description: Capitalize a word}
          matrix:
            - {run: Llama-3.2-1B-Instruct_rank4, tasks: [capitalisation], epochs: [0]}
        """,
        """
        evaluation:
          tasks:
            - {name: capitalization, script: tasks/capitalization.py, description: Capitalize a word}
          matrix:
            - {run: Llama-3.2-1B-Instruct_rank4, tasks: [capitalization], epochs: [0]}
        """,
    ),
    _rule(
        "CK233", W, RUNS,
        "A run has no entry in the evaluation matrix.",
        """The run is trained but never evaluated. That is deliberate with a selective matrix
        whose patterns match no task for it, and an oversight otherwise.""",
        "Add a matrix entry for the run, or remove the run.",
        """
        runs:
          - {name: Llama-3.2-1B-Instruct_rank4, type: fine-tuned, model: Llama-3.2-1B-Instruct, parameters: {lora_rank: 4}}
        evaluation:
          matrix: []
        """,
        """
        runs:
          - {name: Llama-3.2-1B-Instruct_rank4, type: fine-tuned, model: Llama-3.2-1B-Instruct, parameters: {lora_rank: 4}}
        evaluation:
          matrix:
            - {run: Llama-3.2-1B-Instruct_rank4, tasks: [capitalization], epochs: [0]}
        """,
    ),
    _rule(
        "CK234", E, RUNS,
        "A run's model is not listed in models.base.",
        """The model's path comes from models.base; a run of an unlisted model has no weights
        to start from.""",
        "Use a model name from models.base, or add the model there.",
        """
        models:
          base:
            - {name: Llama-3.2-1B-Instruct, path: /scratch/me/models/Llama-3.2-1B-Instruct, size_gb: 2.4}
        runs:
          - {name: Llama-3.2-3B-Instruct_rank4, type: fine-tuned, model: Llama-3.2-3B-Instruct, parameters: {lora_rank: 4}}
        """,
        """
        models:
          base:
            - {name: Llama-3.2-1B-Instruct, path: /scratch/me/models/Llama-3.2-1B-Instruct, size_gb: 2.4}
            - {name: Llama-3.2-3B-Instruct, path: /scratch/me/models/Llama-3.2-3B-Instruct, size_gb: 6.4}
        runs:
          - {name: Llama-3.2-3B-Instruct_rank4, type: fine-tuned, model: Llama-3.2-3B-Instruct, parameters: {lora_rank: 4}}
        """,
    ),
    _rule(
        "CK235", W, RUNS,
        "The sweep is incomplete (a combination of the variables has no run for a model), or two runs of a model share one combination.",
        """Fine-tuned runs are models x variables. A missing combination leaves a hole in every
        comparison; a repeated one trains the same thing twice. Models with no fine-tuned run
        at all (used only as controls) are not checked.""",
        "Add a run for each missing combination (or drop the value from variables); remove repeated runs.",
        """
        variables:
          lora_rank: [4, 8]
        runs:
          - {name: Llama-3.2-1B-Instruct_rank4, type: fine-tuned, model: Llama-3.2-1B-Instruct, parameters: {lora_rank: 4}}
        """,
        """
        variables:
          lora_rank: [4, 8]
        runs:
          - {name: Llama-3.2-1B-Instruct_rank4, type: fine-tuned, model: Llama-3.2-1B-Instruct, parameters: {lora_rank: 4}}
          - {name: Llama-3.2-1B-Instruct_rank8, type: fine-tuned, model: Llama-3.2-1B-Instruct, parameters: {lora_rank: 8}}
        """,
    ),
    _rule(
        "CK236", W, RUNS,
        "Two evaluation tasks have the same name.",
        """Matrix entries name tasks; with two tasks of one name it is undefined which script
        runs, and their results land in the same place.""",
        "Give each task a unique name.",
        """
        evaluation:
          tasks:
            - {name: capitalization, script: tasks/capitalization.py, description: 8 letters}
            - {name: capitalization, script: tasks/capitalization_hard.py, description: 12 letters}
        """,
        """
        evaluation:
          tasks:
            - {name: capitalization, script: tasks/capitalization.py, description: 8 letters}
            - {name: capitalization_hard, script: tasks/capitalization_hard.py, description: 12 letters}
        """,
    ),
    _rule(
        "CK240", W, RUNS,
        "Two matrix entries share a vis_label for the same task.",
        """vis_label names a run in plots (a missing one means the run name); two runs with one
        label on the same task are drawn as one series, and one of them disappears.""",
        "Give each run a distinct vis_label, e.g. prefixed with the model size (1B_rank4).",
        """
        evaluation:
          matrix:
            - {run: Llama-3.2-1B-Instruct_rank4, vis_label: rank4, tasks: [capitalization], epochs: [0]}
            - {run: Llama-3.2-3B-Instruct_rank4, vis_label: rank4, tasks: [capitalization], epochs: [0]}
        """,
        """
        evaluation:
          matrix:
            - {run: Llama-3.2-1B-Instruct_rank4, vis_label: 1B_rank4, tasks: [capitalization], epochs: [0]}
            - {run: Llama-3.2-3B-Instruct_rank4, vis_label: 3B_rank4, tasks: [capitalization], epochs: [0]}
        """,
    ),
    # --- Training steps ----------------------------------------------------------------------
    _rule(
        "CK250", W, STEPS,
        "A run trains for fewer than 50 optimizer steps.",
        """steps_per_epoch = ceil(train / (batch_size x gradient_accumulation_steps)) and
        total_steps = steps_per_epoch x epochs, per run with its own values. Under ~50 steps a
        LoRA adapter barely moves from its initialisation, so every run looks like the control.""",
        "Train longer (more epochs or data) or take smaller optimizer steps (batch_size, gradient_accumulation_steps).",
        """
        controls:
          epochs: 1
          batch_size: 16
          gradient_accumulation_steps: 4
        data:
          training:
            splits: {train: 400, validation: 50, test: 50}
        """,
        """
        controls:
          epochs: 2
          batch_size: 4
          gradient_accumulation_steps: 1
        data:
          training:
            splits: {train: 400, validation: 50, test: 50}
        """,
    ),
    _rule(
        "CK251", W, STEPS,
        "A run's total_steps is below num_warmup_steps: the learning-rate warmup never completes.",
        """The learning rate ramps up over num_warmup_steps; a run that ends first never trains
        at the learning rate you chose, so comparisons across lr values are meaningless.""",
        "Lower num_warmup_steps to about a tenth of total_steps, or train longer.",
        """
        controls:
          epochs: 1
          batch_size: 4
          num_warmup_steps: 100
        data:
          training:
            splits: {train: 200, validation: 50, test: 50}
        """,
        """
        controls:
          epochs: 1
          batch_size: 4
          num_warmup_steps: 5
        data:
          training:
            splits: {train: 200, validation: 50, test: 50}
        """,
    ),
    _rule(
        "CK252", W, STEPS,
        "A run's total_steps is below 3 x num_warmup_steps: most of training is warmup.",
        """With warmup taking over a third of training, little of it runs at the chosen learning
        rate; results mostly reflect the warmup schedule.""",
        "Lower num_warmup_steps to about a tenth of total_steps, or train longer.",
        """
        controls:
          epochs: 1
          batch_size: 4
          num_warmup_steps: 40
        data:
          training:
            splits: {train: 400, validation: 50, test: 50}
        """,
        """
        controls:
          epochs: 1
          batch_size: 4
          num_warmup_steps: 10
        data:
          training:
            splits: {train: 400, validation: 50, test: 50}
        """,
    ),
    # --- Paths and conventions ---------------------------------------------------------------
    _rule(
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
    ),
    _rule(
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
    ),
    _rule(
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
    ),
    _rule(
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
    _rule(
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
    # --- Resources ---------------------------------------------------------------------------
    _rule(
        "CK280", W, RESOURCES,
        "A model directory (or its config.json), the dataset, a task script or a task's own dataset file is missing.",
        """A missing resource is a prerequisite, not a blocker: the design is still valid and
        the README lists what to create before running. Relative paths are resolved against
        the directory of the design file.""",
        "Create or download the resource, or fix the path.",
        """
        models:
          base:
            - {name: Llama-3.2-1B-Instruct, path: /scratch/me/modles/Llama-3.2-1B-Instruct, size_gb: 2.4}
        """,
        """
        models:
          base:
            - {name: Llama-3.2-1B-Instruct, path: /scratch/me/models/Llama-3.2-1B-Instruct, size_gb: 2.4}
        """,
    ),
    _rule(
        "CK281", E, RESOURCES,
        "data.training.splits differ from the dataset file's split counts (or the dataset cannot be read).",
        """Training-step estimates (CK250-CK252) and the README come from these counts; a
        mismatch means the design was made for a different dataset than the one on disk.""",
        "Copy the counts the message reports into data.training.splits (or point at the right file).",
        """
        data:
          training:
            path: data/words_8L_500.json
            splits: {train: 500, validation: 50, test: 50}
        """,
        """
        data:
          training:
            path: data/words_8L_500.json
            splits: {train: 400, validation: 50, test: 50}
        """,
    ),
    _rule(
        "CK282", W, RESOURCES,
        "A task script defines no @task function (or cannot be parsed).",
        """inspect-ai runs functions decorated with @task; a script without one runs nothing.
        The script is parsed, never imported or executed.""",
        "Decorate the task function with @task (from inspect_ai import task).",
        """
        # tasks/capitalization.py
        def capitalization():
            return Task(dataset=..., solver=generate(), scorer=match())
        """,
        """
        # tasks/capitalization.py
        from inspect_ai import Task, task

        @task
        def capitalization():
            return Task(dataset=..., solver=generate(), scorer=match())
        """,
    ),
    _rule(
        "CK283", W, RESOURCES,
        "A size or split field is null (not measured).",
        """null means the resource was missing when the design was made. Step estimates and
        disk-usage estimates are skipped for it. Reported only with --check-resources: without
        it the validator does not look at the disk, and a design that is waiting for its
        dataset should not nag on every commit.""",
        "Fill in the measured value (the hint gives it when the resource exists now).",
        """
        data:
          training:
            size_kb: null
            splits: {train: null, validation: null, test: null}
        """,
        """
        data:
          training:
            size_kb: 28
            splits: {train: 400, validation: 50, test: 50}
        """,
    ),
    # --- Scorers and GPUs --------------------------------------------------------------------
    _rule(
        "CK290", E, SCORERS,
        "A known scorer has invalid params (match.location not exact/begin/end/any, ignore_case not a bool, option_tokens/labels not a non-empty list of strings, or an unknown param).",
        """Scorer params are passed to the scorer as keyword arguments when the evaluation
        starts: a bad one fails every evaluation job, or scores against the wrong tokens.""",
        "Use the params the message lists for that scorer.",
        """
        evaluation:
          scorer:
            - name: match
              params: {location: start, ignore_case: 'no'}
        """,
        """
        evaluation:
          scorer:
            - name: match
              params: {location: begin, ignore_case: false}
        """,
    ),
    _rule(
        "CK291", W, SCORERS,
        "Unknown scorer name (custom scorers are allowed).",
        """Known scorers are match, includes, risk_scorer and numeric_risk_scorer. Anything else
        must exist in your task code; a typo fails at evaluation time.""",
        "Check the spelling, or make sure the custom scorer is importable by the task.",
        """
        evaluation:
          scorer:
            - name: exact_match
        """,
        """
        evaluation:
          scorer:
            - name: match
              params: {location: exact}
        """,
    ),
    _rule(
        "CK292", W, SCORERS,
        "GPU placement: a run of a model that fits a shared GPU has no slurm_overrides in an `experiment` (warning); a model that needs more VRAM than one GPU runs with too few GPUs (error).",
        """Small models (registry min_gpu_vram_gb below a full 80 GB GPU) may land on a shared or
        MIG slice where GPU utilization reads [N/A]; experiments want full-GPU metrics, sanity
        checks may skip them. A model that needs more than one GPU (Llama-3.3-70B-Instruct:
        320 GB, 4 GPUs) runs out of memory with gpus: 1; that finding is an error.""",
        "Add slurm_overrides: {constraint: <full-GPU constraint>} to the run; give large models enough gpus.",
        """
        experiment:
          type: experiment
        runs:
          - name: Llama-3.2-1B-Instruct_rank4
            type: fine-tuned
            model: Llama-3.2-1B-Instruct
            parameters: {lora_rank: 4}
        """,
        """
        experiment:
          type: experiment
        runs:
          - name: Llama-3.2-1B-Instruct_rank4
            type: fine-tuned
            model: Llama-3.2-1B-Instruct
            parameters: {lora_rank: 4}
            slurm_overrides: {constraint: gpu80}
        """,
    ),
]

# Beyond SPEC 11: SPEC 10 asks for a warning on unknown models, and no SPEC 11 code covers it.
RULES_LIST_EXTRA = [
    _rule(
        "CK293", W, SCORERS,
        "A base model is not in ck-design's model registry, so its GPU needs are unknown.",
        """The registry (SPEC 10) knows each supported model's minimum GPU memory; that is how
        CK292 catches a 70B model given one GPU, or a 1B experiment without a full-GPU
        constraint. An unknown model is allowed (new models appear every month), but nothing
        checks its GPU placement, and a misspelt known model silently loses those checks.""",
        "Check the spelling against the registry; for a new model, set gpus and slurm_overrides by hand.",
        """
        models:
          base:
            - {name: Llama-3.2-1B-Instruc, path: /models/Llama-3.2-1B-Instruc, size_gb: 2.4}
        """,
        """
        models:
          base:
            - {name: Llama-3.2-1B-Instruct, path: /models/Llama-3.2-1B-Instruct, size_gb: 2.4}
        """,
    ),
]

# ---------------------------------------------------------------------------------------------
# Log-file rules (CK3xx: design-experiment.log, SPEC section 8). Owned by the log validator;
# add them to this list (section "design-experiment.log") and regenerate docs/rules.md.
# ---------------------------------------------------------------------------------------------
# Severity and summary come from ck_design.logfile.LOG_RULES (what the log validator emits);
# this block adds what the docs page needs.
from .logcheck import LOG_RULES as _LOG_CODES  # noqa: E402 - stdlib-only module, no cycle

LOG = "design-experiment.log (ck-validate --log)"
_GOOD_ENTRY = """
    [2026-11-25 14:30:01] VERIFY_MODEL
    Details: Verifying model directory exists
    Model: Llama-3.2-1B-Instruct
    Result: success
    """


def _log_rule(code: str, why: str, hint: str, bad: str, fixed: str = _GOOD_ENTRY) -> Rule:
    severity, summary = _LOG_CODES[code]
    return _rule(code, severity, LOG, summary, why, hint, bad, fixed)


_LOG_RULES: list[Rule] = [
    _log_rule(
        "CK300",
        """The log is the audit trail of a design; a binary, non-UTF-8 or empty file cannot be
        one, and nothing else in it can be checked.""",
        "Restore the log from git; it is only ever appended to.",
        """
        (an empty file)
        """,
    ),
    _log_rule(
        "CK301",
        """Entries are found and ordered by their header; a malformed header or an impossible
        timestamp (2026-02-30) makes the trail unreadable to tools and people.""",
        "Write the header as `[YYYY-MM-DD HH:MM:SS] ACTION_TYPE` with a real date and time.",
        """
        [2026-11-25 14:30] VERIFY_MODEL
        Details: Verifying model directory exists
        Result: success
        """,
    ),
    _log_rule(
        "CK302",
        """Action types are a closed list (SPEC 8) so that a log can be searched and compared
        across experiments; a misspelt type silently drops out of those searches.""",
        "Use one of the known action types; the hint names the closest.",
        """
        [2026-11-25 14:30:01] VERIFY_MODLE
        Details: Verifying model directory exists
        Result: success
        """,
    ),
    _log_rule(
        "CK303",
        "Every entry says what was done on its second line; readers rely on finding it there.",
        "Put a `Details: <what was done>` line right after the header.",
        """
        [2026-11-25 14:30:01] VERIFY_MODEL
        Model: Llama-3.2-1B-Instruct
        Result: success
        """,
    ),
    _log_rule(
        "CK304",
        """Entries are `Key: value` lines so they can be parsed; free text (often a value that
        spilled onto a second line) cannot be attributed to a key.""",
        "Keep each value on its key's line (the writer escapes newlines as \\n).",
        """
        [2026-11-25 14:30:01] USER_RESPONSE
        Details: Question answered
        Answer: first line
        second line
        Result: success
        """,
    ),
    _log_rule(
        "CK305",
        """The result is what a reader looks for first; it must be the entry's last line and
        one of success, failure or warning.""",
        "End the entry with `Result: success`, `Result: failure` or `Result: warning`.",
        """
        [2026-11-25 14:30:01] VERIFY_MODEL
        Details: Verifying model directory exists
        Result: ok
        """,
    ),
    _log_rule(
        "CK306",
        """A failure or warning without its reason cannot be acted on; prerequisites listed in
        the README come from these Error lines.""",
        "Add `Error: <Type> - <message>` before the Result line.",
        """
        [2026-11-25 14:30:01] VERIFY_MODEL
        Details: Verifying model directory exists
        Result: failure
        """,
        """
        [2026-11-25 14:30:01] VERIFY_MODEL
        Details: Verifying model directory exists
        Error: FileNotFoundError - /scratch/me/models/Llama-3.2-1B-Instruct does not exist
        Result: failure
        """,
    ),
    _log_rule(
        "CK307",
        """The log is append-only: an entry older than the one before it means the file was
        edited by hand or merged out of order, and the trail no longer shows what happened when.""",
        "Keep entries in the order they were written; do not edit timestamps.",
        """
        [2026-11-25 14:30:01] VERIFY_MODEL
        Details: Verifying model directory exists
        Result: success

        [2026-11-25 14:29:00] VERIFY_DATASET
        Details: Verifying dataset exists
        Result: success
        """,
        """
        [2026-11-25 14:30:01] VERIFY_MODEL
        Details: Verifying model directory exists
        Result: success

        [2026-11-25 14:30:02] VERIFY_DATASET
        Details: Verifying dataset exists
        Result: success
        """,
    ),
    _log_rule(
        "CK308",
        """One blank line is what separates entries; a missing one glues two entries together
        for simple readers (e.g. `awk -v RS=`), extra ones are harmless but not the format.""",
        "Separate entries with exactly one blank line.",
        """
        [2026-11-25 14:30:01] VERIFY_MODEL
        Details: Verifying model directory exists
        Result: success
        [2026-11-25 14:30:02] VERIFY_DATASET
        Details: Verifying dataset exists
        Result: success
        """,
        """
        [2026-11-25 14:30:01] VERIFY_MODEL
        Details: Verifying model directory exists
        Result: success

        [2026-11-25 14:30:02] VERIFY_DATASET
        Details: Verifying dataset exists
        Result: success
        """,
    ),
    _log_rule(
        "CK309",
        """START_DESIGN says which experiment the log belongs to and COMPLETE_DESIGN how long the
        design took (SPEC 8); without them a log found on its own cannot be placed.""",
        "Add the missing `Key: value` lines.",
        """
        [2026-11-25 14:30:01] START_DESIGN
        Details: Starting experiment design
        Result: success
        """,
        """
        [2026-11-25 14:30:01] START_DESIGN
        Details: Starting experiment design
        Experiment: words_8L_500_lora_rank_comparison_2026-11-25
        Type: experiment
        Directory: /scratch/me/ck-experiments/words_8L_500_lora_rank_comparison_2026-11-25
        Result: success
        """,
    ),
]
assert {r.code for r in _LOG_RULES} == set(_LOG_CODES), "every log code needs a docs entry"
# --- end of log-file rules -------------------------------------------------------------------

_RULES = [*_RULES, *RULES_LIST_EXTRA, *_LOG_RULES]
RULES: dict[str, Rule] = {r.code: r for r in _RULES}


def _check_registry() -> None:
    # Cheap import-time guard: a duplicated code would silently replace a rule.
    assert len(RULES) == len(_RULES), "duplicate rule code"
    for rule in RULES.values():
        assert rule.severity in SEVERITIES, rule.code


_check_registry()


def render_docs() -> str:
    """docs/rules.md: one section per code (its anchor is the code), grouped as in SPEC 11."""
    out = [
        "# ck-validate rules",
        "",
        "<!-- Generated by `python -m ck_design.validate.registry --docs > docs/rules.md`; do not edit by hand. -->",
        "",
        "Each finding is printed as `PATH:LINE:COL: CODE severity: message`, followed by a `hint:`",
        "line when there is a fix to suggest. Errors make `ck-validate` exit 1; warnings do not,",
        "unless `--strict`. Skip a rule with `--ignore CODE[,CODE]`.",
        "",
    ]
    sections: dict[str, list[Rule]] = {}
    for rule in RULES.values():
        sections.setdefault(rule.section or "Other", []).append(rule)
    out.append("| Code | Severity | Summary |")
    out.append("|------|----------|---------|")
    for rule in RULES.values():
        out.append(f"| [{rule.code}](#{rule.code}) | {rule.severity} | {_cell(rule.summary)} |")
    out.append("")
    for section, rules in sections.items():
        out += [f"## {section}", ""]
        for rule in rules:
            out += [
                f'<a id="{rule.code}"></a>',
                "",
                f"### {rule.code}",
                "",
                f"**{rule.severity}** — {rule.summary}",
                "",
                f"**Why:** {rule.why}",
                "",
                f"**Fix:** {rule.hint}",
                "",
                "Fails:",
                "",
                f"```{_lang(rule, rule.bad_example)}",
                rule.bad_example,
                "```",
                "",
                "Passes:",
                "",
                f"```{_lang(rule, rule.fixed_example)}",
                rule.fixed_example,
                "```",
                "",
            ]
    return "\n".join(out).rstrip("\n") + "\n"


def _lang(rule: Rule, example: str) -> str:
    # Examples are YAML, except log-file rules (log text) and task scripts (first line names the .py).
    if rule.code.startswith("CK3"):
        return "text"
    first = example.split("\n", 1)[0]
    return "python" if first.startswith("# ") and first.endswith(".py") else "yaml"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args == ["--docs"]:
        sys.stdout.write(render_docs())
        return 0
    if args[:1] == ["--check-docs"] and len(args) <= 2:
        # The repository being checked (pre-commit runs hooks from its root), not the one this
        # module happens to be installed from.
        docs = Path(args[1] if len(args) == 2 else "docs/rules.md")
        if not docs.is_file() or docs.read_text(encoding="utf-8") != render_docs():
            sys.stderr.write(f"{docs} is out of date: run `make docs` (python -m ck_design.validate.registry --docs > docs/rules.md)\n")
            return 1
        return 0
    if args == ["--list"]:
        for rule in RULES.values():
            sys.stdout.write(f"{rule.code} {rule.severity:7} {rule.summary}\n")
        return 0
    sys.stderr.write("usage: python -m ck_design.validate.registry --docs | --check-docs [docs/rules.md] | --list\n")
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
