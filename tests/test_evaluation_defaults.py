"""The wizard's "Keep the default evaluation settings?" help (wizard/defaults.py)."""

from __future__ import annotations


def test_the_evaluation_defaults_show_this_designs_plot_labels() -> None:
    """"Keep the default evaluation settings?" lists short plot labels as they will be, not a
    rank sweep's (`rank4, 1B_rank4`) for a learning-rate sweep of two models."""
    from ck_design.wizard.defaults import evaluation_defaults

    text = evaluation_defaults(["match"], {"lr": [1e-5, 1e-4, 1e-3]}, ["Llama-3.2-1B-Instruct", "tiny-gpt-local"])
    assert "short plot labels (1B_lr1e-5, tiny-gpt-local_lr1e-5)" in text, text
    assert "short plot labels (rank4)" in evaluation_defaults(["match"], {"lora_rank": [4, 8]}, ["Llama-3.2-1B-Instruct"])
    assert "short plot labels (rank4, 1B_rank4)" in evaluation_defaults(["match"])  # an older copier.yml's call
