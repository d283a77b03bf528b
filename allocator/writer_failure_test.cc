// allocate_with's failure paths (docs/SPEC.md, Failure): a writer that throws
// or keeps more than it reserved. The exception reaches the caller, and the
// allocator is left as after a reservation that kept nothing and was
// released at once: a pool the reservation started stays current, with the
// old pool's tail waste counted, and no buffer and no block are left over.
#include <gtest/gtest.h>

#include <functional>
#include <memory_resource>
#include <stdexcept>

#include "allocator/pool_allocator.h"

namespace poolcheck {
namespace {

// Counts live upstream blocks.
class CountingResource : public std::pmr::memory_resource {
 public:
  int live = 0;

 private:
  void* do_allocate(std::size_t bytes, std::size_t alignment) override {
    ++live;
    return std::pmr::new_delete_resource()->allocate(bytes, alignment);
  }
  void do_deallocate(void* p, std::size_t bytes, std::size_t alignment) override {
    --live;
    std::pmr::new_delete_resource()->deallocate(p, bytes, alignment);
  }
  bool do_is_equal(const memory_resource& other) const noexcept override { return this == &other; }
};

struct State {
  PoolStats stats;
  std::optional<std::ptrdiff_t> room;
  Placement next;  // where allocate(1) lands afterwards
  int blocks = 0;  // held upstream, after the probe is released
  bool operator==(const State&) const = default;
};

// Runs `before`, then `failing` (which must throw E), and returns the state.
template <class E>
State state_after(const std::function<void(PoolAllocator&, std::vector<Buffer>&)>& before,
                  const std::function<void(PoolAllocator&)>& failing) {
  CountingResource upstream;
  State state;
  {
    PoolOptions options;
    options.upstream = &upstream;
    PoolAllocator allocator(options);
    std::vector<Buffer> kept;
    before(allocator, kept);
    EXPECT_THROW(failing(allocator), E);
    state.stats = allocator.stats();
    state.room = allocator.room();
    Buffer probe = allocator.allocate(1);
    state.next = probe.placement();
    probe.release();
    state.blocks = upstream.live;
  }
  EXPECT_EQ(upstream.live, 0);
  return state;
}

// The state a reservation that kept nothing leaves once its empty buffer is
// released.
State state_after_keeping_nothing(const std::function<void(PoolAllocator&, std::vector<Buffer>&)>& before,
                                  std::size_t reserve) {
  return state_after<std::logic_error>(before, [reserve](PoolAllocator& allocator) {
    Buffer nothing = allocator.allocate_with(reserve, [](std::span<std::byte>) { return std::size_t{0}; });
    nothing.release();
    throw std::logic_error("done");
  });
}

const std::function<void(PoolAllocator&, std::vector<Buffer>&)> kFresh = [](PoolAllocator&, std::vector<Buffer>&) {};
const std::function<void(PoolAllocator&, std::vector<Buffer>&)> kAlmostFull = [](PoolAllocator& a, std::vector<Buffer>& kept) {
  kept.push_back(a.allocate(4000));
  kept.push_back(a.allocate(4000));  // offset 8000: a reservation of 200 starts pool 1
};

TEST(WriterFailure, AThrowingWriterPropagatesAndThePoolItsReservationStartedStaysCurrent) {
  auto thrower = [](std::size_t reserve) {
    return [reserve](PoolAllocator& allocator) {
      (void)allocator.allocate_with(reserve, [](std::span<std::byte>) -> std::size_t { throw std::runtime_error("writer"); });
    };
  };
  for (const auto& before : {kFresh, kAlmostFull}) {
    for (std::size_t reserve : {std::size_t{10}, std::size_t{200}, std::size_t{5000}}) {
      const State state = state_after<std::runtime_error>(before, thrower(reserve));
      EXPECT_EQ(state, state_after_keeping_nothing(before, reserve)) << "reserve " << reserve;
    }
  }
  // Spelled out for one case: the fresh pool the reservation of 10 started is
  // current, and the next buffer is its first.
  const State fresh = state_after<std::runtime_error>(kFresh, thrower(10));
  EXPECT_EQ(fresh.stats.pools_created, 1u);
  EXPECT_EQ(fresh.stats.live_buffers, 0u);
  EXPECT_EQ(fresh.room, 8192);
  EXPECT_EQ(fresh.next, (Placement{true, 0, 0, 1}));
  const State replaced = state_after<std::runtime_error>(kAlmostFull, thrower(200));
  EXPECT_EQ(replaced.stats.tail_waste_bytes, 192u);
  EXPECT_EQ(replaced.next, (Placement{true, 1, 0, 1}));
}

TEST(WriterFailure, AWriterKeepingMoreThanItReservedLeavesTheStateOfOneThatKeptNothing) {
  auto liar = [](std::size_t reserve) {
    return [reserve](PoolAllocator& allocator) {
      (void)allocator.allocate_with(reserve, [](std::span<std::byte> bytes) { return bytes.size() + 1; });
    };
  };
  for (const auto& before : {kFresh, kAlmostFull}) {
    for (std::size_t reserve : {std::size_t{0}, std::size_t{10}, std::size_t{200}, std::size_t{5000}}) {
      const State state = state_after<std::length_error>(before, liar(reserve));
      EXPECT_EQ(state, state_after_keeping_nothing(before, reserve)) << "reserve " << reserve;
    }
  }
  const State fresh = state_after<std::length_error>(kFresh, liar(10));
  EXPECT_EQ(fresh.stats.pools_created, 1u);  // the pool was started before the writer ran
  EXPECT_EQ(fresh.stats.live_pools, 1u);
  EXPECT_EQ(fresh.stats.pool_bytes, 8192u);
  EXPECT_EQ(fresh.next, (Placement{true, 0, 0, 1}));
}

}  // namespace
}  // namespace poolcheck
