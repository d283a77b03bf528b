// The four allocation workloads, written once and run on every allocator.
//
// An adapter gives each allocator the same face:
//   using Handle = ...;                   what the workload keeps per buffer
//   Handle allocate(n);
//   Handle allocate_with(reserve, writer) writer(span of reserve bytes) -> kept
//   void release(Handle&);
//   static std::byte* data(const Handle&);
//   std::size_t held() const;             bytes held from upstream or the system
// A probe watches the bytes in use (NoProbe in timed runs: it compiles away).
//
// Every workload runs in rounds of kBuffersPerRound buffers, each allocated,
// touched and released once; round r uses variant r % kVariants of the
// workload's sizes, generated up front from a fixed seed so that every
// allocator sees exactly the same requests and no time goes to a generator.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

namespace poolcheck::bench {

inline constexpr std::size_t kBuffersPerRound = 1000;
inline constexpr std::size_t kVariants = 8;

// Writes the first and the last byte. Buffers are at most 4 KiB, so that is
// every page they span: a page fault happens where the allocator causes it,
// and no allocator gets away with memory nobody uses. Filling the content
// would cost every allocator the same and only hide the differences.
inline void touch(std::byte* data, std::size_t n) {
  if (n == 0) return;
  data[0] = std::byte{1};
  data[n - 1] = std::byte{2};
  benchmark::DoNotOptimize(data);
}

struct NoProbe {
  void allocated(std::size_t) {}
  void released(std::size_t) {}
};

// fixed64, random4k and from_string: allocate kBuffersPerRound buffers, then
// release them in the order they were made. from_string reserves four times
// what it keeps (Buffer.from(string) reserves for the worst encoding).
class Batch {
 public:
  enum class Call { kAllocate, kAllocateWith };
  static constexpr std::size_t kReserveFactor = 4;

  Batch(std::string name, Call call, std::vector<std::size_t> sizes)
      : name_(std::move(name)), call_(call), sizes_(std::move(sizes)) {}

  const std::string& name() const { return name_; }
  std::size_t slots() const { return kBuffersPerRound; }

  template <class Adapter, class Probe>
  void run(Adapter& adapter, std::size_t round, std::span<typename Adapter::Handle> live,
           Probe& probe) const {
    const std::size_t* sizes = sizes_.data() + (round % kVariants) * kBuffersPerRound;
    for (std::size_t i = 0; i < kBuffersPerRound; ++i) {
      live[i] = make(adapter, sizes[i]);
      probe.allocated(sizes[i]);
    }
    for (std::size_t i = 0; i < kBuffersPerRound; ++i) {
      adapter.release(live[i]);
      probe.released(sizes[i]);
    }
  }

 private:
  template <class Adapter>
  typename Adapter::Handle make(Adapter& adapter, std::size_t kept) const {
    if (call_ == Call::kAllocate) {
      auto handle = adapter.allocate(kept);
      touch(Adapter::data(handle), kept);
      return handle;
    }
    return adapter.allocate_with(kReserveFactor * kept, [kept](std::span<std::byte> reserved) {
      touch(reserved.data(), kept);
      return kept;
    });
  }

  std::string name_;
  Call call_;
  std::vector<std::size_t> sizes_;  // kVariants rounds, one after the other
};

// node_stream: a stream of short-lived small chunks, each released a few
// chunks later, and now and then a small slice kept until the end of the
// round (a parsed header, a session id). Those few pin the pools they sit in.
class Stream {
 public:
  struct Step {
    std::uint32_t slot;
    std::uint32_t size;
    bool allocate;  // else release the buffer in `slot`
  };

  Stream(std::string name, std::vector<std::vector<Step>> variants, std::size_t slots)
      : name_(std::move(name)), variants_(std::move(variants)), slots_(slots) {}

  const std::string& name() const { return name_; }
  std::size_t slots() const { return slots_; }
  const std::vector<Step>& steps(std::size_t round) const { return variants_[round % kVariants]; }

  template <class Adapter, class Probe>
  void run(Adapter& adapter, std::size_t round, std::span<typename Adapter::Handle> live,
           Probe& probe) const {
    for (const Step& step : steps(round)) {
      if (step.allocate) {
        live[step.slot] = adapter.allocate(step.size);
        touch(Adapter::data(live[step.slot]), step.size);
        probe.allocated(step.size);
      } else {
        adapter.release(live[step.slot]);
        probe.released(step.size);
      }
    }
  }

 private:
  std::string name_;
  std::vector<std::vector<Step>> variants_;
  std::size_t slots_;
};

struct Workloads {
  Batch fixed64;
  Batch random4k;
  Stream node_stream;
  Batch from_string;
};

// Built on first use, once per process.
const Workloads& workloads();

}  // namespace poolcheck::bench
