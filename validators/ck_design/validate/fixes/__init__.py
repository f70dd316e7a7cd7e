"""`ck-validate --fix`: the safe fixes (docs/rules.md marks each fixable rule).

plan.py decides, from a finding and the design it is about, which value changes (no YAML
library beyond the loader: it also marks findings `[*]` in plain validation); apply.py makes
the change with ruamel.yaml's round-trip mode, keeping comments and layout; run.py is the
file-level loop (guard against new errors, atomic write, diff).
"""

from .fixers import FIXABLE_CODES

__all__ = ["FIXABLE_CODES"]
