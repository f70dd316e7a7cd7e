"""A refused answer, said in full: one line, not a traceback, when copier refuses an answer given
with --data / --data-file; the whole message, wrapped, when it refuses one typed at the terminal.
And a yes/no question that waits for Enter (see _confirm_takes_enter).

copier validates `--data` answers (and, with `--defaults`, looks for a default) before it asks
anything, and raises a plain ValueError there that its command line does not catch: the user
gets fifty lines of traceback ending in "Validation error for question 'epochs': ...". copier
offers a template no setting for this, so the wizard's Jinja extension installs this excepthook
in copier's own command-line process (never when copier is used as a library: a program calling
`run_copy` gets the ValueError, as copier documents). It handles exactly the errors raised while
copier reads the answers (its `_ask`), names the question, the value and the rule, and leaves
every other exception to the previous hook. CK_DEBUG=1 shows the traceback (docs/security.md).
"""

from __future__ import annotations

import os
import re
import sys
import textwrap
from types import TracebackType
from typing import Any

# copier's own wording (copier/_user_data.py, copier/_main.py, 9.19), stripped to the reason.
_PREFIXES = (
    re.compile(r"^Validation error for question '[^']*': "),
    re.compile(r"^Invalid choice for '[^']*': "),
)
_REQUIRED = re.compile(r'^Question "([^"]+)" is required$')


def _ask_frame(tb: TracebackType | None) -> Any:
    """The frame of copier's Worker._ask the exception passed through, or None."""
    found = None
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_name == "_ask" and "copier" in code.co_filename:
            found = tb.tb_frame
        tb = tb.tb_next
    return found


def _given(frame: Any, name: str) -> tuple[bool, Any]:
    """The value given for `name` with --data/--data-file, read from copier's answers map."""
    try:
        init = frame.f_locals["self"].answers.init
        return (True, init[name]) if name in init else (False, None)
    except Exception:  # noqa: BLE001 - copier internals moved: say less, never crash here
        return False, None


# Python's own wording for a value copier could not cast to the question's type.
_CAST = (
    (re.compile(r"^invalid literal for int\(\) with base 10: "), "takes a whole number"),
    (re.compile(r"^could not convert string to float: "), "takes a number"),
)


def _short(value: Any, limit: int = 60) -> str:
    """The value as typed (a --data string as is; anything else, or unprintable text, as repr)."""
    text = value if isinstance(value, str) and value.isprintable() and value.strip() == value and value else repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _asked(frame: Any) -> str:
    """The question as the wizard asks it (its rendered help, on one line), where copier has it."""
    try:
        help_text = " ".join(str(frame.f_locals["question"].get_message()).split())
    except Exception:  # noqa: BLE001 - copier internals moved: the name alone
        return ""
    return f". The question: {help_text}" if help_text else ""


def message(exc: BaseException, tb: TracebackType | None) -> str | None:
    """The one line for an answer copier refused, or None when `exc` is not one."""
    if not isinstance(exc, ValueError):
        return None
    frame = _ask_frame(tb)
    if frame is None:
        return None
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if m := _REQUIRED.match(text):
        name = m.group(1)
        return (f"ck-design: '{name}' has no answer and no default: give it with --data {name}=VALUE "
                f"(or in --data-file), or leave out --defaults to be asked{_asked(frame)}")
    name = str(frame.f_locals.get("var_name", "?"))
    for prefix in _PREFIXES:
        text = prefix.sub("", text)
    for pattern, plain in _CAST:
        if pattern.match(text):
            text = f"{name} {plain}"
    given, value = _given(frame, name)
    if given:
        return (f"ck-design: --data {name}={_short(value)} is refused: {text}. Correct it in --data/--data-file "
                "(or leave it out to be asked); nothing was written")
    # a default (claude.local.md, the template) or a previous answer: say what to give instead
    if _with_defaults(frame):
        return (f"ck-design: the answer to '{name}' is refused: {text}. Give one with --data {name}=VALUE "
                "(or leave out --defaults to be asked); nothing was written")
    # asked at the terminal: copier refused a default before showing the question (a template bug)
    return (f"ck-design: the default of '{name}' is refused: {text}. Give '{name}' with --data {name}=VALUE "
            "and run copier again; nothing was written (please report this: every default must pass its check)")


def _with_defaults(frame: Any) -> bool:
    """Whether copier runs with --defaults (it then takes defaults instead of asking)."""
    try:
        return bool(frame.f_locals["self"].defaults)
    except Exception:  # noqa: BLE001 - copier internals moved: assume the documented flag
        return True


def _hook(previous: Any) -> Any:
    def excepthook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        line = None if os.environ.get("CK_DEBUG") else message(exc, tb)
        if line is None:
            previous(kind, exc, tb)
            return
        from ..terminal import wrap

        print(wrap(line), file=sys.stderr)

    excepthook.ck_design = True  # type: ignore[attr-defined]
    return excepthook


def _wrap_validation_errors() -> None:
    """Show a refused answer's whole message under the question, wrapped to the terminal.

    prompt_toolkit's ValidationToolbar is one row high (`Window(height=1)`): at 80 columns,
    after copier's "Validation error for question 'eval_matrix': " prefix, a message is cut
    after about 35 characters, the value and the fix lost (docs/wizard.md, "At the terminal").
    The same toolbar, in a window as high as its wrapped text. Left as it is if prompt_toolkit
    changed (the message is then cut, never wrong)."""
    try:
        from prompt_toolkit.application import get_app
        from prompt_toolkit.filters import has_validation_error
        from prompt_toolkit.layout import ConditionalContainer, FormattedTextControl, Window
        from prompt_toolkit.widgets import toolbars
    except ImportError:
        return
    original = toolbars.ValidationToolbar.__init__
    if getattr(original, "ck_design", False):
        return

    def __init__(self: Any, show_position: bool = False) -> None:
        original(self, show_position)
        control = getattr(self, "control", None)
        if control is None:
            return
        text_of = control.text

        def wrapped() -> Any:
            fragments = text_of() if callable(text_of) else text_of
            if not fragments:
                return fragments
            width = max(20, get_app().output.get_size().columns - 1)
            text = "".join(f[1] for f in fragments)
            return [(fragments[0][0], textwrap.fill(text, width, subsequent_indent="  "))]

        self.control = FormattedTextControl(wrapped)
        self.container = ConditionalContainer(content=Window(self.control, wrap_lines=True),
                                              filter=has_validation_error)

    __init__.ck_design = True  # type: ignore[attr-defined]
    toolbars.ValidationToolbar.__init__ = __init__  # type: ignore[method-assign]


def _confirm_takes_enter() -> None:
    """A yes/no question takes y or n, then Enter.

    questionary's confirm prompt answers on the key `y` alone (auto_enter): a person who types
    `y` and Enter out of habit answers the NEXT question with its default by that Enter. With
    auto_enter off, y/n set the answer (shown, and changeable with Backspace) and Enter accepts
    it; Enter alone takes the default, as before. Left as it is if questionary changed."""
    try:
        import functools

        from questionary import prompts
    except ImportError:
        return
    confirm = prompts.AVAILABLE_PROMPTS.get("confirm")
    if confirm is None or getattr(confirm, "ck_design", False):
        return

    @functools.wraps(confirm)
    def confirm_with_enter(*args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("auto_enter", False)
        return confirm(*args, **kwargs)

    confirm_with_enter.ck_design = True  # type: ignore[attr-defined]
    prompts.AVAILABLE_PROMPTS["confirm"] = confirm_with_enter


def install() -> None:
    """Install all three, once, in copier's command-line process only."""
    main = sys.modules.get("__main__")
    if getattr(main, "CopierApp", None) is None or getattr(sys.excepthook, "ck_design", False):
        return
    sys.excepthook = _hook(sys.excepthook)
    _wrap_validation_errors()
    _confirm_takes_enter()
