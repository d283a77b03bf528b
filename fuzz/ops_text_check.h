// fuzz_ops_text's check: the text parser on arbitrary bytes. Whatever the
// input, parse_ops either accepts it or names a line and a problem; what it
// accepts prints back to text that parses to the same ops and settings, and,
// where the binary form can carry it, encodes to bytes that decode to the
// same ops (model/ops/op_codec.h promises text -> binary -> text is the identity).
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "fuzz/fuzz_target.h"
#include "model/ops/ops.h"

namespace poolcheck::fuzz {

// How accepted ops are printed back, and the parser under test; parameters
// so that a test can show that a wrong printer or parser is caught.
using Printer = std::string (*)(std::span<const Op> ops, const PoolOptions& settings);
using Parser = ParseResult (*)(std::string_view text);
std::string print_ops(std::span<const Op> ops, const PoolOptions& settings);  // to_text
ParseResult parse_text(std::string_view text);                           // parse_ops

// Besides the input itself, every input is also read as binary ops (any
// bytes are a valid sequence, model/reference/decode_ops.h) and printed: the
// parser must accept that text and give back the same ops and settings. That
// is the text that must be accepted, so a parser that rejects everything, or
// any valid line, fails on the first input.
Report check_ops_text(std::string_view text, Printer print = &print_ops, Parser parse = &parse_text);

}  // namespace poolcheck::fuzz
