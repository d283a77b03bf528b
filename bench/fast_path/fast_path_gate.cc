// The fast-path gate: what the compiled pooled fast paths cost, counted
// without a clock, against a checked-in golden file.
//
//   fast_path_gate --golden FILE            compare; exit 1 on any difference
//   fast_path_gate --golden FILE --update   write the counts measured now
//   add --show to print every path's instructions
//
// Each path is traced by single-stepping its wrapper (single_step.h) in a
// fixed allocator state, and every executed instruction is classified from
// objdump's disassembly of this executable (instruction_cost.h). The counts
// are the instructions executed from the wrapper's entry to its ret,
// inclusive, on the path a steady-state pooled request takes.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench/fast_path/fast_path_wrappers.h"
#include "bench/fast_path/instruction_cost.h"
#include "bench/fast_path/single_step.h"

namespace poolcheck::fast_path {
namespace {

struct Path {
  std::string name;
  std::string what;
  Cost cost;
  std::vector<std::string> listing;  // one line per executed instruction
};

std::string self_path() {
  char buffer[4096];
  const ssize_t n = readlink("/proc/self/exe", buffer, sizeof buffer - 1);
  if (n <= 0) throw std::runtime_error("cannot read /proc/self/exe");
  return std::string(buffer, static_cast<std::size_t>(n));
}

class Tracer {
 public:
  Tracer() : code_(disassemble(self_path())), bias_(load_bias()) {}

  Path trace(std::string name, std::string what, const void* entry, const std::function<void()>& call) {
    Path path{std::move(name), std::move(what), {}, {}};
    for (std::uintptr_t at : trace_call(entry, call)) {
      const auto found = code_.find(at - bias_);
      if (found == code_.end()) throw std::runtime_error(path.name + ": no instruction at " + hex(at - bias_) + " in the executable");
      const Cost cost = cost_of(parse_instruction(found->second));
      path.cost += cost;
      path.listing.push_back(hex(found->first) + "  " + found->second + tags(cost));
    }
    return path;
  }

 private:
  static std::string hex(std::uintptr_t x) {
    std::ostringstream out;
    out << std::hex << x;
    return out.str();
  }
  static std::string tags(const Cost& c) {
    std::string out;
    if (c.branches) out += " [branch]";
    if (c.loads) out += " [load]";
    if (c.stores) out += " [store]";
    if (c.calls) out += " [call]";
    return out;
  }

  std::map<std::uintptr_t, std::string> code_;
  std::uintptr_t bias_;
};

// The paths, each in the steady state the benchmarks run in: a current pool
// with room, a release that leaves its pool alive.
std::vector<Path> measure(Tracer& tracer, Path* slower) {
  std::vector<Path> paths;
  PoolAllocator allocator;
  Buffer first = allocator.allocate(64);  // starts the pool
  Buffer second, third, extra, slot;
  paths.push_back(tracer.trace("pool_allocate_64", "allocate(64): pooled, the pool has room, no padding",
                               reinterpret_cast<const void*>(&pool_allocate),
                               [&] { second = pool_allocate(allocator, 64); }));
  paths.push_back(tracer.trace("pool_allocate_61", "allocate(61): pooled, the pool has room, 3 bytes of padding",
                               reinterpret_cast<const void*>(&pool_allocate),
                               [&] { third = pool_allocate(allocator, 61); }));
  paths.push_back(tracer.trace("pool_allocate_into", "slot = allocate(64) into an empty handle, the pool has room",
                               reinterpret_cast<const void*>(&pool_allocate_into),
                               [&] { pool_allocate_into(allocator, slot, 64); }));
  paths.push_back(tracer.trace("pool_release", "release a pooled buffer; its pool stays alive",
                               reinterpret_cast<const void*>(&pool_release), [&] { pool_release(first); }));
  *slower = tracer.trace("pool_allocate_slower", "self-check: allocate(64) with one extra load and compare",
                         reinterpret_cast<const void*>(&pool_allocate_slower),
                         [&] { extra = pool_allocate_slower(allocator, 64); });
  bench::BumpAdapter bump;
  bench::Block a = bump.allocate(64);
  bench::Block b;
  paths.push_back(tracer.trace("bump_allocate_64", "reference: the bench's bump pointer, allocate(64) with room",
                               reinterpret_cast<const void*>(&bump_allocate), [&] { b = bump_allocate(bump, 64); }));
  paths.push_back(tracer.trace("bump_release", "reference: the bump pointer's release, others still live",
                               reinterpret_cast<const void*>(&bump_release), [&] { bump_release(bump, a); }));
  bump.release(b);
  return paths;
}

std::string golden_line(const Path& p) {
  const Cost& c = p.cost;
  char line[256];
  std::snprintf(line, sizeof line, "%-20s %12d %8d %5d %6d %5d", p.name.c_str(), c.instructions, c.branches, c.loads,
                c.stores, c.calls);
  return line;
}

constexpr const char* kHeader =
    "# The compiled fast paths of bench/fast_path/fast_path_wrappers.cc (g++ 12 -O3 -DNDEBUG, x86-64):\n"
    "# instructions executed from the wrapper's entry to its ret inclusive, traced by single-stepping;\n"
    "# branches = conditional jumps; loads/stores = instructions that read/write memory; calls.\n"
    "# Written by fast_path_gate --update; how to count and update: docs/BENCHMARKS.md, \"The fast-path gate\".\n"
    "# path               instructions branches loads stores calls\n";

std::map<std::string, Cost> read_golden(const std::string& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error(file + ": cannot read the golden file");
  std::map<std::string, Cost> out;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string name;
    Cost c;
    if (!(fields >> name >> c.instructions >> c.branches >> c.loads >> c.stores >> c.calls))
      throw std::runtime_error(file + ":" + std::to_string(number) + ": expected NAME and five counts");
    out[name] = c;
  }
  return out;
}

int run(const std::string& golden_file, bool update, bool show) {
  Tracer tracer;
  Path slower;
  const std::vector<Path> paths = measure(tracer, &slower);
  // The count must notice a slower fast path, or the gate proves nothing.
  const Path& base = paths.front();
  if (!(slower.cost.instructions > base.cost.instructions && slower.cost.loads > base.cost.loads)) {
    std::cerr << "fast_path_gate: self-check failed: the deliberately slower path counts "
              << golden_line(slower) << " against " << golden_line(base) << "\n";
    return 1;
  }
  if (show)
    for (const Path& p : paths) {
      std::cout << "\n" << p.name << ": " << p.what << "\n";
      for (const std::string& l : p.listing) std::cout << "  " << l << "\n";
    }
  if (update) {
    std::ofstream out(golden_file);
    out << kHeader;
    for (const Path& p : paths) out << golden_line(p) << "\n";
    if (!out) throw std::runtime_error(golden_file + ": cannot write");
    std::cout << "fast_path_gate: wrote " << golden_file << "\n";
    return 0;
  }
  const std::map<std::string, Cost> golden = read_golden(golden_file);
  bool differs = false;
  std::cout << kHeader;
  for (const Path& p : paths) {
    const auto g = golden.find(p.name);
    std::cout << golden_line(p);
    if (g == golden.end()) {
      std::cout << "   NOT IN THE GOLDEN FILE\n";
      differs = true;
      continue;
    }
    const Cost& w = g->second;
    const bool worse = p.cost.instructions > w.instructions || p.cost.branches > w.branches ||
                       p.cost.loads > w.loads || p.cost.stores > w.stores || p.cost.calls > w.calls;
    if (p.cost == w) {
      std::cout << "   = golden\n";
      continue;
    }
    differs = true;
    std::cout << (worse ? "   WORSE than golden: " : "   better than golden: ") << golden_line({p.name, "", w, {}})
              << "\n";
    for (const std::string& l : p.listing) std::cout << "      " << l << "\n";
  }
  std::cout << "self-check: " << golden_line(slower) << " (a deliberately slower allocate(64): noticed)\n";
  if (differs) {
    std::cout << "\nfast_path_gate: the fast path's cost differs from " << golden_file << ".\n"
              << "If the change is intended, update the golden file in the same commit and say why in its message:\n"
              << "  cmake --build --preset default --target fast_path_gate && \\\n"
              << "    build/default/bench/fast_path/fast_path_gate --golden bench/fast_path/fast_path.golden --update\n";
    return 1;
  }
  std::cout << "fast_path_gate: every path matches the golden file\n";
  return 0;
}

}  // namespace
}  // namespace poolcheck::fast_path

int main(int argc, char** argv) {
  std::string golden;
  bool update = false, show = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--golden" && i + 1 < argc) golden = argv[++i];
    else if (arg == "--update") update = true;
    else if (arg == "--show") show = true;
    else {
      std::cerr << "usage: fast_path_gate --golden FILE [--update] [--show]\n";
      return 2;
    }
  }
  if (golden.empty()) {
    std::cerr << "usage: fast_path_gate --golden FILE [--update] [--show]\n";
    return 2;
  }
  try {
    return poolcheck::fast_path::run(golden, update, show);
  } catch (const std::exception& error) {
    std::cerr << "fast_path_gate: " << error.what() << "\n";
    return 2;
  }
}
