// Allocators that place correctly but lie about memory: a correct pool
// allocator underneath, with one twist applied to what it hands out. Test
// code only (model/testing/README.md); each twist breaks one promise that a
// placement check alone cannot see.
#pragma once

#include <cstddef>
#include <memory_resource>
#include <optional>
#include <span>
#include <utility>

#include "allocator/pool_allocator.h"

namespace poolcheck::broken {

template <class Twist>
class Twisted {
 public:
  class Buffer {
   public:
    Buffer() = default;
    std::byte* data() const { return data_; }
    std::size_t size() const { return inner_.size(); }
    std::span<std::byte> bytes() const { return {data_, size()}; }
    Placement placement() const { return inner_.placement(); }
    void release() { inner_.release(); }

    PoolAllocator::Buffer inner_;
    std::byte* data_ = nullptr;  // what the twist says the data is
  };

  explicit Twisted(PoolOptions options) : upstream_(options.upstream), inner_(options) {}
  ~Twisted() {
    if (leaked_) upstream_->deallocate(leaked_, 64, 8);  // too late for the checker
  }

  Buffer allocate(std::size_t n) { return twist(inner_.allocate(n), n); }
  template <class Writer>
  Buffer allocate_with(std::size_t reserve, Writer&& writer) {
    return twist(inner_.allocate_with(reserve, writer), reserve);
  }
  void set_pool_size(std::size_t n) { inner_.set_pool_size(n); }
  std::optional<std::ptrdiff_t> room() const { return inner_.room(); }
  std::size_t block_alignment() const { return inner_.block_alignment(); }
  const PoolStats& stats() const { return inner_.stats(); }

  std::byte* last_data_ = nullptr;
  std::pmr::memory_resource* upstream_;
  void* leaked_ = nullptr;

 private:
  Buffer twist(PoolAllocator::Buffer inner, std::size_t request) {
    Buffer out;
    out.data_ = inner.data();
    out.inner_ = std::move(inner);
    Twist::apply(*this, out, request);
    if (out.size() > 0) last_data_ = out.data_;
    return out;
  }
  PoolAllocator inner_;
};

struct AliasUnpooled {  // the second big buffer is handed the first one's block
  static void apply(auto& self, auto& buffer, std::size_t request) {
    if (request >= 4096 && self.last_data_ != nullptr && !buffer.placement().pooled) buffer.data_ = self.last_data_;
  }
};
struct StrayWrite {  // every new buffer also writes a byte into the previous one
  static void apply(auto& self, auto&, std::size_t) {
    if (self.last_data_ != nullptr) self.last_data_[0] = std::byte{0};
  }
};
struct ShiftedUnpooled {  // an unpooled buffer starts 8 bytes into its block
  static void apply(auto&, auto& buffer, std::size_t) {
    if (!buffer.placement().pooled && buffer.size() > 8) buffer.data_ += 8;
  }
};
struct LeakOnce {  // takes a block from upstream and keeps it
  static void apply(auto& self, auto&, std::size_t) {
    if (self.leaked_ == nullptr) self.leaked_ = self.upstream_->allocate(64, 8);
  }
};

}  // namespace poolcheck::broken
