"""Source text -> compiled Formula: lark (LALR) parses, then a small builder checks limits and functions."""

import math
from functools import cache
from importlib import resources

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from casework.i18n import Message, _
from casework.workflow.formula.evaluator import Formula
from casework.workflow.formula.functions import FUNCTIONS
from casework.workflow.formula.nodes import (
    MAX_DEPTH,
    MAX_SOURCE_LENGTH,
    Access,
    Array,
    Call,
    Chain,
    FormulaError,
    FormulaSyntaxError,
    Literal,
    Logic,
    Node,
    Unary,
    Var,
)
from casework.workflow.formula.values import LARGEST_NUMBER

_OPERATORS = {"EQ", "NE", "LE", "GE", "LT", "GT", "AMP", "PLUS", "MINUS", "STAR", "SLASH", "AND", "OR"}
_PUNCTUATION = {"RPAR": "')'", "RSQB": "']'", "COMMA": "','"}
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'", "/": "/", "0": "\0"}


@cache
def _lark() -> Lark:
    grammar = resources.files(__package__).joinpath("grammar.lark").read_text(encoding="utf-8")
    return Lark(grammar, parser="lalr", lexer="contextual", propagate_positions=True, maybe_placeholders=False)


def parse(source: str) -> Formula:
    """Compile a formula once; the result is immutable and can be evaluated many times."""
    if not isinstance(source, str):
        raise FormulaError(_("a formula must be a string, got {kind}", kind=type(source).__name__))
    if len(source) > MAX_SOURCE_LENGTH:
        message = _("the formula is longer than {limit} characters", limit=MAX_SOURCE_LENGTH)
        raise _error(source, MAX_SOURCE_LENGTH, message)
    if source.strip() in ("", "="):
        raise _error(source, len(source), _("the formula is empty"))
    try:
        tree = _lark().parse(source)
    except UnexpectedInput as exc:
        raise _syntax_error(source, exc) from None
    _check_depth(tree)
    return Formula(source, _Builder(source).build(_subtree(tree.children[-1])))


def _position(source: str, index: int) -> tuple[int, int]:
    line = source.count("\n", 0, index) + 1
    return line, index - (source.rfind("\n", 0, index) + 1) + 1


def _error(source: str, index: int, message: Message) -> FormulaSyntaxError:
    return FormulaSyntaxError(message, *_position(source, index))


def _subtree(child: Token | Tree[Token]) -> Tree[Token]:
    """A child the grammar makes a rule (lark types every child as a token or a subtree)."""
    assert isinstance(child, Tree)
    return child


def _token(child: Token | Tree[Token]) -> Token:
    """A child the grammar makes a terminal."""
    assert isinstance(child, Token)
    return child


def _line_column(token: Token) -> tuple[int, int]:
    # lark types positions optional (a token built by hand has none); the lexer always sets them.
    assert token.line is not None and token.column is not None
    return token.line, token.column


def _syntax_error(source: str, exc: UnexpectedInput) -> FormulaSyntaxError:
    if isinstance(exc, UnexpectedCharacters):
        # lark declares pos_in_stream None on the base class; the lexer sets it to an int.
        index: int = exc.pos_in_stream  # type: ignore[assignment]
        char = source[index]
        message = _("unterminated string") if char in "\"'" else _("unexpected character {char}", char=repr(char))
        return _error(source, index, message)
    if isinstance(exc, UnexpectedToken) and exc.token.type != "$END":
        token = exc.token
        expected = _expected(_accepts(exc))
        if expected is None:
            message = _("unexpected {token}", token=repr(token.value))
        else:
            message = _("unexpected {token}; expected {expected}", token=repr(token.value), expected=expected)
        return FormulaSyntaxError(message, *_line_column(token))
    # End of input: lark borrows the last token's position, so point just past that token.
    token = getattr(exc, "token", None)
    index = token.end_pos if isinstance(token, Token) and token.end_pos is not None else len(source.rstrip())
    expected = _expected(_accepts(exc) if isinstance(exc, UnexpectedToken) else getattr(exc, "expected", set()))
    if expected is None:
        return _error(source, index, _("unexpected end of formula"))
    return _error(source, index, _("unexpected end of formula; expected {expected}", expected=expected))


def _accepts(exc: UnexpectedToken) -> set[str]:
    # LALR state merging makes exc.expected too broad; accepts replays the parser for the exact set.
    return set(exc.accepts or exc.expected)


def _expected(expected: set[str]) -> str | None:
    """What the parser would have taken instead, in words; None when that says nothing useful."""
    # Any place a value may start accepts NUMBER; MINUS alone is ambiguous (it is also binary).
    if "NUMBER" in expected:
        return _("a value")
    names: list[str] = sorted(_PUNCTUATION[name] for name in expected if name in _PUNCTUATION)
    if "NAME" in expected:
        names.append(_("a name"))
    if expected & _OPERATORS:
        names.append(_("an operator"))
    if not names:
        return None
    words = names[0]
    for name in names[1:]:
        words = _("{first} or {second}", first=words, second=name)
    return words


def _check_depth(tree: Tree[Token]) -> None:
    # Iterative, so a pathological input cannot hit Python's recursion limit before we refuse it.
    stack = [(child, 1) for child in tree.children if isinstance(child, Tree)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            message = _("the formula is nested too deeply (more than {limit} levels)", limit=MAX_DEPTH)
            raise FormulaSyntaxError(message, node.meta.line, node.meta.column)
        stack.extend((child, depth + 1) for child in node.children if isinstance(child, Tree))


class _Builder:
    """lark tree -> nodes.Node; recursion is safe here because depth was checked first."""

    def __init__(self, source: str) -> None:
        self.source = source

    def build(self, tree: Tree[Token]) -> Node:
        kind, children = tree.data, tree.children
        operands = [self.build(child) for child in children if isinstance(child, Tree)]
        if kind in ("or_expr", "and_expr"):
            return Logic("OR" if kind == "or_expr" else "AND", tuple(operands))
        if kind in ("cmp_expr", "concat_expr", "add_expr", "mul_expr"):
            ops = ["!=" if tok.value == "<>" else tok.value for tok in children if isinstance(tok, Token)]
            return Chain(operands[0], tuple(zip(ops, operands[1:], strict=True)))
        if kind == "neg":
            return Unary("-", operands[0])
        if kind == "not_":
            return Unary("NOT", operands[0])
        if kind == "not_call":
            return self._call(_token(children[0]).update(value="NOT"), tuple(operands))
        if kind == "postfix":
            steps = [str(child) if isinstance(child, Token) else self.build(child) for child in children[1:]]
            return Access(operands[0], tuple(steps))
        if kind == "var":
            return Var(str(children[0]))
        if kind == "array":
            return Array(tuple(operands))
        if kind == "call":
            return self._call(_token(children[0]), tuple(operands))
        if kind == "literal":
            return Literal(self._literal(_token(children[0])))
        raise AssertionError(f"unhandled grammar rule {kind}")  # a grammar change without a builder change

    def _call(self, name: Token, args: tuple[Node, ...]) -> Call:
        function = FUNCTIONS.get(name.value.upper())
        if function is None:
            raise FormulaSyntaxError(_("unknown function {name}", name=name.value), *_line_column(name))
        if not function.min_args <= len(args) <= function.max_args:
            upper, given = name.value.upper(), len(args)
            if function.min_args == function.max_args:
                message = _(
                    "{function} takes {count} argument(s), got {given}",
                    function=upper,
                    count=function.min_args,
                    given=given,
                )
            else:
                message = _(
                    "{function} takes {low} to {high} argument(s), got {given}",
                    function=upper,
                    low=function.min_args,
                    high=function.max_args,
                    given=given,
                )
            raise FormulaSyntaxError(message, *_line_column(name))
        return Call(name.value.upper(), args)

    def _literal(self, token: Token) -> object:
        if token.type == "NUMBER":
            number = int(token.value) if token.value.isdigit() else float(token.value)
            if number > LARGEST_NUMBER or not math.isfinite(number):
                message = _("number out of range: {number}", number=token.value)
                raise FormulaSyntaxError(message, *_line_column(token))
            return number
        if token.type in ("DQ_STRING", "SQ_STRING"):
            return self._string(token)
        keyword = token.value.upper()
        return {"TRUE": True, "FALSE": False, "NULL": None}[keyword]

    def _string(self, token: Token) -> str:
        body, out, i = token.value[1:-1], [], 0
        while i < len(body):
            char = body[i]
            if char != "\\":
                out.append(char)
                i += 1
                continue
            code = body[i + 1]  # the grammar guarantees a character after every backslash
            if code in _ESCAPES:
                out.append(_ESCAPES[code])
                i += 2
            elif code == "u" and len(body) >= i + 6 and _is_hex(body[i + 2 : i + 6]):
                out.append(chr(int(body[i + 2 : i + 6], 16)))
                i += 6
            else:
                assert token.start_pos is not None
                index = token.start_pos + 1 + i
                raise _error(self.source, index, _("invalid escape sequence {escape}", escape="\\" + code))
        return "".join(out)


def _is_hex(text: str) -> bool:
    return all(c in "0123456789abcdefABCDEF" for c in text)
