// adapter_table CORPUS FUZZ_TSV: the per-allocator table of docs/ADAPTERS.md
// ("The built-in adapters"), made from the one list of built-in adapters
// (POOLCHECK_BUILTIN_ADAPTERS), their optional parts (adapter.h), a replay of
// every file under CORPUS on each, and the committed fuzz run FUZZ_TSV
// (model/adapter/fuzz_adapters.sh with FORMAT=tsv). ctest
// `adapters_builtin_table` (label docs) checks that the doc's block is what
// this prints, so the table cannot drift from the code, the corpus or the
// data. Exit 2 with `FILE:LINE: problem` on bad input.
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "model/adapter/adapter.h"
#include "model/adapter/builtin_adapters.h"
#include "model/adapter/check_adapter.h"
#include "model/ops/spec_limits.h"
#include "model/reference/sequence_file.h"

namespace poolcheck {
namespace {

struct FuzzRow {
  std::string seconds, executions, rate, found;
};

// The checks of model/adapter/adapter_checker.h that can fire on A, by
// its optional parts, and its model's checker where it has one.
template <class A>
std::string checks_of() {
  std::string checks = "alignment";
  if constexpr (requires { A::kMaxAlignment; })
    if (A::kMaxAlignment < spec::kMaxRequestAlignment)
      checks += " (asked at most " + std::to_string(A::kMaxAlignment) + ")";
  checks += ", overlap, content";
  if constexpr (HasUpstream<A> && HasUsableSize<A>) checks += ", bounds (upstream, usable size)";
  else if constexpr (HasUpstream<A>) checks += ", bounds (upstream)";
  else if constexpr (HasUsableSize<A>) checks += ", bounds (usable size)";
  if constexpr (HasUpstream<A>) checks += ", leak, upstream";
  if constexpr (injects_failures<A>()) checks += ", failure, failure atomicity";
  if constexpr (HasModel<A>) checks += "; its model's checker (differential)";
  return checks;
}

template <class A>
std::string row(const std::vector<SequenceFile>& corpus, const std::map<std::string, FuzzRow>& fuzz) {
  std::size_t ops = 0, passed = 0;
  for (const SequenceFile& file : corpus) {
    ops += file.ops.size();
    if (!check_adapter<A>(file.ops, file.settings)) ++passed;
  }
  const std::string name(A::kName);
  std::ostringstream out;
  out << "| `" << name << "` | " << checks_of<A>() << " | " << (CanReallocate<A> ? "reallocate" : "copy") << " | "
      << ops << " ops in " << corpus.size() << " files: " << passed << " pass | ";
  const auto it = fuzz.find("fuzz_adapter_" + name);
  if (it == fuzz.end()) out << "not run | | |";
  else out << it->second.executions << " in " << it->second.seconds << " s | " << it->second.rate << " | " << it->second.found << " |";
  return out.str();
}

int run(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: adapter_table CORPUS FUZZ_TSV\n";
    return 2;
  }
  std::vector<SequenceFile> corpus;
  const ExpandedInputs inputs = expand_inputs({argv[1]});
  for (const LoadError& error : inputs.errors) return std::cerr << error.to_string() << "\n", 2;
  for (const auto& path : inputs.files) {
    LoadResult loaded = load_sequence(path);
    if (loaded.error) return std::cerr << loaded.error->to_string() << "\n", 2;
    corpus.push_back(std::move(*loaded.file));
  }
  std::ifstream in(argv[2]);
  if (!in) return std::cerr << argv[2] << ": cannot read\n", 2;
  std::map<std::string, FuzzRow> fuzz;
  std::string line, note;
  for (std::size_t number = 1; std::getline(in, line); ++number) {
    if (line.empty()) continue;
    if (line[0] == '#') {
      if (line.rfind("# run: ", 0) == 0) note = line.substr(7);
      continue;
    }
    std::vector<std::string> fields(1);
    for (const char c : line) {
      if (c == '\t') fields.emplace_back();
      else fields.back() += c;
    }
    if (fields.size() != 7)
      return std::cerr << argv[2] << ":" << number << ": expected 7 tab-separated fields, got " << fields.size() << "\n",
             2;
    std::string found = fields[4];
    if (found == "crash") found += " (" + fields[6] + ", " + fields[5] + "-byte input)";
    fuzz[fields[0]] = {fields[1], fields[2], fields[3], found};
  }
  // Every row before any output: loading jemalloc may run the program
  // again (loaded_library.h), which must not repeat lines already written.
  std::string table =
      "| adapter | checks that ran | `realloc`, `from` | corpus replayed | fuzzing: executions | exec/s | found |\n"
      "| --- | --- | --- | --- | ---: | ---: | --- |\n";
#define POOLCHECK_ROW(name, Type) table += row<adapters::Type>(corpus, fuzz) + "\n";
  POOLCHECK_BUILTIN_ADAPTERS(POOLCHECK_ROW)
#undef POOLCHECK_ROW
  if (!note.empty()) table += "\nFuzzing: " + note + "\n";
  std::cout << table;
  return 0;
}

}  // namespace
}  // namespace poolcheck

int main(int argc, char** argv) { return poolcheck::run(argc, argv); }
