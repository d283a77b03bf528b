"""The mutation operators: which mutants each region of a header yields.

A mutant is a list of edits (first token, last token, new text) inside one
region, the operator's name, and the token it is anchored at (its id's line
and column).
"""
import re
from dataclasses import dataclass

from cxx_tokens import KEYWORDS

RELATIONAL = {"<": "<=", "<=": "<", ">": ">=", ">=": ">"}
EQUALITY = {"==": "!=", "!=": "=="}
ARITHMETIC = {"+": "-", "-": "+", "+=": "-=", "-=": "+="}
ASSIGNMENTS = {"=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<=", ">>="}
INTEGRAL = {"size_t", "ptrdiff_t", "int", "long", "unsigned", "short", "uint8_t", "uint16_t", "uint32_t",
            "uint64_t", "int8_t", "int16_t", "int32_t", "int64_t", "uintptr_t", "intptr_t", "char"}
VALUES = {"this", "true", "false", "nullptr"}


@dataclass
class Mutant:
    op: str
    anchor: int  # token index
    edits: list  # [(first, last, text)], token indices inclusive; first > last inserts before `first`
    region: object = None


def mutants_of(tokens, region):
    skip = set()
    for first, last in region.holes:
        skip.update(range(first, last + 1))
    idx = [k for k in range(region.first, region.last + 1) if k not in skip]
    t = tokens
    text = lambda k: t[k].text if 0 <= k < len(t) else ""
    out = []

    def add(op, anchor, edits):
        out.append(Mutant(op, anchor, edits, region))

    def operand_end(k):  # token k ends an operand: a following + - && is binary
        return (t[k].kind in ("number", "string", "char") or text(k) in (")", "]") or
                (t[k].kind == "ident" and (text(k) not in KEYWORDS or text(k) in VALUES)))

    for k in idx:
        x = text(k)
        if x in RELATIONAL and t[k].match < 0 and not (x in "<>" and text(k - 1) == "operator"):
            add("rel_boundary", k, [(k, k, RELATIONAL[x])])
        elif x in EQUALITY and text(k - 1) != "operator":
            add("eq_neq", k, [(k, k, EQUALITY[x])])
        elif x == "||" or (x == "&&" and operand_end(k - 1)):
            add("and_or", k, [(k, k, "||" if x == "&&" else "&&")])
        elif x in ARITHMETIC and (len(x) == 2 or operand_end(k - 1)) and t[k].match < 0:
            add("arith", k, [(k, k, ARITHMETIC[x])])
        elif t[k].kind == "number" and re.fullmatch(r"(0[xX][0-9a-fA-F']+|\d[\d']*)[uUlLzZ]*", x):
            add("const+1", k, [(k, k, _plus(x, 1))])
            if _value(x) > 0:
                add("const-1", k, [(k, k, _plus(x, -1))])
        elif x in ("min", "max") and text(k - 1) == "::" and text(k - 2) == "std" and text(k + 1) == "(":
            add("min_max", k, [(k, k, "max" if x == "min" else "min")])
        elif t[k].kind == "ident" and "round" in x.lower() and text(k + 1) == "(":
            start = k
            while text(start - 1) == "::" and t[start - 2].kind == "ident":
                start -= 2
            close = t[k + 1].match
            for sign in ("+", "-"):
                add("round" + sign + "1", k, [(start, start - 1, "("), (close + 1, close, f") {sign} 1")])
        elif x == "?":
            start = _condition_start(t, region.first, k)
            add("negate", start, [(start, start - 1, "!("), (k, k - 1, ")")])

    if region.kind == "cond":
        add("negate", region.first, [(region.first, region.first - 1, "!("), (region.last + 1, region.last, ")")])
    elif region.statement == "expr" and _deletable(t, region):
        add("delete", region.first, [(region.first, region.last, ";")])
    elif region.statement == "return":
        alt = _changed_return(t, region)
        if alt is not None:
            add("return", region.first, [(region.first + 1, region.last - 1, alt)])
    return out


def _value(literal):
    digits = re.match(r"(0[xX][0-9a-fA-F']+|\d[\d']*)", literal).group(1).replace("'", "")
    return int(digits, 16) if digits[:2] in ("0x", "0X") else int(digits)


def _plus(literal, delta):
    m = re.match(r"(0[xX][0-9a-fA-F']+|\d[\d']*)(.*)", literal)
    value = _value(literal) + delta
    hexa = m.group(1)[:2] in ("0x", "0X")
    return (hex(value) if hexa else str(value)) + m.group(2)


def _condition_start(t, first, q):
    """The first token of the condition of the `?` at index q."""
    k = q - 1
    while k >= first:
        x = t[k].text
        if x in (")", "]", "}") and t[k].match >= first:
            k = t[k].match - 1
            continue
        if x in ("(", "[", "{", ",", "?", ":", "return") or x in ASSIGNMENTS:
            break
        k -= 1
    return k + 1


def _deletable(t, region):
    """An increment, a decrement, an assignment or a call."""
    first, last = region.first, region.last - 1  # last is before the `;`
    if t[first].text in ("++", "--") or t[last].text in ("++", "--"):
        return True
    k = first
    while k <= last:
        if t[k].text in "([{" and t[k].match > k:
            if t[k].text == "(" and t[k].match == last and k > first:
                return True  # f(...), a.b(...), a->b(...)
            k = t[k].match
        elif t[k].text in ASSIGNMENTS:
            return True
        k += 1
    return False


def _changed_return(t, region):
    """A different value of the function's return type, or None."""
    rt = [x for x in (region.return_type or []) if x not in ("const", "volatile")]
    expr = " ".join(t[k].text for k in range(region.first + 1, region.last))
    if not rt or "&" in rt or "&&" in rt or rt[-1] in ("auto", "void") or "decltype" in rt:
        return None
    if rt == ["bool"]:
        return {"true": "false", "false": "true"}.get(expr, f"!({expr})")
    if rt[-1] == "*":
        return None if expr == "nullptr" else "nullptr"
    if rt[-1] in INTEGRAL or rt[-1].endswith("_t") and rt[-1][:-2] in INTEGRAL:
        return "1" if expr == "0" else "0"
    if "optional" in rt:
        return None if expr == "std :: nullopt" else "std::nullopt"
    return None if expr == "{ }" else "{}"
