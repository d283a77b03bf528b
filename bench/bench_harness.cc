// poolcheck_bench_harness: what checking costs. The reference model alone
// (ReferenceModel::apply) and the differential checker (step + finish, the
// allocator and the model side by side) on two kinds of op sequences:
//   decoded      seeded random bytes through decode_ops, as a fuzz target
//                sees its inputs (the fuzz targets' own execs/s are in
//                docs/FUZZING.md)
//   node_stream  the node_stream workload written as ops: long sequences
//                with many live buffers
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "bench/measure.h"
#include "bench/workloads.h"
#include "model/checks/checker.h"
#include "model/ops/op_codec.h"
#include "model/reference/decode_ops.h"
#include "model/reference/reference_model.h"

namespace poolcheck::bench {
namespace {

struct Sequence {
  PoolOptions settings;
  std::vector<Op> ops;
};

std::vector<Sequence> decoded() {
  constexpr std::size_t kInputs = 64, kMinBytes = 64, kMaxBytes = 4096;
  std::mt19937_64 rng(0xf022);
  std::uniform_int_distribution<std::size_t> length(kMinBytes, kMaxBytes);
  std::uniform_int_distribution<unsigned> byte(0, 255);
  std::vector<Sequence> result;
  for (std::size_t i = 0; i < kInputs; ++i) {
    std::vector<std::uint8_t> bytes(length(rng));
    for (std::uint8_t& b : bytes) b = static_cast<std::uint8_t>(byte(rng));
    DecodedOps d = decode_ops(bytes);
    result.push_back({d.settings, std::move(d.ops)});
  }
  return result;
}

// Slots become buffer numbers: the op language numbers buffers in creation
// order.
std::vector<Sequence> node_stream() {
  const Stream& stream = workloads().node_stream;
  std::vector<Sequence> result;
  for (std::size_t round = 0; round < kVariants; ++round) {
    Sequence sequence;
    std::vector<std::uint64_t> buffer_in_slot(stream.slots());
    std::uint64_t next_buffer = 0;
    for (const Stream::Step& step : stream.steps(round)) {
      if (step.allocate) {
        buffer_in_slot[step.slot] = next_buffer++;
        sequence.ops.push_back(Op::alloc(step.size));
      } else {
        sequence.ops.push_back(Op::release(buffer_in_slot[step.slot]));
      }
    }
    result.push_back(std::move(sequence));
  }
  return result;
}

// ops/s alone hides the checker's main cost: it writes a pattern into every
// byte of every buffer and reads it back on release. So the bytes buffers
// hold are counted too.
void count_work(benchmark::State& state, const std::vector<Sequence>& sequences) {
  std::int64_t ops = 0, bytes = 0;
  for (const Sequence& s : sequences) {
    ops += static_cast<std::int64_t>(s.ops.size());
    for (const Op& op : s.ops) {
      if (!creates_buffer(op) || refused(op)) continue;
      bytes += static_cast<std::int64_t>(op.kind == OpKind::kFrom ? op.b : op.a);
    }
  }
  state.counters["ops"] = static_cast<double>(ops);
  state.SetItemsProcessed(state.iterations() * ops);
  state.SetBytesProcessed(state.iterations() * bytes);
}

void model(benchmark::State& state, const std::vector<Sequence>& sequences) {
  for (auto _ : state) {
    for (const Sequence& s : sequences) {
      ReferenceModel reference(s.settings);
      for (const Op& op : s.ops) benchmark::DoNotOptimize(reference.apply(op));
    }
  }
  count_work(state, sequences);
}

void checker(benchmark::State& state, const std::vector<Sequence>& sequences) {
  for (auto _ : state) {
    for (const Sequence& s : sequences) {
      DifferentialChecker<> check(s.settings);
      for (const Op& op : s.ops)
        if (check.step(op)) break;
      if (check.finish()) return state.SkipWithError("the checker found a divergence");
    }
  }
  count_work(state, sequences);
}

void add(const std::string& name, void (*run)(benchmark::State&, const std::vector<Sequence>&),
         const std::vector<Sequence>& sequences) {
  with_spread(benchmark::RegisterBenchmark(name.c_str(), [run, &sequences](benchmark::State& state) {
    run(state, sequences);
  }));
}

}  // namespace

void register_benchmarks() {
  static const std::vector<Sequence> decoded_ops = decoded();
  static const std::vector<Sequence> stream_ops = node_stream();
  add("BM_model/decoded", model, decoded_ops);
  add("BM_model/node_stream", model, stream_ops);
  add("BM_checker/decoded", checker, decoded_ops);
  add("BM_checker/node_stream", checker, stream_ops);
}

}  // namespace poolcheck::bench
