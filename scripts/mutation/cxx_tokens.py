"""A C++ tokenizer good enough to find mutation sites in allocator/ headers.

Comments and preprocessor lines are dropped; every other token keeps its
text and its place (character offsets, line and column) in the file, so that
a mutant can be printed as a diff of the file and its schema can be written
back into a copy of it. Brackets are matched; template angle brackets are
told apart from comparisons by `angle_brackets`.
"""
import re
from dataclasses import dataclass

_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<comment>//[^\n]*|/\*.*?\*/)
  | (?P<string>(?:u8|u|U|L)?R"(?P<delim>[^(\s]*)\(.*?\)(?P=delim)"|(?:u8|u|U|L)?"(?:\\.|[^"\\\n])*")
  | (?P<char>(?:u8|u|U|L)?'(?:\\.|[^'\\\n])+')
  | (?P<number>(?:0[xX][0-9a-fA-F']+|0[bB][01']+|\d[\d']*(?:\.\d*)?(?:[eE][+-]?\d+)?)[uUlLzZfF]*)
  | (?P<ident>[A-Za-z_]\w*)
  | (?P<punct>::|->\*?|\.\.\.|<=>|<<=|>>=|\+\+|--|<<|>>|<=|>=|==|!=|&&|\|\||[-+*/%&|^!=<>]=|[][(){};:,.?~!%^&*+\-/=<>|#])
""", re.S | re.X)

KEYWORDS = frozenset("""
    alignas alignof auto bool break case catch char class const consteval constexpr constinit const_cast continue
    co_await co_return decltype default delete do double dynamic_cast else enum explicit export extern false float
    for friend goto if inline int long mutable namespace new noexcept nullptr operator private protected public
    register reinterpret_cast requires return short signed sizeof static static_assert static_cast struct switch
    template this throw true try typedef typeid typename union unsigned using virtual void volatile while
""".split())


@dataclass
class Token:
    kind: str  # ident, number, string, char, punct
    text: str
    start: int  # character offsets into the file
    end: int
    line: int  # 1-based
    col: int  # 1-based
    match: int = -1  # index of the matching bracket, for ( ) [ ] { } and template < >


def tokenize(source: str, path: str = "<source>") -> list:
    tokens, pos, line_starts = [], 0, [0]
    for m in re.finditer(r"\n", source):
        line_starts.append(m.end())
    line_of = _line_finder(line_starts)
    at_line_start = True
    while pos < len(source):
        if at_line_start and re.match(r"[ \t]*#", source[pos:pos + 200]):
            # a preprocessor line, continued by backslash-newline
            end = pos
            while True:
                nl = source.find("\n", end)
                if nl == -1:
                    end = len(source)
                    break
                end = nl + 1
                if not source[:nl].rstrip("\r").endswith("\\"):
                    break
            pos = end
            continue
        m = _TOKEN.match(source, pos)
        if m is None:
            line = line_of(pos)
            raise SyntaxError(f"{path}:{line}: cannot tokenize {source[pos:pos + 20]!r}")
        kind = m.lastgroup if m.lastgroup != "delim" else "string"
        if kind in ("ws", "comment"):
            at_line_start = at_line_start if "\n" not in m.group() else True
            if kind == "ws" and "\n" not in m.group() and not at_line_start:
                pass
        else:
            line = line_of(pos)
            tokens.append(Token(kind, m.group(), pos, m.end(), line, pos - line_starts[line - 1] + 1))
            at_line_start = False
        pos = m.end()
    _match_brackets(tokens, path)
    return tokens


def _line_finder(line_starts):
    import bisect

    return lambda offset: bisect.bisect_right(line_starts, offset)


def _match_brackets(tokens, path):
    pairs = {")": "(", "]": "[", "}": "{"}
    stack = []
    for i, token in enumerate(tokens):
        if token.kind != "punct":
            continue
        if token.text in "([{":
            stack.append(i)
        elif token.text in pairs:
            if not stack or tokens[stack[-1]].text != pairs[token.text]:
                raise SyntaxError(f"{path}:{token.line}: unbalanced {token.text!r}")
            j = stack.pop()
            tokens[i].match, tokens[j].match = j, i
    if stack:
        raise SyntaxError(f"{path}:{tokens[stack[-1]].line}: unclosed {tokens[stack[-1]].text!r}")
    angle_brackets(tokens)


# Tokens that may stand between template angle brackets; anything else (an
# operator, a semicolon, a brace) means the `<` was a comparison.
_TYPE_PUNCT = {"::", "*", "&", "&&", ",", "...", "(", ")", "[", "]"}


def angle_brackets(tokens):
    """Marks `<` ... `>` pairs that are template argument or parameter lists."""
    for i, token in enumerate(tokens):
        if token.text != "<" or i == 0:
            continue
        before = tokens[i - 1]
        if not (before.kind == "ident" and (before.text not in KEYWORDS or before.text in (
                "template", "static_cast", "reinterpret_cast", "const_cast", "dynamic_cast"))):
            continue
        depth, j = 0, i
        while j < len(tokens):
            t = tokens[j]
            if t.text == "<":
                depth += 1
            elif t.text in (">", ">>"):
                depth -= 1 if t.text == ">" else 2
                if depth <= 0:
                    break
            elif t.kind == "punct" and t.text not in _TYPE_PUNCT and t.text != "=":
                j = -1
                break
            elif t.text in ("(", "["):
                j = t.match
            j += 1
        if 0 <= j < len(tokens) and depth == 0 and tokens[j].text == ">":
            tokens[i].match, tokens[j].match = j, i
