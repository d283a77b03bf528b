#include "model/checks/tracking_resource.h"

#include <cstdio>
#include <cstdlib>
#include <new>

namespace poolcheck {

TrackingResource::~TrackingResource() {
  // Blocks still here were leaked by the allocator; give them back so that
  // the leak is reported by the checker, not by LeakSanitizer at exit.
  for (auto& [begin, block] : blocks_)
    upstream_->deallocate(reinterpret_cast<void*>(begin), block.size, block.alignment);
}

std::optional<TrackingResource::Block> TrackingResource::block_containing(std::uintptr_t address,
                                                                          std::size_t size) const {
  auto it = blocks_.upper_bound(address);
  if (it == blocks_.begin()) return std::nullopt;
  --it;
  const Block& block = it->second;
  if (address - block.begin > block.size || size > block.size - (address - block.begin))
    return std::nullopt;
  return block;
}

void* TrackingResource::do_allocate(std::size_t bytes, std::size_t alignment) {
  ++requests_;
  if (requests_ == fail_at_) throw std::bad_alloc();
  void* p = upstream_->allocate(bytes, alignment);
  const auto begin = reinterpret_cast<std::uintptr_t>(p);
  blocks_[begin] = Block{begin, bytes, alignment, ++serial_};
  return p;
}

void TrackingResource::do_deallocate(void* p, std::size_t bytes, std::size_t alignment) {
  auto it = blocks_.find(reinterpret_cast<std::uintptr_t>(p));
  if (it == blocks_.end() || it->second.size != bytes) {
    std::fprintf(stderr, "poolcheck: deallocate of %p (%zu bytes) that was not allocated so\n", p, bytes);
    std::abort();
  }
  blocks_.erase(it);
  upstream_->deallocate(p, bytes, alignment);
}

}  // namespace poolcheck
