"""Compatibility: the Jinja extension's path in templates rendered before ck-design 0.2.

`copier update` renders the experiment's OLD template version too (to compute the 3-way
merge), and that version's copier.yml names `ck_design.jinja_ext.WizardExtension`. Keep this
import working for as long as such experiments exist (tests/test_upgrade.py).
"""

from .wizard.jinja_ext import WizardExtension

__all__ = ["WizardExtension"]
