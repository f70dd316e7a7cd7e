"""Every user string round-trips exactly: whatever text goes into question, hypothesis,
system_prompt and prompt comes back identical from the rendered experiment_summary.yaml, read by
ck_design.facts.loader (what ck-validate reads) and by PyYAML (what most tools read)."""

from __future__ import annotations

import math

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from wizard_fixtures import base_answers, load_design, make_resources, render_api

from ck_design.facts.loader import loads
from ck_design.facts.yamlwriter import yaml_flow_list, yaml_scalar

# Any unicode text but lone surrogates (they cannot be written as UTF-8 at all).
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)
TRICKY = ["null", "no", "Yes", "~", "", " lead", "trail ", "a: b", "x #y", "'q'", '"dq"', "{{ x }}",
          "{% if %}", "1e-5", "0o17", "2026-11-25", "- item", "[a, b]", "@at", "`tick`", "line\nbreak",
          "\r\n", "tab\there", "\x00\x07\x1b", "\u2028\x85", "émoji 🎉", "%", "&anchor", "*alias", "!tag",
          "? key", "|", ">", "\ufeffbom", "...", "---", "#", "0x1F", ".inf", "1_000", "+1", "0"]


def reload_both(text: str):
    doc = f"k: {text}\nl: [{text}]\n"
    return loads(doc).data, yaml.safe_load(doc)


@settings(max_examples=1500, deadline=None)
@given(TEXT)
@example("null")
@example("no")
@example(" \n ")
@example("/path/\n")
@example("name\n")
def test_yaml_scalar_round_trips_any_string(s):
    out = yaml_scalar(s)
    assert "\n" not in out  # one line: the block layout stays one item per line
    ours, pyyaml = reload_both(out)
    assert ours == {"k": s, "l": [s]} and pyyaml == {"k": s, "l": [s]}


def test_tricky_strings():
    for s in TRICKY:
        ours, pyyaml = reload_both(yaml_scalar(s))
        assert ours["k"] == s and pyyaml["k"] == s and ours["l"] == [s], s


@given(st.floats(allow_nan=False, allow_infinity=False) | st.integers(-(10**30), 10**30) | st.booleans() | st.none())
def test_numbers_keep_their_type_and_value(v):
    ours, pyyaml = reload_both(yaml_scalar(v))
    for got in (ours["k"], pyyaml["k"]):
        assert type(got) is type(v) and (got == v or (isinstance(v, float) and math.isclose(got, v)))


def test_flow_list_of_strings_and_numbers():
    values = ["0", "1", "a, b", "[x]", 1e-05, 3]
    assert loads(f"v: {yaml_flow_list(values)}\n").data["v"] == values


def _script_safe(text: str) -> str:
    from ck_design.spec.naming import SCRIPT_UNSAFE

    return SCRIPT_UNSAFE.sub("", text)


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(question=TEXT.filter(lambda s: s.strip() != ""), hypothesis=TEXT, system_prompt=TEXT,
       before=TEXT, after=TEXT)
@example(question="a: b # c", hypothesis="null", system_prompt="{{ x }} {% if %}", before=" \"'", after="\n")
@example(question="no", hypothesis=" lead\ttrail ", system_prompt="\u00e9\U0001f389\r\n", before="", after="")
@example(question="../x", hypothesis="a/\x00b", system_prompt="..", before="\x85", after="\u2028")
def test_user_strings_round_trip_through_copier(tmp_path_factory, question, hypothesis, system_prompt, before, after):
    root = tmp_path_factory.mktemp("rt")
    res = make_resources(root / "res")
    prompt = f"{before}{{input}}{after}"
    # Names, paths and the W&B project land in scripts and paths: one line, no control
    # characters (issue 13, docs/security.md); free text keeps every character.
    odd_path = f"{root}/data dir/{_script_safe(hypothesis)}.json"  # an absolute path is recorded exactly as given
    task_name = _script_safe(question) or "task"
    project = _script_safe(before)
    tasks = [{"name": task_name, "script": f"{root}/{_script_safe(system_prompt)}.py", "description": hypothesis}]
    answers = base_answers(res, question=question, hypothesis=hypothesis, purpose=question,
                           system_prompt=system_prompt, prompt=prompt, dataset_path=odd_path, eval_tasks=tasks,
                           wandb_project=project)
    dst = render_api(res, root / "dst", answers)
    d = load_design(dst)
    raw = yaml.safe_load((dst / "experiment_summary.yaml").read_text(encoding="utf-8"))
    for design in (d, raw):
        assert design["experiment"]["question"] == question
        assert design["experiment"]["hypothesis"] == hypothesis
        assert design["experiment"]["purpose"] == question
        assert design["controls"]["system_prompt"] == system_prompt
        assert design["evaluation"]["system_prompt"] == system_prompt
        assert design["controls"]["prompt"] == prompt
        assert design["data"]["training"]["path"] == odd_path
        assert design["evaluation"]["tasks"] == tasks
        assert design["evaluation"]["matrix"][0]["tasks"] == [task_name]
        assert design["output"]["wandb_project"] == project
    stored = yaml.safe_load((dst / ".copier-answers.yml").read_text(encoding="utf-8"))
    assert stored["question"] == question and stored["prompt"] == prompt


# --- The template lays out exactly the design the Python builds (fast: Jinja without copier) ---

from pathlib import Path  # noqa: E402

from jinja2 import FileSystemLoader  # noqa: E402
from jinja2.sandbox import SandboxedEnvironment  # noqa: E402

from ck_design.spec import model_registry  # noqa: E402
from ck_design.spec.scorers import SCORER_NAMES  # noqa: E402
from ck_design.wizard import build  # noqa: E402
from ck_design.wizard.jinja_ext import WizardExtension  # noqa: E402

TEMPLATE = Path(__file__).resolve().parent.parent / "template"
_ENV = SandboxedEnvironment(loader=FileSystemLoader(str(TEMPLATE)), extensions=[WizardExtension],
                            keep_trailing_newline=True)

POSITIVE = st.floats(min_value=1e-12, max_value=1e3, allow_nan=False, allow_infinity=False)
VARIABLES = st.fixed_dictionaries({}, optional={
    "lora_rank": st.lists(st.integers(1, 512), min_size=1, max_size=3, unique=True),
    "lr": st.lists(POSITIVE, min_size=1, max_size=3, unique=True),
    "epochs": st.lists(st.integers(1, 4), min_size=1, max_size=2, unique=True),
    "packing": st.lists(st.booleans(), min_size=1, max_size=2, unique=True),
    "weight_decay": st.lists(st.floats(0, 1, allow_nan=False), min_size=1, max_size=2, unique=True),
})


@settings(max_examples=150, deadline=None)
@given(variables=VARIABLES, models=st.lists(st.sampled_from(sorted(model_registry.MODELS)) | TEXT.filter(bool),
                                            min_size=1, max_size=3, unique=True),
       controls=st.booleans(), eval_epochs=st.sampled_from(["last", "all", "best_val_loss"]),
       scorers=st.lists(st.sampled_from(SCORER_NAMES), min_size=1, unique=True), lr=POSITIVE,
       temperature=st.floats(0, 2, allow_nan=False), style=st.sampled_from(["short", "run_name"]),
       task_names=st.lists(TEXT.filter(bool), min_size=1, max_size=3, unique=True))
def test_template_renders_exactly_the_built_design(variables, models, controls, eval_epochs, scorers, lr,
                                                    temperature, style, task_names):
    answers = {
        "scratch_dir": "/scratch/me", "experiment_type": "experiment", "question": "q",
        "models_dir": "/nonexistent/models", "models": models, "dataset_path": "/nonexistent/d.json",
        "variables": variables, "include_base_controls": controls, "eval_epochs": eval_epochs,
        "scorers": scorers, "lr": lr, "temperature": temperature, "vis_label_style": style,
        "eval_tasks": [{"name": n, "script": f"/t/{n}.py", "description": n} for n in task_names],
        "experiment_name": "exp", "experiment_date": "2026-11-25", "wandb_project": "p",
        "gpu_constraint": "gpu80", "gpu_partition": "",
    }
    text = _ENV.get_template("experiment_summary.yaml.jinja").render(**answers, _copier_conf={"dst_path": "/x"})
    assert loads(text).data == build.build_design(answers)
    assert yaml.safe_load(text) == build.build_design(answers)
    readme = _ENV.get_template("README.md.jinja").render(**answers, _copier_conf={"dst_path": "/x"})
    assert "```mermaid" in readme
