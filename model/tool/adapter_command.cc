#include "model/tool/adapter_command.h"
#include "model/tool/replay_files.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/adapter/adapter_checker.h"
#include "model/adapter/builtin_adapters.h"
#include "model/adapter/check_adapter.h"
#include "model/ops/settings.h"
#include "model/reference/sequence_file.h"

namespace poolcheck {
namespace {

constexpr int kOk = 0, kBadInput = 2;

// What the tool does with one adapter, made once per built-in adapter.
struct BuiltIn {
  std::string_view name;
  bool injects_failures;
  std::optional<std::string> (*check)(std::span<const Op>, const PoolOptions&);
  FailEachResult (*fail_each)(std::span<const Op>, const PoolOptions&);
  void (*trace)(std::span<const Op>, const PoolOptions&, std::ostream&);
  std::string (*map)(std::span<const Op>, const PoolOptions&, std::optional<std::size_t>, const std::string&);
};

// One JSON line per buffer an op creates: its length, and where it lies:
// the upstream block (numbered from 1 in the order upstream gave them out)
// and the offset in it, or, for an adapter without an upstream, its
// distance from the first buffer's address.
template <class A>
void trace_adapter(std::span<const Op> ops, const PoolOptions& settings, std::ostream& out) {
  AdapterChecker<A> run(settings);
  std::optional<std::uintptr_t> first;
  for (const Op& op : ops) {
    const std::uint64_t before = run.buffers();
    if (auto divergence = run.step(op)) {
      out << "{\"error\":\"" << name_of(divergence->check) << "\",\"op\":" << divergence->op_index << "}\n";
      return;
    }
    for (std::uint64_t id = before; id < run.buffers(); ++id) {
      const auto where = run.where(id);
      if (!where) continue;
      out << "{\"slice\":" << id << ",\"length\":" << where->size;
      if (where->size > 0 && where->block)
        out << ",\"block\":" << where->block->serial << ",\"offset\":" << where->address - where->block->begin;
      else if (where->size > 0) {
        if (!first) first = where->address;
        out << ",\"from_first\":" << static_cast<std::int64_t>(where->address - *first);
      }
      out << "}\n";
    }
  }
}

std::string escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '&') out += "&amp;";
    else out += c;
  }
  return out;
}

// The address ranges the live buffers hold after op `at` (default: the
// last): one row per upstream block that holds any, to scale, each buffer
// numbered; without an upstream, one row from the lowest to the highest
// address held.
template <class A>
std::string map_adapter(std::span<const Op> ops, const PoolOptions& settings, std::optional<std::size_t> at,
                        const std::string& title) {
  AdapterChecker<A> run(settings);
  const std::size_t last = at ? std::min(*at + 1, ops.size()) : ops.size();
  std::string caption = std::string(A::kName) + ", after op " + std::to_string(last == 0 ? 0 : last - 1);
  for (std::size_t i = 0; i < last; ++i)
    if (auto divergence = run.step(ops[i])) {
      caption += " (stopped: " + std::string(name_of(divergence->check)) + " at op " +
                 std::to_string(divergence->op_index) + ")";
      break;
    }
  struct Row {
    std::uintptr_t begin = 0, end = 0;
    std::vector<std::pair<std::uint64_t, typename AdapterChecker<A>::Where>> buffers;
  };
  std::map<std::uintptr_t, Row> rows;  // by the block's address
  for (std::uint64_t id = 0; id < run.buffers(); ++id) {
    const auto where = run.where(id);
    if (!where || where->size == 0) continue;
    std::uintptr_t begin = where->address, end = where->address + where->size;
    if (where->block) begin = where->block->begin, end = where->block->begin + where->block->size;
    Row& row = rows[where->block ? begin : 0];
    if (row.buffers.empty()) row.begin = begin, row.end = end;
    row.begin = std::min(row.begin, begin);
    row.end = std::max(row.end, end);
    row.buffers.emplace_back(id, *where);
  }
  constexpr int kWidth = 800, kLeft = 150, kRowHeight = 28, kTop = 40;
  const int height = kTop + static_cast<int>(rows.size()) * kRowHeight + 20;
  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(kWidth + kLeft + 20) +
                    "\" height=\"" + std::to_string(height) + "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  svg += "<text x=\"10\" y=\"20\">" + escape(title) + ": " + escape(caption) + "</text>\n";
  int y = kTop;
  for (const auto& [key, row] : rows) {
    const double span = static_cast<double>(std::max<std::uintptr_t>(row.end - row.begin, 1));
    svg += "<text x=\"10\" y=\"" + std::to_string(y + 18) + "\">" +
           (key == 0 ? std::string("no upstream") : std::to_string(row.end - row.begin) + " B block") + "</text>\n";
    svg += "<rect x=\"" + std::to_string(kLeft) + "\" y=\"" + std::to_string(y) + "\" width=\"" +
           std::to_string(kWidth) + "\" height=\"24\" fill=\"#eee\" stroke=\"#888\"/>\n";
    for (const auto& [id, where] : row.buffers) {
      const double x = kLeft + kWidth * static_cast<double>(where.address - row.begin) / span;
      const double w = std::max(1.0, kWidth * static_cast<double>(where.size) / span);
      svg += "<rect x=\"" + std::to_string(x) + "\" y=\"" + std::to_string(y) + "\" width=\"" + std::to_string(w) +
             "\" height=\"24\" fill=\"#8ab\" stroke=\"#246\"><title>buffer " + std::to_string(id) + ": " +
             std::to_string(where.size) + " bytes</title></rect>\n";
      if (w >= 14)
        svg += "<text x=\"" + std::to_string(x + 2) + "\" y=\"" + std::to_string(y + 17) + "\">#" +
               std::to_string(id) + "</text>\n";
    }
    y += kRowHeight;
  }
  return svg + "</svg>\n";
}

template <class A>
constexpr BuiltIn built_in() {
  return {A::kName, injects_failures<A>(),
          [](std::span<const Op> ops, const PoolOptions& settings) { return check_adapter<A>(ops, settings); },
          &fail_each<A>, &trace_adapter<A>, &map_adapter<A>};
}

// The built-in adapters, node_pool first (the default).
#define POOLCHECK_BUILT_IN(name, Type) built_in<adapters::Type>(),
constexpr BuiltIn kBuiltIns[] = {POOLCHECK_BUILTIN_ADAPTERS(POOLCHECK_BUILT_IN)};
#undef POOLCHECK_BUILT_IN
static_assert([] {
#define POOLCHECK_NAME_MATCHES(name, Type) if (adapters::Type::kName != #name) return false;
  POOLCHECK_BUILTIN_ADAPTERS(POOLCHECK_NAME_MATCHES)
#undef POOLCHECK_NAME_MATCHES
  return true;
}(), "each built-in adapter's line names it by its kName");

std::string names() {
  std::string out;
  for (const BuiltIn& b : kBuiltIns) out += (out.empty() ? "" : ", ") + std::string(b.name);
  return out;
}

int problem(const std::string& message) {
  std::cerr << "poolcheck: " << message << "\n";
  return kBadInput;
}

struct Args {
  const BuiltIn* adapter = &kBuiltIns[0];
  bool fail_each = false;
  bool quiet = false;
  PoolOptions settings;
  std::optional<std::size_t> at;
  std::string out;
  std::vector<std::string> inputs;
};

std::optional<Args> parse(int argc, char** argv) {
  Args args;
  for (int i = 2; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const bool has_value = i + 1 < argc;
    auto number = [&](std::uint64_t& n) {
      const std::string_view text = argv[++i];
      auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
      return ec == std::errc() && ptr == text.data() + text.size();
    };
    std::uint64_t n = 0;
    if (arg == "--allocator") {
      if (!has_value) return problem("--allocator takes a name: " + names()), std::nullopt;
      const std::string_view name = argv[++i];
      const auto it = std::find_if(std::begin(kBuiltIns), std::end(kBuiltIns),
                                   [&](const BuiltIn& b) { return b.name == name; });
      if (it == std::end(kBuiltIns))
        return problem("no built-in allocator '" + std::string(name) + "'; there are " + names()), std::nullopt;
      args.adapter = it;
    } else if (arg == "--fail-each") {
      args.fail_each = true;
    } else if (arg == "--quiet") {
      args.quiet = true;
    } else if (const Setting* setting = setting_for_option(arg)) {
      if (!has_value || !number(n) || !accepts(*setting, n))
        return problem(std::string(setting->option) + " takes " + rule_of(*setting)), std::nullopt;
      args.settings.*setting->field = n;
    } else if (arg == "--at") {
      if (!has_value || !number(n)) return problem("--at takes an op number (0 is the first op)"), std::nullopt;
      args.at = n;
    } else if (arg == "-o") {
      if (!has_value) return problem("-o takes a file name"), std::nullopt;
      args.out = argv[++i];
    } else if (arg.starts_with("-") && arg.size() > 1) {
      return problem("unknown option " + std::string(arg) + " with --allocator or --fail-each"), std::nullopt;
    } else {
      args.inputs.emplace_back(arg);
    }
  }
  return args;
}

// replay [--fail-each] --allocator NAME FILE|DIR...
int replay(const Args& args) {
  if (args.inputs.empty()) return problem("replay needs at least one file or directory");
  if (args.fail_each && !args.adapter->injects_failures)
    return problem("--fail-each: " + std::string(args.adapter->name) +
                   " takes no injected failures (docs/ADAPTERS.md)");
  const std::string label =
      "replay --allocator " + std::string(args.adapter->name) + (args.fail_each ? " --fail-each" : "");
  return replay_files(args.inputs, args.settings, args.quiet, label,
                      [&](const std::filesystem::path& path, const SequenceFile& file, std::string& detail) {
    std::optional<std::string> report;
    if (args.fail_each) {
      const FailEachResult result = args.adapter->fail_each(file.ops, file.settings);
      detail += ", " + std::to_string(result.requests) + " upstream requests, each failed in turn";
      report = result.report;
      if (report && result.failed_request)
        *report = "# with upstream request " + std::to_string(*result.failed_request) + " of " +
                  std::to_string(result.requests) + " failing (fail_next " + std::to_string(*result.failed_request) +
                  " before the first op)\n" + *report;
    } else {
      report = args.adapter->check(file.ops, file.settings);
    }
    if (!report) return FileVerdict::kOk;
    std::cout << "FAIL " << path.string() << "\n" << *report;
    return FileVerdict::kDiverged;
  });
}

std::optional<SequenceFile> load_one(const Args& args, const char* command) {
  if (args.inputs.size() != 1) return problem(std::string(command) + " takes one file"), std::nullopt;
  LoadResult loaded = load_sequence(args.inputs[0], args.settings);
  if (loaded.error) return std::cerr << loaded.error->to_string() << "\n", std::nullopt;
  return std::move(*loaded.file);
}

}  // namespace

std::optional<int> adapter_command(int& argc, char** argv) {
  if (argc < 2) return std::nullopt;
  const std::string_view command = argv[1];
  int allocator_at = 0;
  bool fail_each = false;
  for (int i = 2; i < argc; ++i) {
    if (std::string_view(argv[i]) == "--allocator") allocator_at = i;
    if (std::string_view(argv[i]) == "--fail-each") fail_each = true;
  }
  if (allocator_at == 0 && !fail_each) return std::nullopt;
  if (command != "replay" && command != "trace" && command != "map")
    return problem("--allocator and --fail-each are options of replay, trace and map");
  if (fail_each && command != "replay") return problem("--fail-each is an option of replay");
  // trace and map of the Node pool: today's commands, unchanged.
  if (command != "replay" && allocator_at + 1 < argc && std::string_view(argv[allocator_at + 1]) == "node_pool") {
    std::copy(argv + allocator_at + 2, argv + argc, argv + allocator_at);
    argc -= 2;
    return std::nullopt;
  }
  const std::optional<Args> args = parse(argc, argv);
  if (!args) return kBadInput;
  if (command == "replay") return replay(*args);
  const std::optional<SequenceFile> file = load_one(*args, argv[1]);
  if (!file) return kBadInput;
  if (command == "trace") {
    args->adapter->trace(file->ops, file->settings, std::cout);
    return std::cout.flush() ? kOk : kBadInput;
  }
  if (args->out.empty()) return problem("map --allocator needs -o OUT.svg");
  std::ofstream out(args->out);
  out << args->adapter->map(file->ops, file->settings, args->at, file->path.filename().string());
  if (!out) return problem(args->out + ": cannot write");
  return kOk;
}

}  // namespace poolcheck
