"""CK100-CK105, the structure (schema), and CK004, YAML 1.1 booleans where text or a number is meant.

The schema findings are pydantic's errors (validate/schema_shape.py) mapped onto the data's
paths: one finding per place, in words, with a fix where there is an obvious one. CK103 walks
the data against the schema's fields (unknown keys are allowed, so pydantic says nothing).
"""

from __future__ import annotations

import math
import re
from typing import Any

from yaml.nodes import ScalarNode

from ...spec import era as eras
from ...spec.naming import SCRIPT_SAFE_PATTERN, SCRIPT_UNSAFE, SLURM_VALUE_PATTERN, slurm_value_problem
from ...spec.sweep import CHECKPOINT_PATH, EVAL_ONLY
from ...spec.params import KNOWN_PARAMETERS, PARAMS, REQUIRED_UNLESS_VARIED, Param
from .. import schema_shape
from ..context import Ctx, Design
from ..values import PathT, closest, describe, fmt_path, is_num, near_misses, short, value_at
from . import E, READ, SCHEMA, W, rule

DOCS = [
    rule(
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
    rule(
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
        v03="""Each era has its own required fields: 0.3 requires experiment.project and experiment.dir,
        data.training.dataset_label and evaluation.scorers; output.base_directory,
        evaluation.system_prompt and evaluation.temperature are not required.""",
    ),
    rule(
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
    rule(
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
    rule(
        "CK103", W, SCHEMA,
        "An unknown field or hyperparameter name, unlike every known one.",
        """Unknown keys are allowed because recipes grow (a key close to a known one is CK105,
        an error). An unknown key is passed on as it is, or ignored: make sure it is one the
        recipe or the scaffold reads. Once checked, acknowledge it for good with a comment on its
        line, `# ck-validate: ignore CK103`, so it stops being shown on every commit.""",
        "Check the key against the known fields; keep it and add `# ck-validate: ignore CK103` on its line, or delete it.",
        """
        controls:
          lora_alpha: 16
        """,
        """
        controls:
          lora_rank: 8
        """,
    ),
    rule(
        "CK104", E, SCHEMA,
        "The file mixes the keys of the two cruijff_kit eras (seed and 0.3).",
        """cruijff_kit writes no version marker: a design's era is told by its keys
        (`experiment.directory`, `data.training.label`, `evaluation.scorer`,
        `output.base_directory` in the seed era; `experiment.dir`, `experiment.project`,
        `data.training.dataset_label`, `evaluation.scorers` in 0.3). With keys of both, no
        tool can tell which schema the file follows, and each era's scaffolding silently
        ignores the other's keys. This is the only finding for such a file: every other one
        would depend on the guess.""",
        "Run `ck-migrate FILE` to make it a 0.3 design (or rename the 0.3 keys back for the seed era).",
        """
        experiment:
          name: cap_8L_lora_rank_comparison_2026-11-25
          project: capitalization
          directory: /scratch/me/ck-experiments/cap_8L_lora_rank_comparison_2026-11-25
        """,
        """
        experiment:
          name: cap_8L_lora_rank_comparison_2026-11-25
          project: capitalization
          dir: /scratch/me/ck-projects/capitalization/cap_8L_lora_rank_comparison_2026-11-25
        """,
    ),
    rule(
        "CK105", E, SCHEMA,
        "An unknown key is a keystroke or two away from a known one (a misspelled field or hyperparameter).",
        """A misspelled key (`lora_rnak: 8`) is not an extension: every tool ignores it, the run
        trains with the default rank, and the plan lists `lora_rnak=8` as if it were a
        setting. It differs from a known key by at most two edits (a letter added, dropped,
        changed, or two swapped), so it is an error that names the key it resembles; --fix
        renames it when exactly one known key is that close (a misspelled variable is renamed
        by hand: its runs' parameters and names carry it too). A key unlike every known one
        stays CK103, a warning.""",
        "Rename the key to the known one the hint names.",
        """
        controls:
          lora_rnak: 8
        """,
        """
        controls:
          lora_rank: 8
        """,
    ),
]


def check_mixed_era(ctx: Ctx, data: dict[Any, Any]) -> None:
    """CK104, at the first key of the era with fewer keys in the file (the strays)."""
    present = eras.era_keys_present(data)
    lines = {era: [(ctx.line_of(p), p) for p in paths] for era, paths in present.items()}

    def listed(era: str) -> str:
        return ", ".join(f"{eras.dotted(p)} (line {line})" for line, p in sorted(lines[era]))

    stray = min(eras.ERAS, key=lambda era: (len(present[era]), era == eras.SEED))
    at = min(lines[stray])[1]
    ctx.add(
        "CK104",
        at,
        f"this file mixes the eras: seed-era keys {listed(eras.SEED)} and 0.3-era keys {listed(eras.V03)}; "
        "other checks are skipped until it follows one",
        "it reads as a 0.3 design: rename or remove the seed-era keys (`ck-migrate FILE` does it)"
        if stray == eras.SEED
        else "it reads as a seed-era design: remove the 0.3-era keys, or run `ck-migrate FILE` to make it all 0.3",
        at_key=True,
    )


def check(ctx: Ctx, d: Design) -> None:
    """Every structural finding; the paths CK004 flagged go to `d.schema_flagged` (other rules
    stay quiet there)."""
    data = d.data
    ck004 = d.schema_flagged = _check_yaml11_bools(ctx)
    _check_schema(ctx, data, ck004)
    _check_required_unless_varied(ctx, data)
    _check_unknown_fields(ctx, data, schema_shape.root(ctx.era), ())
    variables = data.get("variables")
    if isinstance(variables, dict) and variables:
        _check_variable_names(ctx, variables)
        _check_variable_values(ctx, variables)
    _check_checkpoint_paths(ctx, data)


def _check_checkpoint_paths(ctx: Ctx, data: dict[Any, Any]) -> None:
    """CK102 for an eval-only run's checkpoint_path that is not one line: it reaches a SLURM
    script as the model path (spec/naming.py, the one rule). `parameters` is free-form for
    fine-tuned runs (a swept prompt may hold newlines), so the schema cannot say it."""
    runs = data.get("runs")
    if not isinstance(runs, list):
        return
    for i, run in enumerate(runs):
        if not isinstance(run, dict) or run.get("type") != EVAL_ONLY or not isinstance(run.get("parameters"), dict):
            continue
        value = run["parameters"].get(CHECKPOINT_PATH)
        if isinstance(value, str) and SCRIPT_UNSAFE.search(value):
            path = ("runs", i, "parameters", CHECKPOINT_PATH)
            ctx.add("CK102", path, *_script_unsafe_text(fmt_path(path), value))


# --- CK004 -----------------------------------------------------------------------------------


def _check_yaml11_bools(ctx: Ctx) -> set[PathT]:
    flagged: set[PathT] = set()
    for path in ctx.doc.yaml11_bools:
        kind = schema_shape.expected_kind(path, ctx.era)
        if kind is None:
            continue
        node = ctx.doc.node_at(path)[0]
        word = node.value if isinstance(node, ScalarNode) else "yes"
        value = "true" if word.lower() in ("yes", "on") else "false"
        flagged.add(path)
        if kind == "str":
            ctx.add(
                "CK004",
                path,
                f"{fmt_path(path)}: unquoted {word} is the boolean {value} in YAML 1.1 (PyYAML, OmegaConf), not the string {word!r}",
                f"quote it: '{word}'",
            )
        else:
            ctx.add(
                "CK004",
                path,
                f"{fmt_path(path)}: unquoted {word} is the boolean {value} in YAML 1.1, but a number is meant here",
                "write the number",
            )
    return flagged


# --- CK100-CK102: pydantic's errors, in words --------------------------------------------------
_TYPE_NAMES = {
    "string_type": "a string",
    "int_type": "an integer",
    "float_type": "a number",
    "bool_type": "true or false",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "list_type": "a list",
    "none_required": "null",
}
_VALUE_ERRORS = {
    "literal_error",
    "enum",
    "string_pattern_mismatch",
    "greater_than",
    "greater_than_equal",
    "less_than",
    "less_than_equal",
    "too_short",
    "too_long",
    "string_too_short",
    "string_too_long",
    "finite_number",
    "multiple_of",
}
# The value rules that say it better (and must not be said twice).
_SUPPRESSED = {
    (("experiment", "name"), "string_pattern_mismatch"),  # CK263
    (("experiment", "date"), "string_pattern_mismatch"),  # CK270
    (("experiment", "project"), "string_pattern_mismatch"),  # CK266 (0.3)
}
_RANGE_WORDS = {
    "greater_than": ("gt", ">"),
    "greater_than_equal": ("ge", ">="),
    "less_than": ("lt", "<"),
    "less_than_equal": ("le", "<="),
}


def _branch_matches(tag: str, value: Any) -> bool:
    """Does the union member pydantic names `tag` (e.g. 'list[int]') fit the value's kind?"""
    if tag.startswith("list["):
        return isinstance(value, list)
    if tag.startswith("dict["):
        return isinstance(value, dict)
    if tag.startswith("literal["):
        return isinstance(value, str)
    if tag == "str":
        return isinstance(value, str)
    if tag == "bool":
        return isinstance(value, bool)
    if tag in ("int", "float"):
        return is_num(value)
    return False


Mapped = tuple[PathT, dict[str, Any], list[tuple[PathT, str]], bool]


def _check_schema(ctx: Ctx, data: dict[Any, Any], skip: set[PathT]) -> None:
    errors = schema_shape.validate(data, ctx.era)
    if not errors:
        return
    fitting: dict[PathT, bool] = {}
    mapped = [_map_error(data, err, fitting) for err in errors]
    variables = data.get("variables")
    varied = set(variables) if isinstance(variables, dict) else set()
    groups: dict[PathT, list[tuple[dict[str, Any], list[tuple[PathT, str]], bool]]] = {}
    bad_keys: dict[PathT, None] = {}
    for path, err, tags, key_error in mapped:
        if key_error or err["type"] == "invalid_key":
            bad_keys[path] = None  # one finding per key, whichever way pydantic said it
            continue
        if any(fitting.get(at) and not _branch_matches(tag, value_at(data, at)) for at, tag in tags):
            continue  # another member of the union fits this value; its errors are the real ones
        if path in skip or (path, err["type"]) in _SUPPRESSED:
            continue
        if err["type"] == "missing" and len(path) == 2 and path[0] == "controls" and path[1] in varied:
            continue  # a varied prompt or system_prompt lives in variables, not controls
        groups.setdefault(path, []).append((err, tags, key_error))

    for path, errs in groups.items():
        _schema_finding(ctx, data, path, errs)
    for path in bad_keys:
        _key_finding(ctx, path)


_ABSENT = object()


def _unstringified(mapping: dict[Any, Any], step: Any) -> Any:
    """The non-string key of `mapping` that pydantic's location spells as `step`, or _ABSENT."""
    if not isinstance(step, str):
        return _ABSENT
    return next((k for k in mapping if not isinstance(k, str) and str(k) == step), _ABSENT)


def _map_error(data: dict[Any, Any], err: dict[str, Any], fitting: dict[PathT, bool]) -> Mapped:
    """pydantic's location as a data path. A step that is not in the data is a union member's
    tag (`list[int]`), remembered in `fitting` so that only the member that fits the value speaks."""
    loc = err["loc"]
    missing = err["type"] == "missing"
    steps = loc[:-1] if missing else loc
    path: list[Any] = []
    tags: list[tuple[PathT, str]] = []
    cur: Any = data
    key_error = False
    for step in steps:
        if step == "[key]":
            key_error = True
            break
        if isinstance(cur, dict) and (step in cur or _unstringified(cur, step) is not _ABSENT):
            # pydantic names a non-string key by its str() (`~` is 'None', `1.5` is '1.5')
            key = step if step in cur else _unstringified(cur, step)
            cur = cur[key]
            path.append(key)
        elif isinstance(cur, list) and isinstance(step, int) and 0 <= step < len(cur):
            cur = cur[step]
            path.append(step)
        elif isinstance(step, str):
            at = tuple(path)
            tags.append((at, step))
            fitting[at] = fitting.get(at, False) or _branch_matches(step, cur)
        else:
            break
    if missing:
        path.append(loc[-1])
    return tuple(path), err, tags, key_error


def _key_finding(ctx: Ctx, path: PathT) -> None:
    """A mapping key that is not a string: `2:`, or `on:` (YAML 1.1's true)."""
    if not path:
        ctx.add("CK101", path, "<document>: a key is not a string", "quote every key", at_key=True)
        return
    key_node = ctx.doc.node_at(path)[1]
    text = key_node.value if isinstance(key_node, ScalarNode) else str(path[-1])
    where = fmt_path(path[:-1])
    if isinstance(path[-1], bool) or (
        isinstance(key_node, ScalarNode) and not key_node.style and text.lower() in ("yes", "no", "on", "off")
    ):
        value = "true" if text.lower() in ("yes", "on", "true") else "false"
        ctx.add(
            "CK004",
            path,
            f"{where}: the unquoted key {text} is the boolean {value} in YAML 1.1, not the string {text!r}",
            f"quote it: '{text}'",
            at_key=True,
        )
        return
    if text == "":  # `? ` with nothing after it: an empty (null) key
        ctx.add("CK101", path, f"{where}: a key is empty (null), not a string", "give the key a name, or delete the entry",
                at_key=True)
        return
    ctx.add("CK101", path, f"{where}: the key {text} is not a string", f"quote it: '{text}'", at_key=True)


def _schema_finding(ctx: Ctx, data: Any, path: PathT, errs: list[tuple[dict[str, Any], list[Any], bool]]) -> None:
    where = fmt_path(path)
    types = [e["type"] for e, _, _ in errs]
    if "missing" in types:
        ctx.add("CK100", path, f"{where}: required field missing", _missing_hint(data, path, ctx.era))
        return
    value = value_at(data, path)
    value_errs = [e for e, _, _ in errs if e["type"] in _VALUE_ERRORS]
    if value_errs:
        ctx.add("CK102", path, *_value_error_text(where, path, value, value_errs[0]))
        return
    expected = list(dict.fromkeys(_TYPE_NAMES.get(t, t.replace("_", " ")) for t in types))
    if len(expected) > 1:
        expected_text = ", ".join(expected[:-1]) + " or " + expected[-1]
    else:
        expected_text = expected[0]
    ctx.add("CK101", path, f"{where}: expected {expected_text}, got {describe(value)}", _type_hint(types, value))


def _check_required_unless_varied(ctx: Ctx, data: dict[Any, Any]) -> None:
    """CK100 for controls.epochs (spec.params.REQUIRED_UNLESS_VARIED): required unless varied.
    The pydantic model leaves it optional (a varied epochs lives in variables); the JSON schema
    says the same with if/then (spec/jsonschema.py)."""
    controls, variables = data.get("controls"), data.get("variables")
    if not isinstance(controls, dict):
        return  # missing or not a mapping: the schema's finding
    for name in REQUIRED_UNLESS_VARIED:
        if name not in controls and not (isinstance(variables, dict) and name in variables):
            path = ("controls", name)
            hint = _missing_hint(data, path, ctx.era)
            if hint.startswith("add"):
                hint = f"add `{name}:` to controls (or vary it in variables): every epoch and step check depends on it"
            ctx.add("CK100", path, f"{fmt_path(path)}: required field missing", hint)


def _missing_hint(data: Any, path: PathT, era: str) -> str:
    parent = value_at(data, path[:-1])
    key = path[-1]
    if isinstance(parent, dict):
        known = schema_shape.fields_at(path[:-1], era)
        near = closest(key, [k for k in parent if isinstance(k, str) and k not in known])
        if near is not None:
            return f"{near!r} looks like a misspelling: rename it to {key!r}"
    return f"add `{key}:`"


def _type_hint(types: list[str], value: Any) -> str | None:
    if "string_type" in types and is_num(value):
        return f"quote it: '{value}'"
    if "string_type" in types and value is None:
        return "write '' for an empty string"
    if ("int_type" in types or "float_type" in types) and isinstance(value, str):
        return "write the number without quotes"
    if "bool_type" in types and isinstance(value, str):
        return "write true or false without quotes"
    return None


def _value_error_text(where: str, path: PathT, value: Any, err: dict[str, Any]) -> tuple[str, str | None]:
    kind = err["type"]
    ctx_ = err.get("ctx") or {}
    if kind in ("literal_error", "enum"):
        allowed = re.findall(r"'([^']*)'", str(ctx_.get("expected", "")))
        allowed_text = ", ".join(repr(a) for a in allowed)
        near = closest(value, allowed)
        hint = f"did you mean {near!r}?" if near else f"use one of {allowed_text}"
        if path and path[-1] == "epochs" and "evaluation" in path:
            hint = "use a list of 0-indexed epochs such as [0, 1], best_val_loss, or null for a control run"
            return f"{where}: {short(value)} is not one of {allowed_text}, a list of epochs or null", hint
        return f"{where}: {short(value)} is not one of {allowed_text}", hint
    if kind == "string_pattern_mismatch" and isinstance(value, str) and (
            ctx_.get("pattern") == SCRIPT_SAFE_PATTERN or SCRIPT_UNSAFE.search(value)):
        return _script_unsafe_text(where, value)
    if kind == "string_pattern_mismatch" and ctx_.get("pattern") == SLURM_VALUE_PATTERN and isinstance(value, str):
        return slurm_value_problem(value, f"{where}:"), "use the partition or constraint name SLURM knows (`sinfo` lists them)"
    if kind == "string_pattern_mismatch":
        return f"{where}: {short(value)} does not match {ctx_.get('pattern')}", None
    if kind == "finite_number":
        return f"{where}: {number_text(value)} is not a finite number", "use a finite number (YAML's .inf and .nan are not)"
    if kind in _RANGE_WORDS:
        key, op = _RANGE_WORDS[kind]
        return (f"{where}: {number_text(value)} is out of range: it must be {op} {ctx_.get(key)}",
                f"use a value {op} {ctx_.get(key)}")
    if kind in ("too_short", "string_too_short"):
        n = ctx_.get("min_length", 1)
        return f"{where}: must have at least {n} item{'s' if n != 1 else ''}, got {ctx_.get('actual_length', 0)}", None
    return f"{where}: {err.get('msg', kind)}", None


_CHAR_NAMES = {"\n": "a newline", "\r": "a carriage return", "\t": "a tab"}


def _script_unsafe_text(where: str, value: str) -> tuple[str, str]:
    """Text that lands in a SLURM script or a path (spec/naming.py SCRIPT_SAFE_PATTERN):
    name the first offending character, never pydantic's regular expression."""
    m = SCRIPT_UNSAFE.search(value)
    ch = m.group() if m else ""
    name = _CHAR_NAMES.get(ch) or f"the control character U+{ord(ch or chr(0)):04X}"
    return (f"{where}: {short(value)} holds {name}: text that lands in a SLURM script or a path must be"
            " one line without control characters", "remove it (split a list of values over separate fields)")


def number_text(value: Any) -> str:
    """A number as YAML spells it (.inf, .nan), a very long integer shortened."""
    if isinstance(value, float) and not math.isfinite(value):
        return ".nan" if math.isnan(value) else (".inf" if value > 0 else "-.inf")
    if isinstance(value, int) and not isinstance(value, bool) and len(str(abs(value))) > 15:
        digits = str(abs(value))
        return f"{'-' if value < 0 else ''}{digits[:12]}... ({len(digits)} digits)"
    return short(value)


def _bound_text(p: Param, value: Any) -> tuple[str, str] | None:
    """Why a number is not usable for this parameter (the table's bounds), or None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None  # a type mismatch is said by the sweep's rules
    if isinstance(value, float) and not math.isfinite(value):
        return "is not a finite number", "use a finite number (YAML's .inf and .nan are not)"
    checks = (
        (p.minimum is not None and p.exclusive_minimum and not value > p.minimum, ">", p.minimum),
        (p.minimum is not None and not p.exclusive_minimum and not value >= p.minimum, ">=", p.minimum),
        (p.below is not None and not value < p.below, "<", p.below),
        (p.maximum is not None and not value <= p.maximum, "<=", p.maximum),
    )
    for failed, op, bound in checks:
        if failed:
            return f"is out of range: it must be {op} {short(bound)}", f"use a value {op} {short(bound)}"
    return None


def _check_variable_values(ctx: Ctx, variables: dict[Any, Any]) -> None:
    """CK102 for a swept value outside its parameter's bounds (spec/params.py), as for controls."""
    for key, values in variables.items():
        p = PARAMS.get(key) if isinstance(key, str) else None
        if p is None or not isinstance(values, list):
            continue
        for i, v in enumerate(values):
            problem = _bound_text(p, v)
            if problem:
                ctx.add("CK102", ("variables", key, i), f"variables.{key}[{i}]: {number_text(v)} {problem[0]}", problem[1])


# --- CK103: unknown fields and hyperparameters -----------------------------------------------------


def _check_unknown_fields(ctx: Ctx, data: Any, model: schema_shape.Schema, path: PathT) -> None:
    if not isinstance(data, dict):
        return
    known, subs = schema_shape.shape(model)
    if not data.keys() <= known:
        _unknown_keys(ctx, data, known, path)
    for name, (kind, sub) in subs.items():
        value = data.get(name)
        if value is None:
            continue
        if kind == "model":
            _check_unknown_fields(ctx, value, sub, path + (name,))
        elif isinstance(value, list):
            _check_unknown_in_list(ctx, value, sub, path + (name,))


def _unknown_keys(ctx: Ctx, data: dict[Any, Any], known: frozenset[str], path: PathT) -> None:
    for key in data:
        if key in known or not isinstance(key, str):  # non-string keys: the schema's finding
            continue
        near = ctx.closest(key, sorted(known))
        what = "unknown hyperparameter" if path == ("controls",) else "unknown field"
        renamed = _other_era_name(ctx.era, path + (key,))
        if renamed is not None:  # e.g. the seed era's `sampling` in a 0.3 design
            ctx.add("CK103", path + (key,), f"{fmt_path(path + (key,))}: {short(key)} is the {renamed[0]} era's name for this field",
                    f"rename it to {renamed[1]!r}, its name in the {ctx.era} era", at_key=True)
        elif near:
            _misspelled(ctx, path + (key,), what, near_misses(key, known) or [near], taken=data.keys())
        else:
            ctx.add("CK103", path + (key,), f"{fmt_path(path + (key,))}: {what} {short(key)}",
                    f"known fields: {', '.join(sorted(known))}", at_key=True)


def _other_era_name(era: str, path: PathT) -> tuple[str, str] | None:
    """(the other era, this era's key) when `path` is a renamed field's other-era spelling."""
    for names in eras.FIELDS.values():
        for other, other_path in names.items():
            if other != era and other_path == path and names[era][:-1] == path[:-1]:
                return other, names[era][-1]
    return None


def _misspelled(ctx: Ctx, path: PathT, what: str, near: list[str], taken: Any) -> None:
    """CK105: the key resembles `near`; the hint renames it (what --fix applies) when exactly one
    known key is that close and the mapping does not already have it."""
    key = path[-1]
    resembles = " or ".join(repr(n) for n in near)
    message = f"{fmt_path(path)}: {what} {short(key)} is not a known key: it resembles {resembles}, so the setting you meant is ignored"
    if len(near) == 1 and path[0] == "variables":
        hint = f"rename it to {near[0]!r} here, in every run's parameters and in the run names"
    elif len(near) == 1 and near[0] not in taken:
        hint = f"rename the key to {near[0]!r}"
    elif len(near) == 1:
        hint = f"{near[0]!r} is set too: keep the right one and delete {key!r}"
    else:
        hint = f"did you mean {resembles}? rename the key"
    ctx.add("CK105", path, message, hint, at_key=True)


def _check_unknown_in_list(ctx: Ctx, items: list[Any], model: schema_shape.Schema, path: PathT) -> None:
    known, subs = schema_shape.shape(model)
    nested = [(n, schema_shape.shape(s)[0]) for n, (k, s) in subs.items() if k == "model"]
    deep = any(k == "list" for k, _ in subs.values())
    for i, item in enumerate(items):
        # Fast path for the thousands of well-formed runs and matrix entries.
        if not deep and isinstance(item, dict) and item.keys() <= known:
            for n, f in nested:
                v = item.get(n)
                if isinstance(v, dict) and not v.keys() <= f:
                    break
            else:
                continue
        _check_unknown_fields(ctx, item, model, path + (i,))


def _check_variable_names(ctx: Ctx, variables: dict[Any, Any]) -> None:
    for key in variables:
        if key in KNOWN_PARAMETERS or not isinstance(key, str):  # non-string keys: the schema's finding
            continue
        near = closest(key, KNOWN_PARAMETERS)
        if near:
            # Renamed by hand: the runs' parameters and names carry the misspelling too (CK222).
            _misspelled(ctx, ("variables", key), "unknown hyperparameter", near_misses(key, KNOWN_PARAMETERS) or [near], taken=())
            continue
        ctx.add("CK103", ("variables", key), f"variables.{key}: unknown hyperparameter {short(key)}",
                "unknown names are passed to the recipe as they are; check the spelling", at_key=True)
