#include "model/ops/ops.h"

#include <charconv>
#include <string>
#include <unordered_set>

#include "model/ops/settings.h"

namespace poolcheck {

bool creates_buffer(const Op& op) {
  return op.kind == OpKind::kAlloc || op.kind == OpKind::kFrom;
}

bool exceeds_max_request(const Op& op) { return creates_buffer(op) && op.a > kMaxRequest; }

std::string to_text(const Op& op) {
  switch (op.kind) {
    case OpKind::kPoolSize: return "pool_size " + std::to_string(op.a);
    case OpKind::kAlloc: return "alloc " + std::to_string(op.a);
    case OpKind::kFrom: return "from " + std::to_string(op.a) + " " + std::to_string(op.b);
    case OpKind::kRelease: return "release " + std::to_string(op.a);
  }
  return "?";
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

// Splits one line into whitespace-separated words.
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
    Op op;
    std::string_view name = words[0];
    if (name == "pool_size") {
      if (!arity(words, 2, "pool_size N") || !number(words[1], "N", op.a)) return false;
      // The same bound as the setting's.
      if (const Setting& initial = *setting_named("pool_size"); !accepts(initial, op.a))
        return fail(value_error(initial, op.a));
      op.kind = OpKind::kPoolSize;
    } else if (name == "alloc") {
      if (!arity(words, 2, "alloc N") || !number(words[1], "N", op.a)) return false;
      op.kind = OpKind::kAlloc;
    } else if (name == "from") {
      if (!arity(words, 3, "from R A") || !number(words[1], "R", op.a) || !number(words[2], "A", op.b))
        return false;
      if (op.b > op.a)
        return fail("from keeps more than it reserves: A = " + std::to_string(op.b) + " > R = " +
                    std::to_string(op.a));
      op.kind = OpKind::kFrom;
    } else if (name == "release") {
      if (!arity(words, 2, "release K") || !number(words[1], "K", op.a)) return false;
      if (op.a >= next_buffer_)
        return fail("release " + std::to_string(op.a) + ": no such buffer (" +
                    std::to_string(next_buffer_) + " created so far)");
      if (!released_.insert(op.a).second)
        return fail("release " + std::to_string(op.a) + ": buffer already released");
      op.kind = OpKind::kRelease;
    } else {
      return fail("unknown op '" + std::string(name) + "' (known: pool_size, alloc, from, release)");
    }
    if (creates_buffer(op) && !exceeds_max_request(op)) ++next_buffer_;
    ops_.push_back(op);
    file_.lines.push_back(line_);
    return true;
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
