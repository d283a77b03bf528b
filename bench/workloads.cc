// The requests behind each workload, generated once from a fixed seed.
#include "bench/workloads.h"

#include <cstdint>
#include <random>

namespace poolcheck::bench {
namespace {

constexpr std::uint64_t kSeed = 0x5eed'b0ff'e125;

// node_stream's shape (see Stream): chunks of 1..1023 bytes, each released
// 1..16 chunks later; one chunk in 50 is instead a 1..64-byte slice kept to
// the end of the round, so about 20 pinning buffers per round.
constexpr std::size_t kChunkMax = 1023;
constexpr std::size_t kMaxLifetime = 16;
constexpr std::size_t kKeepEvery = 50;
constexpr std::size_t kKeptMax = 64;

std::vector<std::size_t> uniform_sizes(std::size_t lo, std::size_t hi, std::mt19937_64& rng) {
  std::uniform_int_distribution<std::size_t> size(lo, hi);
  std::vector<std::size_t> sizes(kVariants * kBuffersPerRound);
  for (std::size_t& s : sizes) s = size(rng);
  return sizes;
}

class StreamBuilder {
 public:
  // One round; `slots` grows to the most buffers ever live at once.
  std::vector<Stream::Step> round(std::mt19937_64& rng, std::size_t& slots) {
    std::uniform_int_distribution<std::uint32_t> chunk(1, kChunkMax), kept(1, kKeptMax);
    std::uniform_int_distribution<std::size_t> lifetime(1, kMaxLifetime);
    std::vector<std::vector<Stream::Step>> due(kBuffersPerRound + kMaxLifetime + 1);
    std::vector<Stream::Step> pinned;
    for (std::size_t t = 0; t < kBuffersPerRound; ++t) {
      for (const Stream::Step& step : due[t]) release(step);
      Stream::Step step{take_slot(), 0, true};
      if (t % kKeepEvery == kKeepEvery / 2) {
        step.size = kept(rng);
        pinned.push_back(step);
      } else {
        step.size = chunk(rng);
        due[t + lifetime(rng)].push_back(step);
      }
      steps_.push_back(step);
    }
    for (std::size_t t = kBuffersPerRound; t < due.size(); ++t)
      for (const Stream::Step& step : due[t]) release(step);
    for (const Stream::Step& step : pinned) release(step);
    slots = std::max<std::size_t>(slots, next_slot_);
    return std::move(steps_);
  }

 private:
  std::uint32_t take_slot() {
    if (free_slots_.empty()) return next_slot_++;
    const std::uint32_t slot = free_slots_.back();
    free_slots_.pop_back();
    return slot;
  }
  void release(const Stream::Step& step) {
    steps_.push_back({step.slot, step.size, false});
    free_slots_.push_back(step.slot);
  }

  std::vector<Stream::Step> steps_;
  std::vector<std::uint32_t> free_slots_;
  std::uint32_t next_slot_ = 0;
};

Stream node_stream(std::mt19937_64& rng) {
  std::vector<std::vector<Stream::Step>> variants;
  std::size_t slots = 0;
  for (std::size_t v = 0; v < kVariants; ++v) variants.push_back(StreamBuilder().round(rng, slots));
  return Stream("node_stream", std::move(variants), slots);
}

Workloads build() {
  std::mt19937_64 rng(kSeed);
  using Call = Batch::Call;
  return Workloads{
      Batch("fixed64", Call::kAllocate, std::vector<std::size_t>(kVariants * kBuffersPerRound, 64)),
      // Node's pooled range under the default pool size: below 8192 / 2.
      Batch("random4k", Call::kAllocate, uniform_sizes(1, 4095, rng)),
      node_stream(rng),
      // Kept 1..1023, so reserves of 4..4092 stay in the pooled range.
      Batch("from_string", Call::kAllocateWith, uniform_sizes(1, 1023, rng)),
  };
}

}  // namespace

const Workloads& workloads() {
  static const Workloads instance = build();
  return instance;
}

}  // namespace poolcheck::bench
