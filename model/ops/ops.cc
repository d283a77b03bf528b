#include "model/ops/ops.h"

#include <charconv>
#include <optional>
#include <string>
#include <unordered_set>

#include "model/ops/settings.h"
#include "model/ops/shorthand.h"
#include "model/ops/spec_limits.h"

namespace poolcheck {

bool creates_buffer(const Op& op) { return spec_of(op.kind).creates_buffer; }

const OpSpec* op_named(std::string_view name) {
  for (const OpSpec& spec : kOpSpecs)
    if (spec.name == name) return &spec;
  return nullptr;
}

std::vector<std::string_view> words_of(std::string_view line) {
  std::vector<std::string_view> words;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    std::size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) words.push_back(line.substr(start, i - start));
  }
  return words;
}

namespace {

std::string field_syntax(const OpField& field) {
  std::string text = field.keyword.empty() ? std::string(field.letter) : std::string(field.keyword) + " " + std::string(field.letter);
  return field.optional() ? "[" + text + "]" : text;
}

// An optional field that is 0 is not written: 0 is how an op says "none".
void append_field(std::string& out, const OpField& field, std::uint64_t value) {
  if (!field.exists() || (field.optional() && value == 0)) return;
  if (!field.keyword.empty()) out += " " + std::string(field.keyword);
  out += " " + std::to_string(value);
}

}  // namespace

std::string syntax_of(const OpSpec& spec) {
  std::string text(spec.name);
  for (const OpField* field : {&spec.a, &spec.b})
    if (field->exists()) text += " " + field_syntax(*field);
  return text;
}

const Setting& setting_tried(const Op& op) {
  const OpSpec& spec = spec_of(op.kind);
  constexpr std::string_view kPrefix = "try_";
  const Setting* setting = spec.handler == OpHandler::kTrySetting && spec.name.starts_with(kPrefix)
                               ? setting_named(spec.name.substr(kPrefix.size()))
                               : nullptr;
  if (setting == nullptr) throw std::invalid_argument(to_text(op) + " tries no setting");
  return *setting;
}

PoolOptions tried_options(const Op& op, PoolOptions options) {
  if (op.kind == OpKind::kTryNullUpstream) options.upstream = nullptr;
  else options.*setting_tried(op).field = op.a;
  return options;
}

namespace {
// What the spec says of a try op's allocator (spec::validate on its
// settings, the others at their defaults): nullopt when it takes them.
std::optional<SettingError> tried_refusal(const Op& op) { return spec::validate(tried_options(op, PoolOptions{})); }
}  // namespace

Refusal refusal_of(const Op& op) {
  if (op.kind == OpKind::kPoolSize) return spec::is_pool_size(op.a) ? Refusal::kNone : Refusal::kInvalidArgument;
  if (spec_of(op.kind).handler == OpHandler::kTrySetting)
    return tried_refusal(op) ? Refusal::kInvalidArgument : Refusal::kNone;
  if (!creates_buffer(op)) return Refusal::kNone;
  const bool aligned = op.kind == OpKind::kAlloc || op.kind == OpKind::kAllocSlow;
  if (aligned && op.b != 0 && !spec::is_request_alignment(op.b)) return Refusal::kInvalidArgument;
  return !spec::is_request_size(requested_size(op)) ? Refusal::kLengthError : Refusal::kNone;
}

std::string refusal_message(const Op& op) {
  switch (refusal_of(op)) {
    case Refusal::kNone: return "";
    case Refusal::kInvalidArgument:
      if (spec_of(op.kind).handler == OpHandler::kTrySetting) return tried_refusal(op)->message;
      return op.kind == OpKind::kPoolSize ? spec::pool_size_error(op.a) : spec::request_alignment_error(op.b);
    case Refusal::kLengthError: return spec::request_size_error(requested_size(op));
  }
  return "";
}

std::string_view refusal_name(Refusal refusal) {
  switch (refusal) {
    case Refusal::kNone: return "";
    case Refusal::kInvalidArgument: return "invalid_argument";
    case Refusal::kLengthError: return "length_error";
  }
  return "";
}

std::string to_text(const Op& op) {
  const OpSpec& spec = spec_of(op.kind);
  std::string text(spec.name);
  append_field(text, spec.a, op.a);
  append_field(text, spec.b, op.b);
  return text;
}

std::string to_text(std::span<const Op> ops, const PoolOptions& settings) {
  std::string out;
  const PoolOptions defaults;
  for (const Setting* setting : settings_by_name())
    if (settings.*setting->field != defaults.*setting->field)
      out += "#@ " + std::string(setting->name) + " " + std::to_string(settings.*setting->field) + "\n";
  for (const Op& op : ops) out += to_text(op) + "\n";
  return out;
}

namespace {


class Parser {
 public:
  explicit Parser(const PoolOptions& defaults) { file_.settings = defaults; }

  ParseResult run(std::string_view text) {
    std::size_t line_number = 0;
    while (!text.empty()) {
      ++line_number;
      std::size_t end = text.find('\n');
      std::string_view line = text.substr(0, end);
      text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      line_ = line_number;
      if (!parse_line(line)) return {std::nullopt, ParseError{line_, error_}};
    }
    return {std::move(file_), std::nullopt};
  }

 private:
  bool fail(std::string message) {
    error_ = std::move(message);
    return false;
  }

  bool number(std::string_view word, std::string_view what, std::uint64_t& out) {
    if (word.empty()) return fail("missing " + std::string(what));
    if (word[0] == '-') return fail(std::string(what) + " must not be negative: '" + std::string(word) + "'");
    if (word[0] == '+') return fail(std::string(what) + " must be a plain number: '" + std::string(word) + "'");
    auto [ptr, ec] = std::from_chars(word.data(), word.data() + word.size(), out);
    if (ec == std::errc::result_out_of_range)
      return fail(std::string(what) + " does not fit in 64 bits: '" + std::string(word) + "'");
    if (ec != std::errc() || ptr != word.data() + word.size())
      return fail(std::string(what) + " is not a number: '" + std::string(word) + "'");
    return true;
  }

  bool arity(const std::vector<std::string_view>& words, std::size_t expected,
             std::string_view usage) {
    if (words.size() < expected)
      return fail("missing number: expected '" + std::string(usage) + "'");
    if (words.size() > expected)
      return fail("unexpected extra '" + std::string(words[expected]) + "': expected '" +
                  std::string(usage) + "'");
    return true;
  }

  // One field of the op's row at words[at], which it moves past: its
  // keyword, if any, then the number, checked by the field's rule.
  bool field(const std::vector<std::string_view>& words, std::size_t& at, const OpSpec& spec, const OpField& field,
             std::uint64_t& value, std::uint64_t first) {
    const std::string usage = syntax_of(spec);
    if (at >= words.size()) {
      if (field.optional()) return value = field.absent, true;
      return fail("missing number: expected '" + usage + "'");
    }
    if (!field.keyword.empty()) {
      if (words[at] != field.keyword)
        return fail("unexpected extra '" + std::string(words[at]) + "': expected '" + usage + "'");
      if (++at >= words.size()) return fail("missing number: expected '" + usage + "'");
    }
    if (!number(words[at++], field.what, value)) return false;
    switch (field.rule) {
      case FieldRule::kAny: return true;
      case FieldRule::kPoolSize: return true;  // above 2^30: refused when run (refusal_of)
      case FieldRule::kSettingValue: return true;  // one the spec refuses: refused when run (refusal_of)
      case FieldRule::kRequestAlignment:
        // Any other value is refused when run (refusal_of); 0 is "none".
        return value != 0 || fail(std::string(field.keyword) + " 0: an op without " + std::string(field.keyword) +
                                  " names no alignment, and 0 cannot be written");
      case FieldRule::kAtMostA:
        return value <= first || fail(std::string(spec.name) + " keeps more than it reserves: " + std::string(field.what) +
                                      " = " + std::to_string(value) + " > " + std::string(spec.a.what) + " = " +
                                      std::to_string(first));
      case FieldRule::kPositive:
        return value != 0 || fail(std::string(spec.name) + " 0: " + std::string(field.what) +
                                  " counts upstream requests from 1 (" + std::string(spec.name) + " 1 is the next one)");
      case FieldRule::kRepeat:
        return (value >= 1 && value <= kMaxRepeat) ||
               fail(std::string(spec.name) + " " + std::to_string(value) + ": " + std::string(field.what) +
                    " must be from 1 to " + std::to_string(kMaxRepeat));
      case FieldRule::kRequestSize:
        return spec::is_request_size(value) ||
               fail(std::string(spec.name) + " " + std::string(field.what) + " = " + std::to_string(value) +
                    ": at most " + std::to_string(spec::kMaxRequest));
      case FieldRule::kLiveBuffer:
        if (value >= next_buffer_)
          return fail(std::string(spec.name) + " " + std::to_string(value) + ": no such buffer (" +
                      std::to_string(next_buffer_) + " created so far)");
        return released_.insert(value).second ||
               fail(std::string(spec.name) + " " + std::to_string(value) + ": buffer already released");
    }
    return true;
  }

  std::string known_ops() const {
    std::string known;
    for (const OpSpec& spec : kOpSpecs) known += (known.empty() ? "" : ", ") + std::string(spec.name);
    return known;
  }

  bool directive(std::string_view line) {
    auto words = words_of(line.substr(2));
    if (words.empty()) return fail("empty #@ directive");
    if (!ops_.empty()) return fail("#@ directives must come before the first op");
    const Setting* setting = setting_named(words[0]);
    if (!setting) {
      std::string known;
      for (const Setting* row : settings_by_name()) known += (known.empty() ? "" : ", ") + std::string(row->name);
      return fail("unknown directive '#@ " + std::string(words[0]) + "' (known: " + known + ")");
    }
    const std::string name(setting->name);
    std::uint64_t value = 0;
    if (!arity(words, 2, "#@ " + name + " N") || !number(words[1], name, value)) return false;
    if (!accepts(*setting, value)) return fail(value_error(*setting, value));
    file_.settings.*setting->field = value;
    return true;
  }

  bool parse_line(std::string_view line) {
    std::size_t first = line.find_first_not_of(" \t");
    if (first != std::string_view::npos && line.substr(first).starts_with("#@"))
      return directive(line.substr(first));
    if (std::size_t hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    auto words = words_of(line);
    if (words.empty()) return true;
    const OpSpec* spec = op_named(words[0]);
    if (!spec) return fail("unknown op '" + std::string(words[0]) + "' (known: " + known_ops() + ")");
    Op op{spec->kind, 0, 0};
    std::size_t at = 1;
    if (spec->a.exists() && !field(words, at, *spec, spec->a, op.a, 0)) return false;
    if (spec->b.exists() && !field(words, at, *spec, spec->b, op.b, op.a)) return false;
    if (at < words.size())
      return fail("unexpected extra '" + std::string(words[at]) + "': expected '" + syntax_of(*spec) + "'");
    if (!is_shorthand(op)) return add(op);
    std::vector<Op> plain;
    expand_shorthand(op, next_buffer_, [&](std::uint64_t k) { return newest_live(k); }, plain);
    for (const Op& each : plain) add(each);
    return true;
  }

  bool add(const Op& op) {
    if (creates_buffer(op) && !refused(op)) ++next_buffer_;
    if (op.kind == OpKind::kRelease) released_.insert(op.a);  // a shorthand's (the parser checked the others)
    ops_.push_back(op);
    file_.lines.push_back(line_);
    return true;
  }

  std::vector<std::uint64_t> newest_live(std::uint64_t k) const {
    std::vector<std::uint64_t> newest;
    for (std::uint64_t id = next_buffer_; id > 0 && newest.size() < k; --id)
      if (!released_.contains(id - 1)) newest.push_back(id - 1);
    return newest;
  }

  OpFile file_;
  std::vector<Op>& ops_ = file_.ops;
  std::unordered_set<std::uint64_t> released_;
  std::uint64_t next_buffer_ = 0;
  std::size_t line_ = 0;
  std::string error_;
};

}  // namespace

ParseResult parse_ops(std::string_view text, const PoolOptions& defaults) {
  return Parser(defaults).run(text);
}

}  // namespace poolcheck
