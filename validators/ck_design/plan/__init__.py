"""The plan in an experiment's README.md, generated from experiment_summary.yaml (docs/design.md).

`markdown.plan_sections(design)` lays the design out as markdown (every user string escaped for
where it lands); the template's README.md.jinja calls it on the design built from the answers,
and `ck-plan` (`sync.py`, a rendered pre-commit hook) regenerates it from the design file after
hand edits, between the PLAN_BEGIN/PLAN_END markers.
"""
