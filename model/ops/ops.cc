#include "model/ops/ops.h"

#include <charconv>
#include <string>
#include <unordered_set>

namespace poolcheck {

bool creates_buffer(const Op& op) {
  return op.kind == OpKind::kAlloc || op.kind == OpKind::kFrom;
}

bool exceeds_max_request(const Op& op) { return creates_buffer(op) && op.a > kMaxRequest; }

PoolOptions to_pool_options(const Settings& settings, std::pmr::memory_resource* upstream) {
  PoolOptions options;
  options.pool_size = settings.pool_size;
  options.alignment = settings.alignment;
  options.cache_limit = settings.cache_limit;
  options.upstream = upstream;
  return options;
}

std::string to_text(const Op& op) {
  switch (op.kind) {
    case OpKind::kPoolSize: return "pool_size " + std::to_string(op.a);
    case OpKind::kAlloc: return "alloc " + std::to_string(op.a);
    case OpKind::kFrom: return "from " + std::to_string(op.a) + " " + std::to_string(op.b);
    case OpKind::kRelease: return "release " + std::to_string(op.a);
  }
  return "?";
}

std::string to_text(std::span<const Op> ops, const Settings& settings) {
  std::string out;
  const Settings defaults;
  if (settings.alignment != defaults.alignment)
    out += "#@ alignment " + std::to_string(settings.alignment) + "\n";
  if (settings.cache_limit != defaults.cache_limit)
    out += "#@ cache_limit " + std::to_string(settings.cache_limit) + "\n";
  if (settings.pool_size != defaults.pool_size)
    out += "#@ pool_size " + std::to_string(settings.pool_size) + "\n";
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
  explicit Parser(const Settings& defaults) { file_.settings = defaults; }

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
    std::uint64_t value = 0;
    if (words[0] == "alignment") {
      if (!arity(words, 2, "#@ alignment N") || !number(words[1], "alignment", value)) return false;
      if (!is_power_of_two(value) || value > kMaxAlignment)
        return fail("alignment must be a power of two up to 4096, not " + std::to_string(value));
      file_.settings.alignment = value;
      return true;
    }
    if (words[0] == "cache_limit") {
      if (!arity(words, 2, "#@ cache_limit N") || !number(words[1], "cache_limit", value)) return false;
      if (value > 1'000'000) return fail("cache_limit must be at most 1000000");
      file_.settings.cache_limit = value;
      return true;
    }
    if (words[0] == "pool_size") {
      if (!arity(words, 2, "#@ pool_size N") || !number(words[1], "pool_size", value)) return false;
      if (value > kMaxPoolSize) return fail("pool_size " + std::to_string(value) + " is beyond 2^30 (1073741824)");
      file_.settings.pool_size = value;
      return true;
    }
    return fail("unknown directive '#@ " + std::string(words[0]) + "' (known: alignment, cache_limit, pool_size)");
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
      if (op.a > kMaxPoolSize)
        return fail("pool_size " + std::to_string(op.a) + " is beyond 2^30 (1073741824)");
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

ParseResult parse_ops(std::string_view text, const Settings& defaults) {
  return Parser(defaults).run(text);
}

}  // namespace poolcheck
