#include "model/checks/tracking_resource.h"

#include <new>
#include <string>

#include "model/checks/divergence.h"

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
  if (requests_ == fail_at_) {
    ++injected_;
    throw std::bad_alloc();
  }
  void* p = upstream_->allocate(bytes, alignment);
  const auto begin = reinterpret_cast<std::uintptr_t>(p);
  blocks_[begin] = Block{begin, bytes, alignment, ++serial_};
  return p;
}

void TrackingResource::do_deallocate(void* p, std::size_t bytes, std::size_t alignment) {
  const auto begin = reinterpret_cast<std::uintptr_t>(p);
  auto it = blocks_.find(begin);
  const auto returned = [&] {
    return hex(begin) + " given back as " + std::to_string(bytes) + " bytes, alignment " + std::to_string(alignment);
  };
  if (it == blocks_.end()) {
    if (!bad_return_) bad_return_ = returned() + ", but no block is held there";
    return;
  }
  const Block block = it->second;
  if ((block.size != bytes || block.alignment != alignment) && !bad_return_)
    bad_return_ = returned() + ", but allocated as " + std::to_string(block.size) + " bytes, alignment " +
                  std::to_string(block.alignment);
  blocks_.erase(it);
  upstream_->deallocate(p, block.size, block.alignment);
}

}  // namespace poolcheck
