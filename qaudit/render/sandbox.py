"""The Jinja sandbox user templates run in, with limits on what they may build and write.

Jinja's sandbox keeps a template away from Python internals; it does not keep
it from building a value or a page of gigabytes (``'x'|center(300000000)``,
``'%300000000s'|format(1)``, a loop of 100,000 long lines). Here every
operation that can make text much longer than its inputs is measured before it
runs (repetition, concatenation, padding and ``format`` widths, ``replace``,
``indent``, ``wordwrap``, ``join``), and a page is cut off as soon as it grows
past :data:`MAX_PAGE` characters. Each refusal is a ``SecurityError``, which
the report turns into one located ``template`` error.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import update_wrapper
from typing import Any

MAX_VALUE = 1_000_000
"""The longest string (or list) a user template may build in one operation."""
MAX_PAGE = 50_000_000
"""The most characters a user template may write into one page."""

_PERCENT = re.compile(r"%(?:\([^)]*\))?[#0 +\-]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?[a-zA-Z%]")
_NUMBER = re.compile(r"\d+")


def _refuse(message: str) -> Exception:
    from jinja2.exceptions import SecurityError

    return SecurityError(message)


def _check_size(size: int, what: str) -> None:
    if size > MAX_VALUE:
        raise _refuse(f"{what} would make a text of {size:,} characters, more than the {MAX_VALUE:,} allowed")


def _check_width(width: Any, what: str) -> None:
    if isinstance(width, int) and width > MAX_VALUE:
        raise _refuse(f"{what} {width:,} is wider than the {MAX_VALUE:,} characters allowed")


def check_percent(text: Any) -> None:
    """Refuse ``%`` formatting whose widths or precisions would build a huge text."""
    if not isinstance(text, str):
        return
    for found in _PERCENT.finditer(text):
        for part in found.groups():
            if part == "*":
                raise _refuse("a width taken from the values ('*') is not allowed in a template's format")
            if part is not None:
                _check_width(int(part), "the format width")


def check_format_spec(spec: str) -> None:
    """Refuse a ``str.format`` field whose width or precision would build a huge text."""
    for number in _NUMBER.findall(spec):
        _check_width(int(number), "the format width")


def _length(value: Any) -> int:
    return len(value) if isinstance(value, (str, bytes)) else len(str(value))


def check_method(owner: Any, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Refuse a string method call whose result would be huge (``'x'.center(10**9)``, ``.replace``, ``.join``)."""
    if name in ("center", "ljust", "rjust", "zfill") and args:
        _check_width(args[0], f"{name}()")
    elif name == "expandtabs":
        size = args[0] if args else kwargs.get("tabsize", 8)
        if isinstance(size, int):
            tabs = owner.count("\t") if isinstance(owner, str) else owner.count(b"\t")
            _check_size(len(owner) + tabs * size, "expandtabs()")
    elif name == "replace" and len(args) >= 2:
        _check_size(_replaced_size(owner, args[0], args[1], args[2] if len(args) > 2 else -1), "replace()")
    elif name == "join" and args:
        items = args[0]
        if isinstance(items, (list, tuple)):
            _check_size(sum(_length(i) for i in items) + len(owner) * max(len(items) - 1, 0), "join()")
    elif name == "translate" and args and isinstance(args[0], dict):
        longest = max((_length(v) for v in args[0].values() if v is not None), default=1)
        _check_size(len(owner) * max(longest, 1), "translate()")


def _replaced_size(text: Any, old: Any, new: Any, count: Any) -> int:
    if not isinstance(text, (str, bytes)) or not isinstance(old, type(text)) or not isinstance(new, type(text)):
        return 0
    found: int = text.count(old) if old else len(text) + 1  # type: ignore[arg-type]
    if isinstance(count, int) and count >= 0:
        found = min(found, count)
    return len(text) + found * (len(new) - len(old))


class BoundedConcat:
    """``"".join`` over a template's output, refusing a page (or a captured block) past :data:`MAX_PAGE`."""

    def __call__(self, parts: Iterable[str]) -> str:
        kept: list[str] = []
        size = 0
        for part in parts:
            size += len(part)
            if size > MAX_PAGE:
                raise _refuse(f"the page grew past {MAX_PAGE:,} characters; a page of the report is never that long")
            kept.append(part)
        return "".join(kept)


def bounded_sandbox() -> Any:
    """The environment class for user templates: Jinja's immutable sandbox with the limits above."""
    from jinja2 import pass_environment, pass_eval_context
    from jinja2.compiler import CodeGenerator, Frame
    from jinja2.filters import do_center, do_format, do_indent, do_replace, do_wordwrap, sync_do_join
    from jinja2.nodes import Concat
    from jinja2.sandbox import ImmutableSandboxedEnvironment, SandboxedEscapeFormatter, SandboxedFormatter
    from markupsafe import Markup

    class Generator(CodeGenerator):
        """Compiles ``a ~ b`` through the environment, so that repeated concatenation is measured too."""

        def visit_Concat(self, node: Concat, frame: Frame) -> None:
            self.write("environment.checked_concat(")
            super().visit_Concat(node, frame)
            self.write(")")

    class Bounded(SandboxedFormatter):
        def format_field(self, value: Any, format_spec: str) -> Any:
            check_format_spec(format_spec)
            return super().format_field(value, format_spec)

    class BoundedEscape(Bounded, SandboxedEscapeFormatter):
        pass

    def center(value: str, width: int = 80) -> str:
        _check_width(width, "center()")
        return do_center(value, width)

    def format_(value: str, *args: Any, **kwargs: Any) -> str:
        check_percent(value)
        return do_format(value, *args, **kwargs)

    def indent(s: str, width: int | str = 4, first: bool = False, blank: bool = False) -> str:
        each = len(width) if isinstance(width, str) else width if isinstance(width, int) else 0
        _check_size(len(str(s)) + (str(s).count("\n") + 1) * each, "indent()")
        return do_indent(s, width, first, blank)

    @pass_eval_context
    def replace(eval_ctx: Any, s: str, old: str, new: str, count: int | None = None) -> str:
        _check_size(_replaced_size(str(s), str(old), str(new), count), "replace()")
        return do_replace(eval_ctx, s, old, new, count)

    @pass_environment
    def wordwrap(env: Any, s: str, width: int = 79, *args: Any, **kwargs: Any) -> str:
        wrap = kwargs.get("wrapstring") or (args[1] if len(args) > 1 else None) or env.newline_sequence
        lines = len(str(s)) // max(width, 1) + str(s).count("\n") + 1
        _check_size(len(str(s)) + lines * len(str(wrap)), "wordwrap()")
        return do_wordwrap(env, s, width, *args, **kwargs)

    @pass_eval_context
    def join(eval_ctx: Any, value: Iterable[Any], d: str = "", attribute: Any = None) -> str:
        items = list(value)
        if attribute is None:
            _check_size(sum(_length(i) for i in items) + len(str(d)) * max(len(items) - 1, 0), "join()")
        return sync_do_join(eval_ctx, items, d, attribute)

    class BoundedSandbox(ImmutableSandboxedEnvironment):
        """Jinja's sandbox, with no value larger than a page could show (``"x" * 10**9`` is refused)."""

        intercepted_binops = frozenset({"*", "**", "+", "%"})
        code_generator_class = Generator
        concat = BoundedConcat()

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.filters.update(
                center=center, format=format_, indent=indent, replace=replace, wordwrap=wordwrap, join=join
            )

        def checked_concat(self, text: Any) -> Any:
            if isinstance(text, str):
                _check_size(len(text), "joining texts with '~'")
            return text

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            if operator == "**" and isinstance(right, (int, float)) and abs(right) > 64:
                raise _refuse(f"the power {right} is larger than a template needs")
            if operator == "*":
                sized, times = (left, right) if isinstance(left, (str, list, tuple)) else (right, left)
                if isinstance(sized, (str, list, tuple)) and isinstance(times, int) and len(sized) * times > MAX_VALUE:
                    raise _refuse(f"a value of {len(sized) * times:,} characters or entries is too large")
            if operator == "+" and isinstance(left, (str, list, tuple)) and isinstance(right, (str, list, tuple)):
                _check_size(len(left) + len(right), "'+'")
            if operator == "%":
                check_percent(left)
            return super().call_binop(context, operator, left, right)

        def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
            owner = getattr(__obj, "__self__", None)
            if isinstance(owner, (str, bytes)):
                check_method(owner, getattr(__obj, "__name__", ""), args, kwargs)
            return super().call(__context, __obj, *args, **kwargs)

        def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
            wrapped = super().wrap_str_format(value)
            if wrapped is None:
                return None
            owner: Any = value.__self__
            formatter = BoundedEscape(self, escape=owner.escape) if isinstance(owner, Markup) else Bounded(self)
            is_map = value.__name__ == "format_map"

            def bounded(*args: Any, **kwargs: Any) -> str:
                if is_map:
                    if kwargs or len(args) != 1:
                        raise TypeError("format_map() takes exactly one argument")
                    return type(owner)(formatter.vformat(owner, (), args[0]))
                return type(owner)(formatter.vformat(owner, args, kwargs))

            return update_wrapper(bounded, value)

    return BoundedSandbox


__all__ = ["MAX_PAGE", "MAX_VALUE", "bounded_sandbox", "check_format_spec", "check_method", "check_percent"]
