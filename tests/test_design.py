"""Run generation, naming, vis labels and the evaluation matrix (ck_design.spec.sweep and spec.naming)."""

from __future__ import annotations

import pytest

from ck_design.spec import naming, sweep

M1, M3 = "Llama-3.2-1B-Instruct", "Llama-3.2-3B-Instruct"


def test_run_names_follow_spec():
    assert naming.run_name(M1, {"lora_rank": 4, "lr": 1e-05}) == f"{M1}_rank4_lr1e-5"
    assert naming.run_name(M1, {"lr": 0.0001}) == f"{M1}_lr1e-4"
    assert naming.run_name(M1, {}) == f"{M1}_ft"
    assert naming.run_name(M1, {"batch_size": 2, "epochs": 3, "gradient_accumulation_steps": 4, "weight_decay": 0.1,
                           "lora_dropout": 0.05, "num_warmup_steps": 10, "max_seq_len": 512, "packing": False}) == (
        f"{M1}_bs2_ep3_ga4_wd0.1_do0.05_wu10_len512_packingFalse")
    assert naming.control_name(M1) == f"{M1}_base"


def test_generate_runs_is_models_times_sweep_in_order_then_controls():
    runs = sweep.generate_runs([M1, M3], {"lora_rank": [4, 8], "lr": [1e-5]}, True, {M1: {"constraint": "gpu80", "partition": ""}})
    assert [r["name"] for r in runs] == [f"{M1}_rank4_lr1e-5", f"{M1}_rank8_lr1e-5", f"{M3}_rank4_lr1e-5",
                                         f"{M3}_rank8_lr1e-5", f"{M1}_base", f"{M3}_base"]
    assert runs[0]["slurm_overrides"] == {"constraint": "gpu80"}  # empty values left out
    assert "slurm_overrides" not in runs[2]
    assert runs[4] == {"name": f"{M1}_base", "type": "control", "model": M1, "parameters": {},
                       "slurm_overrides": {"constraint": "gpu80"}}
    assert len(sweep.generate_runs([M1], {}, False)) == 1


def test_vis_labels():
    runs = sweep.generate_runs([M1, M3], {"lora_rank": [4]}, True)
    assert [sweep.vis_label(r, "short", [M1, M3]) for r in runs] == ["1B_rank4", "3B_rank4", "1B_base", "3B_base"]
    assert [sweep.vis_label(r, "short", [M1]) for r in sweep.generate_runs([M1], {"lora_rank": [4]})] == ["rank4", "base"]
    assert sweep.vis_label(runs[0], "run_name", [M1, M3]) == runs[0]["name"]
    # two models with the same size token fall back to the whole name
    assert sweep.model_prefixes(["Qwen2.5-3B", "Qwen2.5-3B-Instruct"]) == {"Qwen2.5-3B": "Qwen2.5-3B",
                                                                      "Qwen2.5-3B-Instruct": "Qwen2.5-3B-Instruct"}


@pytest.mark.parametrize(("choice", "epochs", "specific", "want"), [
    ("last", 1, None, [0]), ("last", 3, None, [2]), ("all", 3, None, [0, 1, 2]),
    ("specific", 3, [0, 2], [0, 2]), ("best_val_loss", 2, None, "best_val_loss"),
])
def test_epochs_are_zero_indexed(choice, epochs, specific, want):
    assert sweep.epochs_to_evaluate(choice, epochs, specific) == want


def test_matrix_uses_each_runs_own_epochs_and_selective_patterns():
    runs = sweep.generate_runs([M1, M3], {"epochs": [1, 2]}, True)
    m = sweep.build_matrix(runs, ["a", "b"], eval_epochs="all", epochs=1, eval_matrix={"b": ["*3B*"]})
    by = {e["run"]: e for e in m}
    assert by[f"{M1}_ep2"]["epochs"] == [0, 1] and by[f"{M1}_ep1"]["epochs"] == [0]
    assert by[f"{M1}_ep1"]["tasks"] == ["a"] and by[f"{M3}_ep1"]["tasks"] == ["a", "b"]
    assert by[f"{M1}_base"]["epochs"] is None
    assert sweep.total_evaluations(m) == (1 + 2) + (2 + 4) + 1 + 2


def test_directories_and_factor():
    assert naming.experiment_directory("/s/", "sanity_check", "n") == "/s/ck-sanity-checks/n"
    assert naming.experiment_directory("/s", "experiment", "n") == "/s/ck-experiments/n"
    assert naming.output_directory("/s", "n") == "/s/ck-outputs/n"
    assert naming.experiment_factor({"lora_rank": [4], "lr": [1]}) == "lora_rank_lr_comparison"
    assert naming.experiment_factor({}) == "baseline"


def test_counting_evaluations_agrees_with_building_the_matrix():
    """The wizard bounds a design by count_evaluations (no matrix built): it must say exactly
    what the built matrix holds, for every way of choosing checkpoints and tasks."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    values = st.lists(st.integers(1, 4), min_size=1, max_size=3, unique=True)

    @settings(max_examples=150, deadline=None)
    @given(
        models=st.lists(st.sampled_from([M1, M3]), min_size=1, max_size=2, unique=True),
        variables=st.fixed_dictionaries({}, optional={"lora_rank": values, "epochs": values}),
        controls=st.booleans(),
        tasks=st.lists(st.sampled_from(["a", "b", "c"]), min_size=1, max_size=3, unique=True),
        choice=st.sampled_from(sweep.EVAL_EPOCH_CHOICES),
        specific=st.lists(st.integers(0, 3), min_size=1, max_size=3, unique=True),
        matrix=st.none() | st.dictionaries(st.sampled_from(["a", "b", "c"]),
                                           st.lists(st.sampled_from(["*", "*3B*", "*rank2*", "*base", "nothing"]),
                                                    min_size=1, max_size=2), max_size=3),
        epochs=st.integers(1, 4),
    )
    def agree(models, variables, controls, tasks, choice, specific, matrix, epochs):
        runs = sweep.generate_runs(models, variables, controls, eval_only=[{"name": "old", "model": models[0],
                                                                            "checkpoint_path": "/ck/old"}])
        args = {"eval_epochs": choice, "epochs": epochs, "eval_epoch_list": specific, "eval_matrix": matrix}
        built = sweep.total_evaluations(sweep.build_matrix(runs, tasks, **args))
        assert sweep.count_evaluations(runs, tasks, **args) == built

    agree()
