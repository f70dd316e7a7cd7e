"""The YAML loader: YAML 1.2 numbers, duplicate keys, merge keys, safety limits, line/column."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from ck_design.spec import sweep
from ck_design.facts import loader
from ck_design.facts.loader import LoadError, load_file, loads

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "experiment_summary.yaml"


def load_error(text: str | bytes) -> LoadError:
    with pytest.raises(LoadError) as info:
        loads(text, "t.yaml")
    return info.value


# --- numbers: YAML 1.2 as torchtune's OmegaConf reads them ------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1e-5", 1e-05),
        ("1E-5", 1e-05),
        ("5e3", 5000.0),
        ("-2e+2", -200.0),
        ("1.0e-05", 1e-05),
        ("0.0001", 0.0001),
        ("3.", 3.0),
        (".5", 0.5),
        ("1_000.5", 1000.5),
    ],
)
def test_exponent_floats_are_floats(text: str, expected: float) -> None:
    value = loads(f"lr: {text}\n").data["lr"]
    assert type(value) is float
    assert value == expected


def test_special_floats_and_ints_keep_yaml_meaning() -> None:
    data = loads("a: .inf\nb: -.inf\nc: .nan\nd: 42\ne: 0x1f\nf: 1_000\ng: -7\nh: 0\n").data
    assert data["a"] == math.inf and data["b"] == -math.inf and math.isnan(data["c"])
    assert (data["d"], data["e"], data["f"], data["g"], data["h"]) == (42, 31, 1000, -7, 0)
    assert type(data["d"]) is int


def test_strings_that_only_look_like_other_types_stay_strings() -> None:
    data = loads("date: 2026-11-25\nq: '1e-5'\nv: 1.2.3\nn: e5\nname: Llama-3.2-1B\n").data
    assert data == {"date": "2026-11-25", "q": "1e-5", "v": "1.2.3", "n": "e5", "name": "Llama-3.2-1B"}


def test_yaml11_boolean_words_are_recorded_by_path() -> None:
    doc = loads("runs:\n  - name: yes\n    tag: 'no'\n    flag: true\n  - name: Off\nother: on\n")
    assert doc.data["runs"][0]["name"] is True
    assert doc.data["runs"][0]["tag"] == "no"
    assert doc.yaml11_bools == {("runs", 0, "name"), ("runs", 1, "name"), ("other",)}


def test_yaml11_booleans_reached_through_an_alias_are_recorded_at_both_paths() -> None:
    doc = loads("a: &x {label: yes}\nb: *x\n")
    assert doc.yaml11_bools == {("a", "label"), ("b", "label")}


# --- duplicate keys ---------------------------------------------------------------------------


def test_duplicate_key_is_ck002_at_the_second_key() -> None:
    err = load_error("experiment:\n  name: a\n  type: experiment\n  name: b\n")
    assert (err.code, err.line, err.column) == ("CK002", 4, 3)
    assert "'name'" in err.message and "line 2" in err.message


@pytest.mark.parametrize(
    ("first", "second"),
    [("yes", "true"), ("on", "yes"), ("Off", "no"), ("1", "1.0")],
)
def test_keys_that_collide_after_resolution_are_duplicates(first: str, second: str) -> None:
    err = load_error(f"{first}: 1\n{second}: 2\n")
    assert (err.code, err.line) == ("CK002", 2)
    assert repr(first) in err.message and repr(second) in err.message


def test_quoted_yes_and_plain_yes_are_different_keys() -> None:
    assert loads("'yes': 1\nyes: 2\n").data == {"yes": 1, True: 2}


def test_merge_keys_work_and_explicit_keys_override_them() -> None:
    doc = loads(
        "defaults: &d {lr: 1e-4, lora_rank: 4, epochs: 2}\n"
        "more: &m {lora_rank: 16, packing: true}\n"
        "run:\n"
        "  <<: [*d, *m]\n"
        "  lora_rank: 8\n"
    )
    # Explicit beats merged; among merged mappings the earlier one wins (YAML merge spec).
    assert doc.data["run"] == {"lora_rank": 8, "lr": 1e-4, "epochs": 2, "packing": True}
    assert doc.data["defaults"] == {"lr": 1e-4, "lora_rank": 4, "epochs": 2}


def test_merge_key_is_not_a_duplicate_of_explicit_keys() -> None:
    doc = loads("a: &a {x: 1}\nb:\n  <<: *a\n  x: 2\n")
    assert doc.data["b"] == {"x": 2}


def test_merge_of_a_scalar_is_refused() -> None:
    err = load_error("a: &a 1\nb:\n  <<: *a\n")
    assert err.code == "CK001" and err.line == 1


# --- safety ------------------------------------------------------------------------------------


def test_python_tags_are_refused_without_constructing_anything() -> None:
    err = load_error("experiment: !!python/object/apply:os.system ['echo pwned']\n")
    assert (err.code, err.line, err.column) == ("CK001", 1, 13)
    assert "python/object/apply:os.system" in err.message


@pytest.mark.parametrize("text", ["a: !custom 1\n", "a: !!binary aGVsbG8=\n", "a: !!set {x}\n", "a: !!omap [x: 1]\n"])
def test_tags_outside_the_core_schema_are_refused(text: str) -> None:
    assert load_error(text).code == "CK001"


def test_bad_explicit_scalar_tag_is_a_finding_not_a_crash() -> None:
    err = load_error("epochs: !!int two\n")
    assert err.code == "CK001" and "'two'" in err.message


def test_alias_bomb_is_refused_quickly() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    err = load_error("\n".join(lines) + "\n")
    assert err.code == "CK003" and "alias bomb" in err.message


def test_merge_chain_is_refused_quickly() -> None:
    # Each mapping merges the previous one: quadratic work if built naively.
    lines = ["m0: &m0 {k0: 0}"] + [f"m{i}: &m{i} {{<<: *m{i - 1}, k{i}: {i}}}" for i in range(1, 20_000)]
    err = load_error("\n".join(lines) + "\n")
    assert err.code == "CK003" and "alias bomb" in err.message


def test_big_design_reusing_a_merged_block_everywhere_is_fine() -> None:
    entries = "".join(f"  - {{<<: *entry, run: r{i}}}\n" for i in range(20_000))
    text = "defaults: &entry {tasks: [a, b, c, d, e], epochs: [0, 1, 2], vis_label: x}\nmatrix:\n" + entries
    doc = loads(text)
    assert len(doc.data["matrix"]) == 20_000
    assert doc.data["matrix"][-1] == {"run": "r19999", "tasks": ["a", "b", "c", "d", "e"], "epochs": [0, 1, 2],
                                      "vis_label": "x"}


def test_modest_aliases_are_fine() -> None:
    doc = loads("p: &p {lr: 1e-4}\nruns:\n" + "".join(f"  - {{name: r{i}, params: *p}}\n" for i in range(200)))
    assert len(doc.data["runs"]) == 200 and doc.data["runs"][199]["params"] == {"lr": 1e-4}


@pytest.mark.parametrize("text", ["a: &a [*a]\n", "a: &a {b: *a}\n", "a: &a {<<: *a}\n"])
def test_recursive_alias_is_refused(text: str) -> None:
    err = load_error(text)
    assert err.code == "CK001" and "recursive" in err.message


@pytest.mark.parametrize("depth", [150, 990, 5000])
def test_deep_nesting_is_refused(depth: int) -> None:
    err = load_error("a: " + "[" * depth + "]" * depth + "\n")
    assert err.code == "CK003" and "nests deeper" in err.message


def test_deep_block_nesting_is_refused() -> None:
    err = load_error("".join(" " * i + f"k{i}:\n" for i in range(200)) + " " * 200 + "v: 1\n")
    assert err.code == "CK003"


def test_not_utf8_is_ck003_with_the_byte_position() -> None:
    err = load_error("experiment:\n  question: caf\xe9\n".encode("latin-1"))
    assert (err.code, err.line, err.column) == ("CK003", 2, 16)
    assert "0xe9" in err.message


def test_utf8_bom_is_accepted() -> None:
    assert loads("\ufeffa: 1\n".encode()).data == {"a": 1}


def test_too_large_file_is_refused_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "experiment_summary.yaml"
    with open(big, "wb") as fh:
        fh.truncate(loader.MAX_BYTES + 1)
    with pytest.raises(LoadError) as info:
        load_file(big)
    assert info.value.code == "CK003" and "10 MB" in info.value.message


@pytest.mark.parametrize(
    ("text", "code", "line"),
    [
        ("", "CK003", 1),
        ("# just a comment\n", "CK003", 1),
        ("- a\n- b\n", "CK003", 1),
        ("just a string\n", "CK003", 1),
        ("a: [1, 2\n", "CK001", 2),
        ("a: 1\n---\nb: 2\n", "CK001", 2),
        ("a:\n\tb: 1\n", "CK001", 2),
        ("a: \x07\n", "CK003", 1),
        ("a: 1\x00\n", "CK003", 1),
    ],
)
def test_unusable_documents(text: str, code: str, line: int) -> None:
    err = load_error(text)
    assert (err.code, err.line) == (code, line)


def test_tab_gets_a_hint() -> None:
    err = load_error("experiment:\n\tname: x\n")
    assert "tab" in err.message and err.hint and "spaces" in err.hint


# --- line/column -------------------------------------------------------------------------------


def _position_of(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    index = -1
    for _ in range(nth + 1):
        index = text.index(needle, index + 1)
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def test_locate_points_at_values_and_keys_in_the_example() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    doc = loads(text, str(EXAMPLE))
    assert doc.locate(("runs", 2, "name")) == _position_of(text, "Llama-3.2-1B-Instruct_rank8_lr1e-05")
    key_line, key_col = _position_of(text, "epochs: 2")
    assert doc.locate(("controls", "epochs")) == (key_line, key_col + len("epochs: "))
    assert doc.locate_key(("controls", "epochs")) == (key_line, key_col)
    # A missing value is reported at the key of its nearest existing parent.
    assert doc.locate(("runs", 0, "parameters", "packing")) == _position_of(text, "parameters:")
    # A list item is located at the item itself.
    line, _ = doc.locate(("evaluation", "matrix", 9))
    assert text.splitlines()[line - 1].strip() == "- run: Llama-3.2-3B-Instruct_base"


def test_locate_follows_merge_keys() -> None:
    text = "d: &d {lr: 1e-4}\nrun:\n  <<: *d\n  rank: 8\n"
    doc = loads(text)
    assert doc.locate(("run", "lr")) == (1, 12)
    assert doc.locate(("run", "rank")) == (4, 9)


# --- equivalence -------------------------------------------------------------------------------


def test_generated_design_loads_like_safe_load() -> None:
    runs = sweep.generate_runs(["Llama-3.2-1B-Instruct", "Qwen2.5-3B"], {"lora_rank": [4, 8], "lr": [1e-5, 1e-4]})
    data = {"runs": runs, "matrix": sweep.build_matrix(runs, ["t1", "t2"], eval_epochs="all", epochs=3)}
    text = yaml.safe_dump(data, sort_keys=False)
    assert loads(text).data == yaml.safe_load(text) == data


_keys = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8)
_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="0123456789+-.eE"),
            max_size=20),
)
_values = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_keys, inner, max_size=4),
                       max_leaves=20)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(_keys, _values, min_size=1, max_size=5))
def test_round_trip_of_dumped_data(data: dict) -> None:
    assert loads(yaml.safe_dump(data, allow_unicode=True)).data == data
