"""Finds the regions of a header where mutants can live.

A region is a piece of code that a mutant schema can guard as a whole:
  stmt  an expression or return statement: guarded as `if (on(k)) ALT else ORIG`
  cond  the condition of an if/while/for/do: guarded as `on(k) ? ALT : ORIG`
  init  the initializer of a variable, member or mem-initializer argument
Declarations, signatures, types and templates are never regions: mutating
them would rarely compile and never says anything about behaviour. assert()
statements are skipped too: they are the allocator's own checks, and
weakening one can only make a test pass.
"""
from dataclasses import dataclass, field

from cxx_tokens import KEYWORDS

SPECIFIERS = {"static", "inline", "constexpr", "consteval", "explicit", "virtual", "friend", "extern",
              "thread_local", "mutable", "typename", "constinit"}
TYPE_KEYWORDS = {"auto", "const", "constexpr", "static", "bool", "char", "int", "long", "short", "unsigned",
                 "signed", "double", "float", "void", "volatile", "thread_local", "inline", "constinit"}


@dataclass
class Region:
    kind: str  # stmt, cond, init
    first: int  # token indices, inclusive
    last: int
    statement: str = ""  # for stmt: "return" or "expr"
    return_type: list = None  # for return statements: the function's return type, as token texts
    constexpr_token: int = -1  # init of a constexpr variable: this keyword must go for a run-time guard
    holes: list = field(default_factory=list)  # lambda token ranges, which hold regions of their own


class RegionFinder:
    def __init__(self, tokens):
        self.t = tokens
        self.regions = []

    def find(self):
        self.declarations(0, len(self.t), None)
        return self.regions

    # --- helpers -------------------------------------------------------
    def text(self, i):
        return self.t[i].text if 0 <= i < len(self.t) else ""

    def skip_to(self, i, end, stops):
        """The index of the first token in `stops` at bracket depth 0."""
        while i < end and self.t[i].text not in stops:
            i = self.t[i].match + 1 if self.t[i].text in "([{" or (self.t[i].text == "<" and self.t[i].match > i) else i + 1
        return i

    # --- namespace and class bodies ------------------------------------
    def declarations(self, i, end, class_name):
        while i < end:
            x = self.text(i)
            if x == ";":
                i += 1
            elif x in ("public", "private", "protected") and self.text(i + 1) == ":":
                i += 2
            elif x == "template" and self.text(i + 1) == "<":
                i = self.skip_to(i + 2, end, {">"}) + 1 if self.t[i + 1].match < 0 else self.t[i + 1].match + 1
            elif x == "namespace":
                j = self.skip_to(i, end, {"{", ";"})
                if self.text(j) == "{":
                    self.declarations(j + 1, self.t[j].match, None)
                    j = self.t[j].match
                i = j + 1
            elif x in ("using", "typedef", "friend", "static_assert"):
                i = self.skip_to(i, end, {";"}) + 1
            elif x in ("class", "struct", "union", "enum"):
                i = self.type_definition(i, end)
            else:
                i = self.member(i, end, class_name)

    def type_definition(self, i, end):
        j = self.skip_to(i, end, {"{", ";"})
        if self.text(j) == "{":
            if self.text(i) != "enum":
                name = next((self.text(k) for k in range(i + 1, j) if self.t[k].kind == "ident"
                             and self.text(k) not in KEYWORDS), None)
                self.declarations(j + 1, self.t[j].match, name)
            j = self.skip_to(self.t[j].match + 1, end, {";"})
        return j + 1

    def member(self, i, end, class_name):
        j = i
        while j < end and self.text(j) not in ("(", "=", "{", ";", ":"):
            if self.text(j) == "[" and self.text(j + 1) == "[":
                j = self.t[j].match
            elif self.text(j) == "<" and self.t[j].match > j:
                j = self.t[j].match
            elif self.text(j) == "operator":
                j = self.skip_to(j + 2, end, {"("}) - 1  # operator==, operator() ...
            j += 1
        x = self.text(j)
        if x == "(":
            return self.function(i, j, end, class_name)
        if x == "=" and self.text(j + 1) not in ("{", "default", "delete"):
            semi = self.skip_to(j + 1, end, {";", ","})
            constexpr = next((k for k in range(i, j) if self.text(k) == "constexpr"), -1)
            self.add(Region("init", j + 1, semi - 1, constexpr_token=constexpr))
            return self.skip_to(semi, end, {";"}) + 1
        return self.skip_to(j, end, {";"}) + 1

    def function(self, i, paren, end, class_name):
        k = self.t[paren].match + 1
        while k < end and self.text(k) not in ("{", ";", "=", ":"):
            k = self.t[k].match + 1 if self.text(k) in "([" else k + 1
        if self.text(k) == ":":  # mem-initializer list
            k += 1
            while self.text(k) != "{":
                open_ = self.skip_to(k, end, {"(", "{"})
                if self.text(open_) == "(":
                    self.arguments(open_)
                k = self.t[open_].match + 1
                if self.text(k) == ",":
                    k += 1
        if self.text(k) != "{":
            return self.skip_to(k, end, {";"}) + 1
        name = self.text(paren - 1)
        is_structor = name == class_name or self.text(paren - 2) == "~" or "operator" in [
            self.text(n) for n in range(i, paren)]
        return_type = None if is_structor else [
            self.text(n) for n in range(i, paren - 1) if self.text(n) not in SPECIFIERS and not (
                self.text(n) in ("[", "]") or self.inside_attribute(n, i))]
        self.statements(k + 1, self.t[k].match, return_type)
        return self.t[k].match + 1

    def inside_attribute(self, n, first):
        for a in range(first, n):
            if self.text(a) == "[" and self.text(a + 1) == "[" and a < n <= self.t[a].match:
                return True
        return False

    def arguments(self, open_):
        """Each top-level argument of a (...) initializer is an init region."""
        k, close = open_ + 1, self.t[open_].match
        while k < close:
            comma = self.skip_to(k, close, {","})
            if comma > k:
                self.add(Region("init", k, comma - 1))
            k = comma + 1

    # --- function bodies -----------------------------------------------
    def statements(self, i, end, return_type):
        while i < end:
            i = self.statement(i, end, return_type)

    def statement(self, i, end, rt):
        x = self.text(i)
        if x == "{":
            self.statements(i + 1, self.t[i].match, rt)
            return self.t[i].match + 1
        if x == ";":
            return i + 1
        if x == "[" and self.text(i + 1) == "[":
            return self.statement(self.t[i].match + 1, end, rt)
        if x in ("if", "while", "switch"):
            k = i + 2 if self.text(i + 1) == "constexpr" else i + 1
            close = self.t[k].match
            if x != "switch" and k == i + 1 and not self.declares(k + 1, close):
                self.add(Region("cond", k + 1, close - 1))
            j = self.statement(close + 1, end, rt)
            if x == "if" and self.text(j) == "else":
                j = self.statement(j + 1, end, rt)
            return j
        if x == "for":
            close = self.t[i + 1].match
            parts, k = [], i + 2
            while k <= close:
                semi = self.skip_to(k, close, {";"})
                parts.append((k, semi - 1))
                k = semi + 1
            if len(parts) == 3:
                self.declaration_or_expression(parts[0][0], parts[0][1] + 1, rt, init_only=True)
                if parts[1][1] >= parts[1][0]:
                    self.add(Region("cond", *parts[1]))
            return self.statement(close + 1, end, rt)
        if x == "do":
            j = self.statement(i + 1, end, rt)  # then: while ( cond ) ;
            self.add(Region("cond", j + 2, self.t[j + 1].match - 1))
            return self.t[j + 1].match + 2
        if x in ("case", "default"):
            return self.skip_to(i, end, {":"}) + 1
        if x in ("break", "continue", "goto", "throw", "static_assert", "using", "typedef"):
            return self.skip_to(i, end, {";"}) + 1
        if x == "try":
            j = self.statement(i + 1, end, rt)
            while self.text(j) == "catch":
                j = self.statement(self.t[j + 1].match + 1, end, rt)
            return j
        if x in ("class", "struct", "enum", "union"):
            return self.type_definition(i, end)
        semi = self.skip_to(i, end, {";"})
        if x == "return":
            if semi > i + 1:
                self.add(Region("stmt", i, semi, statement="return", return_type=rt))
        else:
            self.declaration_or_expression(i, semi, rt)
        return semi + 1

    def declaration_or_expression(self, i, semi, rt, init_only=False):
        if i >= semi or (self.text(i) == "assert" and self.text(i + 1) == "("):
            return
        if not self.declares(i, semi):
            if not init_only:
                self.add(Region("stmt", i, semi, statement="expr"))
            return
        eq = self.skip_to(i, semi, {"=", "("})
        if self.text(eq) == "=" and self.text(eq + 1) != "{" and eq + 1 < semi:
            self.add(Region("init", eq + 1, semi - 1))
        elif self.text(eq) == "(" and self.t[eq].match == semi - 1:
            self.arguments(eq)

    def declares(self, i, end):
        """Whether tokens i..end start a declaration (a type, then a name)."""
        if self.text(i) in TYPE_KEYWORDS:
            return True
        k = i
        if self.text(k) == "::":
            k += 1
        while self.t[k].kind == "ident" and self.text(k) not in KEYWORDS:
            k += 1
            if self.text(k) == "<" and self.t[k].match > k:
                k = self.t[k].match + 1
            if self.text(k) != "::":
                break
            k += 1
        if k == i:
            return False
        while self.text(k) in ("*", "&", "&&", "const"):
            k += 1
        return k < end and self.t[k].kind == "ident" and self.text(k) not in KEYWORDS and self.text(
            k + 1) in ("=", "(", "{", ";", ",", "[", ")")

    # --- lambdas inside a region ---------------------------------------
    def add(self, region):
        k = region.first
        while k <= region.last:
            if self.text(k) == "[" and self.text(k + 1) != "[" and (k == region.first or self.t[k - 1].kind not in (
                    "ident", "number", "string") and self.text(k - 1) not in (")", "]")):
                body = self.skip_to(self.t[k].match + 1, region.last + 1, {"{", ";", ","})
                if self.text(body) == "{":
                    self.statements(body + 1, self.t[body].match, None)
                    region.holes.append((k, self.t[body].match))
                    k = self.t[body].match
            k += 1
        self.regions.append(region)
