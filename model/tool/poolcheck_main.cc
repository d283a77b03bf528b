// poolcheck: replay op files through the differential checker, trace
// placements from the allocator or the model, convert between the binary and
// text forms, draw pool maps. Exit codes: 0 ok, 1 a divergence, 2 bad usage or bad input.
#include <algorithm>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "allocator/pool_allocator.h"
#include "model/checks/allocator_run.h"
#include "model/checks/checker.h"
#include "model/checks/tracking_resource.h"
#include "model/ops/op_codec.h"
#include "model/ops/op_dispatch.h"
#include "model/ops/settings.h"
#include "model/reference/reference_model.h"
#include "model/reference/sequence_file.h"
#include "model/tool/adapter_command.h"
#include "model/tool/map_command.h"
#include "model/tool/parse_json.h"
#include "model/tool/record_command.h"
#include "model/tool/replay_files.h"
#include "model/tool/recording.h"
#include "model/tool/whatif_command.h"

namespace poolcheck {
namespace {

constexpr int kOk = 0, kDiverged = 1, kBadInput = 2;

// The usage, with one line per setting from the table (model/ops/settings.h).
std::string usage() {
  std::string text = R"(usage:
  poolcheck replay [OPTIONS] FILE|DIR...   check every file against the model
  poolcheck trace [--model] [OPTIONS] FILE one JSON line per buffer created and per failed request
  poolcheck trace [--model] [OPTIONS] --out-dir DIR FILE...
                                           the same for many files in one process:
                                           DIR/I.trace for the I-th FILE (from 0),
                                           or DIR/I.error if it cannot be read
  poolcheck convert FILE [-o OUT]          binary -> text ops (stdout), or
                                           FILE.ops -> binary (OUT required)
  poolcheck map [--at K] [--model] [OPTIONS] FILE -o OUT.svg|OUT.html
                                           pool map after op K (default: the
                                           last) as SVG, or every op as HTML
  poolcheck parse [OPTIONS] FILE|DIR...    the parsed ops as JSON lines (docs/FORMATS.md)
  poolcheck record -o FILE.ops [--max-ops N] -- node ARGS...
                                           record a Node program's Buffer pool traffic
  poolcheck whatif --pool-size N,... [--alignment A,...] FILE [-o OUT.svg]
                                           what each pool size would cost FILE
options (text files; binary files carry their own):
)";
  for (const Setting& setting : kSettings) {
    std::string left = "  " + std::string(setting.option) + " N";
    left.resize(std::max<std::size_t>(left.size() + 1, 20), ' ');
    text += left + help_of(setting) + "\n";
  }
  return text + R"(  --quiet           replay: print only failures and the summary
  --map DIR         replay: a divergence map DIR/NAME.svg per failing file
  --out-dir DIR     trace: one trace file per input in DIR (created if missing)
  --allocator NAME  replay, trace, map: run the ops on a built-in adapter
                    (docs/ADAPTERS.md; node_pool, the default, is this tool's allocator)
  --fail-each       replay: once per upstream request, that request failing
files: *.ops are text ops, anything else is the fuzzers' binary form.
exit: 0 all ok, 1 a divergence, 2 bad usage or malformed/unreadable input.
)";
}

int usage_error(const std::string& message) {
  std::cerr << "poolcheck: " << message << "\n" << usage();
  return kBadInput;
}

struct Options {
  PoolOptions settings;
  bool model = false;
  bool quiet = false;
  std::string out;
  std::string map_dir;
  std::string out_dir;
  std::optional<std::size_t> at;
  std::vector<std::string> inputs;
};

// Parses options shared by the subcommands; nullopt after printing an error.
std::optional<Options> parse_options(int argc, char** argv, int first) {
  Options options;
  for (int i = first; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto value = [&](std::uint64_t& out) {
      if (i + 1 >= argc) return false;
      const std::string_view text = argv[++i];
      auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
      return ec == std::errc() && ptr == text.data() + text.size();
    };
    std::uint64_t n = 0;
    if (arg == "--model") {
      options.model = true;
    } else if (arg == "--quiet") {
      options.quiet = true;
    } else if (const Setting* setting = setting_for_option(arg)) {
      if (!value(n) || !accepts(*setting, n)) {
        usage_error(std::string(setting->option) + " takes " + rule_of(*setting));
        return std::nullopt;
      }
      options.settings.*setting->field = n;
    } else if (arg == "--at") {
      if (!value(n)) {
        usage_error("--at takes an op number (0 is the first op)");
        return std::nullopt;
      }
      options.at = n;
    } else if (arg == "--map") {
      if (i + 1 >= argc) {
        usage_error("--map takes a directory");
        return std::nullopt;
      }
      options.map_dir = argv[++i];
    } else if (arg == "--out-dir") {
      if (i + 1 >= argc) {
        usage_error("--out-dir takes a directory");
        return std::nullopt;
      }
      options.out_dir = argv[++i];
    } else if (arg == "-o") {
      if (i + 1 >= argc) {
        usage_error("-o takes a file name");
        return std::nullopt;
      }
      options.out = argv[++i];
    } else if (arg.starts_with("-") && arg.size() > 1) {
      usage_error("unknown option " + std::string(arg));
      return std::nullopt;
    } else {
      options.inputs.emplace_back(arg);
    }
  }
  return options;
}

int replay(const Options& options) {
  if (options.inputs.empty()) return usage_error("replay needs at least one file or directory");
  MapDirectory maps(options.map_dir);
  return replay_files(options.inputs, options.settings, options.quiet, "replay",
                      [&](const std::filesystem::path& path, const SequenceFile& file, std::string&) {
    if (std::optional<Divergence> divergence = check_ops(file.ops, file.settings)) {
      std::cout << "FAIL " << path.string() << "\n" << describe(*divergence, file.ops, file.settings);
      if (options.map_dir.empty()) return FileVerdict::kDiverged;
      const std::filesystem::path map = maps.path_for(path);
      if (!write_text_file(map, divergence_picture(file, *divergence))) return FileVerdict::kBad;
      std::cout << "map: " << map.string() << "\n";
      return FileVerdict::kDiverged;
    }
    // A recording's placements against Node's (docs/NODE.md): 1 they differ, 2 it is malformed.
    switch (check_recorded(file, std::cout)) {
      case kOk: return FileVerdict::kOk;
      case kDiverged: return FileVerdict::kDiverged;
      default: return FileVerdict::kBad;
    }
  });
}

void print_trace_line(std::FILE* out, std::uint64_t slice, const Placement& placement) {
  std::fprintf(out, "{\"slice\":%llu,\"pooled\":%s,\"pool\":", static_cast<unsigned long long>(slice),
               placement.pooled ? "true" : "false");
  if (placement.pooled) std::fprintf(out, "%llu", static_cast<unsigned long long>(placement.pool));
  else std::fprintf(out, "null");
  std::fprintf(out, ",\"offset\":%zu,\"length\":%zu}\n", placement.offset, placement.length);
}

// A request that fails prints a line instead of (length_error,
// invalid_argument: refused, also for pool_size) or before
// (bad_alloc by fail_next: the op is then run again) its buffer's line.
void print_failure_line(std::FILE* out, std::size_t op_index, const char* error, std::uint64_t request) {
  std::fprintf(out, "{\"op\":%zu,\"error\":\"%s\"", op_index, error);
  if (request != 0) std::fprintf(out, ",\"upstream_request\":%llu", static_cast<unsigned long long>(request));
  std::fprintf(out, "}\n");
}

void trace_model(const SequenceFile& file, std::FILE* out) {
  ReferenceModel model(file.settings);
  for (std::size_t i = 0; i < file.ops.size(); ++i) {
    const Outcome outcome = model.apply(file.ops[i]);
    if (outcome.failed_request) print_failure_line(out, i, "bad_alloc", *outcome.failed_request);
    if (const Refusal refused = refusal_of(file.ops[i]); refused != Refusal::kNone)
      print_failure_line(out, i, refusal_name(refused).data(), 0);
    if (outcome.kind == Outcome::Kind::kBuffer) print_trace_line(out, outcome.buffer, outcome.placement);
  }
}

void trace_allocator(const SequenceFile& file, std::FILE* out) {
  AllocatorRun<> run(file.settings);
  for (std::size_t i = 0; i < file.ops.size(); ++i) {
    const AllocatorRun<>::Step step = run.step(file.ops[i]);
    if (step.failed_request) print_failure_line(out, i, "bad_alloc", *step.failed_request);
    if (step.refused != Refusal::kNone) print_failure_line(out, i, refusal_name(step.refused).data(), 0);  // no buffer
    if (step.placed) print_trace_line(out, *step.placed, run.buffer(*step.placed).placement());
  }
}

void trace_to(const Options& options, const SequenceFile& file, std::FILE* out) {
  if (options.model) trace_model(file, out);
  else trace_allocator(file, out);
}

// The one input file of trace and convert; nullopt after reporting why not.
std::optional<SequenceFile> load_single(const Options& options, std::string_view command) {
  if (options.inputs.size() != 1) {
    usage_error(std::string(command) + " takes exactly one file");
    return std::nullopt;
  }
  LoadResult loaded = load_sequence(options.inputs[0], options.settings);
  if (loaded.error) std::cerr << "poolcheck: " << loaded.error->to_string() << "\n";
  return std::move(loaded.file);
}

// `trace --out-dir DIR FILE...`: DIR/I.trace for the I-th file, or
// DIR/I.error with what stderr got (poolcheck: FILE:LINE: problem) for a file
// that cannot be read; every file is tried, and the exit is 2 if any failed.
int trace_batch(const Options& options) {
  if (options.inputs.empty()) return usage_error("trace --out-dir needs at least one file");
  const std::filesystem::path dir = options.out_dir;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    std::cerr << "poolcheck: " << dir.string() << ": cannot create directory: " << ec.message() << "\n";
    return kBadInput;
  }
  std::size_t bad = 0;
  for (std::size_t i = 0; i < options.inputs.size(); ++i) {
    const std::string name = std::to_string(i);
    for (const char* kind : {".trace", ".error"}) std::filesystem::remove(dir / (name + kind), ec);  // an earlier run's
    LoadResult loaded = load_sequence(options.inputs[i], options.settings);
    if (loaded.error) {
      const std::string message = "poolcheck: " + loaded.error->to_string() + "\n";
      std::cerr << message;
      std::ofstream(dir / (name + ".error"), std::ios::binary) << message;
      ++bad;
      continue;
    }
    // Written under another name first: a crash leaves no I.trace.
    const std::filesystem::path path = dir / (name + ".trace"), part = dir / (name + ".trace.part");
    std::FILE* out = std::fopen(part.c_str(), "wb");
    bool written = out != nullptr;
    if (written) {
      trace_to(options, *loaded.file, out);
      written = std::ferror(out) == 0;
      written = std::fclose(out) == 0 && written;
      if (written) std::filesystem::rename(part, path, ec);
      written = written && !ec;
    }
    if (!written) {
      std::cerr << "poolcheck: " << path.string() << ": cannot write\n";
      ++bad;
    }
  }
  return bad > 0 ? kBadInput : kOk;
}

int trace(const Options& options) {
  if (!options.out_dir.empty()) return trace_batch(options);
  std::optional<SequenceFile> file = load_single(options, "trace");
  if (!file) return kBadInput;
  trace_to(options, *file, stdout);
  return std::fflush(stdout) == 0 ? kOk : kBadInput;
}

int map(const Options& options) {
  std::optional<SequenceFile> file = load_single(options, "map");
  if (!file) return kBadInput;
  if (options.out.empty()) return usage_error("map needs -o OUT.svg or -o OUT.html");
  return write_map(*file, options.model, options.at, options.out);
}

int convert(const Options& options) {
  std::optional<SequenceFile> loaded = load_single(options, "convert");
  if (!loaded) return kBadInput;
  const SequenceFile& file = *loaded;
  if (!file.text) {
    const std::string text = to_text(file.ops, file.settings);
    if (options.out.empty()) {
      std::cout << text;
      return std::cout.flush() ? kOk : kBadInput;
    }
    std::ofstream(options.out, std::ios::binary) << text;
    return kOk;
  }
  if (options.out.empty()) return usage_error("converting text to binary needs -o OUT");
  std::vector<std::uint8_t> bytes;
  try {
    bytes = encode_ops(file.ops, file.settings);
  } catch (const std::invalid_argument& error) {
    std::cerr << "poolcheck: " << file.path.string() << ": " << error.what() << "\n";
    return kBadInput;
  }
  std::ofstream out(options.out, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) {
    std::cerr << "poolcheck: " << options.out << ": cannot write\n";
    return kBadInput;
  }
  return kOk;
}

}  // namespace
}  // namespace poolcheck

int main(int argc, char** argv) {
  using namespace poolcheck;
  if (argc < 2) return usage_error("missing command");
  const std::string_view command = argv[1];
  if (command == "--help" || command == "-h" || command == "help") {
    std::cout << usage();
    return kOk;
  }
  if (command == "record") return record_command(argc, argv);
  if (command == "whatif") return whatif_command(argc, argv);
  if (const std::optional<int> code = adapter_command(argc, argv)) return *code;  // --allocator, --fail-each
  std::optional<Options> options = parse_options(argc, argv, 2);
  if (!options) return kBadInput;
  if (command == "replay") return replay(*options);
  if (command == "trace") return trace(*options);
  if (command == "convert") return convert(*options);
  if (command == "map") return map(*options);
  if (command == "parse") return parse_command(options->settings, options->inputs);
  return usage_error("unknown command '" + std::string(command) + "'");
}
