// MyArena's poolcheck adapter: all a user writes to check their allocator
// (docs/ADAPTERS.md). It draws from the upstream poolcheck hands it, so
// bounds, leaks and returns are checked against real upstream blocks and
// --fail-each / fail_next can make any upstream request fail.
#pragma once

#include <cstddef>
#include <memory_resource>
#include <string_view>

#include "model/adapter/adapter.h"
#include "my_arena.h"

struct MyArenaAdapter {
  static constexpr std::string_view kName = "my_arena";
  explicit MyArenaAdapter(std::pmr::memory_resource* upstream) : arena(upstream) {}
  poolcheck::Block allocate(std::size_t n, std::size_t alignment) {
    return {static_cast<std::byte*>(arena.allocate(n, alignment)), n, alignment};
  }
  void release(poolcheck::Block& block) { arena.deallocate(block.data, block.size, block.alignment); }
  MyArena arena;
};
static_assert(poolcheck::Adapter<MyArenaAdapter>);
