// The global heap under the allocator: which of its paths call operator new,
// and what a failing one leaves behind (docs/MUTATION.md, detector `heap`).
//
// The allocator's memory comes from its upstream resource; the global heap
// holds only its bookkeeping: the dead-pool cache (std::vector, reserved in
// the constructor so that retiring a pool never allocates) and the note of
// each over-aligned unpooled block (std::vector, reserved before upstream is
// asked, so that a failure changes nothing). The upstream used here takes
// its blocks from malloc, so every operator new counted below is the
// allocator's own. This executable replaces the global operator new: the
// K-th call made while an allocator call runs throws std::bad_alloc, for K =
// 1, 2, ... up to the number of calls a run makes. Asserted:
//   - a release (Buffer::release(), ~Buffer, a move over a live handle),
//     which is noexcept, never calls operator new;
//   - an allocator call that throws std::bad_alloc leaves its upstream blocks
//     and statistics as they were (nothing leaked, nothing counted), and at
//     the end every block has gone back;
//   - while every call to operator new fails, everything but an over-aligned
//     request (and the constructor) still succeeds: only they need a note.
// No test of the property or unit suites could make the global heap fail, so
// these mutants lived on as "equivalent": deleting either reserve() (a
// push_back in a noexcept release, or after upstream's block was taken).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <new>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "allocator/pool_allocator.h"

namespace {

// Calls to operator new are counted, and can fail, only while `watching`.
struct HeapWatch {
  bool watching = false;
  std::uint64_t calls = 0;
  std::uint64_t fail_at = 0;    // this call throws (0: none)
  bool fail_from = false;       // ... and every call after it
};
HeapWatch heap;

void* heap_allocate(std::size_t size, std::size_t alignment) {
  if (heap.watching) {
    ++heap.calls;
    if (heap.fail_at != 0 && (heap.calls == heap.fail_at || (heap.fail_from && heap.calls > heap.fail_at)))
      throw std::bad_alloc();
  }
  if (size == 0) size = 1;
  void* p = alignment <= alignof(std::max_align_t)
                ? std::malloc(size)
                : std::aligned_alloc(alignment, (size + alignment - 1) / alignment * alignment);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

// Out of line, so that the compiler does not see free() meet operator new's
// pointer (g++'s -Wmismatched-new-delete).
[[gnu::noinline]] void heap_free(void* p) noexcept { std::free(p); }

}  // namespace

void* operator new(std::size_t size) { return heap_allocate(size, 0); }
void* operator new[](std::size_t size) { return heap_allocate(size, 0); }
void* operator new(std::size_t size, std::align_val_t a) { return heap_allocate(size, static_cast<std::size_t>(a)); }
void* operator new[](std::size_t size, std::align_val_t a) { return heap_allocate(size, static_cast<std::size_t>(a)); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return heap_allocate(size, 0);
  } catch (const std::bad_alloc&) {
    return nullptr;
  }
}
void* operator new[](std::size_t size, const std::nothrow_t& tag) noexcept { return operator new(size, tag); }
void* operator new(std::size_t size, std::align_val_t a, const std::nothrow_t&) noexcept {
  try {
    return heap_allocate(size, static_cast<std::size_t>(a));
  } catch (const std::bad_alloc&) {
    return nullptr;
  }
}
void* operator new[](std::size_t size, std::align_val_t a, const std::nothrow_t& tag) noexcept {
  return operator new(size, a, tag);
}
void operator delete(void* p) noexcept { heap_free(p); }
void operator delete[](void* p) noexcept { heap_free(p); }
void operator delete(void* p, std::size_t) noexcept { heap_free(p); }
void operator delete[](void* p, std::size_t) noexcept { heap_free(p); }
void operator delete(void* p, std::align_val_t) noexcept { heap_free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { heap_free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { heap_free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { heap_free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { heap_free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { heap_free(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { heap_free(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { heap_free(p); }

namespace poolcheck {
namespace {

// Upstream blocks from malloc (never operator new), counted.
class MallocResource : public std::pmr::memory_resource {
 public:
  int live = 0;

 private:
  void* do_allocate(std::size_t bytes, std::size_t alignment) override {
    alignment = std::max(alignment, sizeof(void*));
    void* p = std::aligned_alloc(alignment, round_up(bytes == 0 ? 1 : bytes, alignment));
    if (p == nullptr) throw std::bad_alloc();
    ++live;
    return p;
  }
  void do_deallocate(void* p, std::size_t, std::size_t) override {
    --live;
    std::free(p);
  }
  bool do_is_equal(const memory_resource& other) const noexcept override { return this == &other; }
};

// Runs `call` with operator new watched; returns how many calls it made.
std::uint64_t watched(const std::function<void()>& call) {
  const std::uint64_t before = heap.calls;
  heap.watching = true;
  try {
    call();
  } catch (...) {
    heap.watching = false;
    throw;
  }
  heap.watching = false;
  return heap.calls - before;
}

// One step of a script: an allocation (kept in `buffers`) or a release.
struct Step {
  enum Kind { kAlloc, kAligned, kSlow, kWith, kRelease, kMoveOver, kPoolSize } kind;
  std::size_t n = 0;
  std::size_t alignment = 1;  // kAligned, kSlow; for kRelease and kMoveOver: which buffer
  std::string text() const {
    static const char* const names[] = {"alloc", "alloc_aligned", "alloc_slow", "alloc_with", "release",
                                        "move_over", "pool_size"};
    return std::string(names[kind]) + " " + std::to_string(n) + " " + std::to_string(alignment);
  }
};

struct Script {
  std::string name;
  PoolOptions options;
  std::vector<Step> steps;
};

// Pseudo-random scripts (fixed seeds): every allocating path, alignments on
// both sides of block_alignment() and of kPoolBaseAlignment, releases that
// kill pools while the cache has room and when it is full.
Script random_script(std::uint32_t seed, std::size_t pool_size, std::size_t cache_limit, int steps) {
  std::mt19937 random(seed);
  Script script{"seed " + std::to_string(seed) + ", pool_size " + std::to_string(pool_size) + ", cache_limit " +
                    std::to_string(cache_limit),
                {}, {}};
  script.options.pool_size = pool_size;
  script.options.cache_limit = cache_limit;
  const std::size_t alignments[] = {1, 8, 16, 32, 64, 128, 256, 4096};
  std::size_t live = 0;
  for (int i = 0; i < steps; ++i) {
    const auto pick = [&](std::size_t below) { return static_cast<std::size_t>(random() % below); };
    const std::size_t n = pick(4) == 0 ? pool_size / 2 + pick(pool_size) : 1 + pick(pool_size / 3);
    switch (live > 0 && pick(5) < 2 ? pick(2) + 4 : pick(4)) {
      case 0: script.steps.push_back({Step::kAlloc, n}); ++live; break;
      case 1: script.steps.push_back({Step::kAligned, n, alignments[pick(8)]}); ++live; break;
      case 2: script.steps.push_back({Step::kSlow, n, alignments[pick(8)]}); ++live; break;
      case 3: script.steps.push_back({Step::kWith, n}); ++live; break;
      case 4: script.steps.push_back({Step::kRelease, 0, pick(live)}); --live; break;
      default: script.steps.push_back({Step::kMoveOver, 0, pick(live)}); --live; break;
    }
  }
  return script;
}

std::vector<Script> scripts() {
  std::vector<Script> all;
  // Pools die in the order they were made, and then all at once, with the
  // cache empty, partly full and full (cache_limit 2): retire() both caches
  // and destroys; a short pool size makes many pools.
  Script deaths{"pool deaths", {}, {}};
  deaths.options.pool_size = 256;
  deaths.options.cache_limit = 2;
  for (int i = 0; i < 12; ++i) deaths.steps.push_back({Step::kAlloc, 100});
  for (int i = 0; i < 12; ++i) deaths.steps.push_back({Step::kRelease, 0, 0});
  for (int i = 0; i < 6; ++i) deaths.steps.push_back({Step::kAligned, 100, 128});
  for (int i = 0; i < 6; ++i) deaths.steps.push_back({Step::kMoveOver, 0, 5 - static_cast<std::size_t>(i)});
  all.push_back(deaths);
  for (std::uint32_t seed = 1; seed <= 3; ++seed) all.push_back(random_script(seed, 1024, 4, 60));
  all.push_back(random_script(4, 8192, 512, 60));
  return all;
}

std::size_t keep(std::size_t reserved) { return reserved - reserved / 3; }

// One run of a script; the `fail_at`-th call to operator new throws. Every
// check of the file header is asserted here. Returns the calls made.
std::uint64_t run(const Script& script, std::uint64_t fail_at) {
  const std::string where = script.name + ", failing call " + std::to_string(fail_at);
  heap.calls = 0;
  heap.fail_at = fail_at;
  heap.fail_from = false;
  MallocResource upstream;
  {
    std::optional<PoolAllocator> allocator;
    try {
      watched([&] { allocator.emplace(on_upstream(script.options, &upstream)); });
    } catch (const std::bad_alloc&) {
      EXPECT_EQ(upstream.live, 0) << where << ": the constructor failed";
      return heap.calls;
    }
    std::vector<PoolAllocator::Buffer> buffers;
    buffers.reserve(script.steps.size());
    for (const Step& step : script.steps) {
      const std::string what = where + ", step " + step.text();
      if (step.kind == Step::kRelease || step.kind == Step::kMoveOver) {
        if (buffers.empty()) continue;
        const std::size_t at = step.alignment % buffers.size();
        PoolAllocator::Buffer taken = std::move(buffers[at]);
        buffers.erase(buffers.begin() + static_cast<std::ptrdiff_t>(at));
        const std::uint64_t calls = watched([&] {
          if (step.kind == Step::kRelease) {
            taken.release();
          } else {
            PoolAllocator::Buffer empty;
            taken = std::move(empty);
          }
        });
        EXPECT_EQ(calls, 0u) << what << ": a release called operator new";
        continue;
      }
      const PoolStats stats = allocator->stats();
      const int blocks = upstream.live;
      try {
        watched([&] {
          switch (step.kind) {
            case Step::kAlloc: buffers.push_back(allocator->allocate(step.n)); break;
            case Step::kAligned: buffers.push_back(allocator->allocate(step.n, step.alignment)); break;
            case Step::kSlow: buffers.push_back(allocator->allocate_slow(step.n, step.alignment)); break;
            default:
              buffers.push_back(allocator->allocate_with(step.n, [](std::span<std::byte> room) {
                return keep(room.size());
              }));
          }
        });
      } catch (const std::bad_alloc&) {
        EXPECT_EQ(upstream.live, blocks) << what << ": a failed call kept an upstream block";
        EXPECT_EQ(allocator->stats(), stats) << what << ": a failed call changed the statistics";
      }
    }
    const std::uint64_t calls = watched([&] { buffers.clear(); });
    EXPECT_EQ(calls, 0u) << where << ": releasing the buffers left called operator new";
  }
  EXPECT_EQ(upstream.live, 0) << where << ": upstream blocks left after the allocator was destroyed";
  return heap.calls;
}

TEST(GlobalHeapFailure, ReleaseNeverCallsItAndAFailingCallLeaksNothing) {
  for (const Script& script : scripts()) {
    const std::uint64_t calls = run(script, 0);
    ASSERT_GT(calls, 0u) << script.name << ": the script makes no call to operator new";
    for (std::uint64_t k = 1; k <= calls; ++k) {
      run(script, k);
      if (testing::Test::HasFailure()) return;  // the first failure is enough
    }
  }
}

// While operator new fails every time, only the requests that need a note
// (an unpooled block aligned beyond block_alignment()) may fail.
TEST(GlobalHeapFailure, OnlyOverAlignedRequestsNeedIt) {
  MallocResource upstream;
  for (const std::size_t alignment : {std::size_t{8}, std::size_t{16}, std::size_t{64}}) {
    PoolOptions options;
    options.alignment = alignment;
    options.pool_size = 1024;
    PoolAllocator allocator(on_upstream(options, &upstream));
    const std::size_t block = allocator.block_alignment();
    std::vector<PoolAllocator::Buffer> buffers;
    buffers.reserve(64);
    heap.calls = 0;
    heap.fail_at = 1;
    heap.fail_from = true;
    for (const std::size_t n : {std::size_t{1}, std::size_t{100}, std::size_t{600}, std::size_t{5000}}) {
      for (std::size_t a = 1; a <= block; a *= 2) {
        const std::string what = "alignment setting " + std::to_string(alignment) + ", request " + std::to_string(n) +
                                 " aligned to " + std::to_string(a) + " (block alignment " + std::to_string(block) +
                                 ")";
        EXPECT_NO_THROW(watched([&] {
          buffers.push_back(allocator.allocate(n));
          buffers.push_back(allocator.allocate(n, a));
          buffers.push_back(allocator.allocate_slow(n, a));
          buffers.push_back(allocator.allocate_with(n, [](std::span<std::byte> room) { return keep(room.size()); }));
        })) << what;
      }
      EXPECT_THROW(watched([&] { buffers.push_back(allocator.allocate_slow(n, block * 2)); }), std::bad_alloc)
          << "an over-aligned request needs a note from operator new, which fails";
      buffers.clear();
    }
    heap.fail_at = 0;
    heap.fail_from = false;
  }
  EXPECT_EQ(upstream.live, 0);
}

}  // namespace
}  // namespace poolcheck
