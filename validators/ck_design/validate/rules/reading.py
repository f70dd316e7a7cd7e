"""CK001-CK003: reading the file. The loader (facts/loader.py, `LoadError`) emits them: a file
that cannot be read as a design is refused before any rule runs. CK004, the last reading rule,
is found on the loaded data (rules/schema.py)."""

from __future__ import annotations

from . import E, READ, rule

DOCS = [
    rule(
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
    rule(
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
    rule(
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
]
