"""The shared vocabulary of ck-design: what a design is, with no I/O (see docs/design.md).

params (the parameter table), naming (conventions), sweep (runs, matrix, epochs, steps),
scorers, model_registry, schema (pydantic), logformat (design-experiment.log entries).
"""
