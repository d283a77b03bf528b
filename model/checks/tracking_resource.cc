#include "model/checks/tracking_resource.h"

#include <algorithm>
#include <cstddef>
#include <new>
#include <string>

#include "model/checks/divergence.h"

namespace poolcheck {

namespace {

// A misaligned block's underlying allocation: guard, misalignment and block,
// guard; the block starts kMisalignment past an address aligned to this.
std::size_t underlying_alignment(std::size_t alignment) { return std::max<std::size_t>(alignment, 4096); }
std::size_t lead(std::size_t alignment) { return underlying_alignment(alignment) + TrackingResource::kMisalignment; }
std::size_t underlying_size(std::size_t bytes, std::size_t alignment) {
  return lead(alignment) + bytes + TrackingResource::kGuardBytes;
}
constexpr std::byte kGuard{0xA5};

}  // namespace

TrackingResource::~TrackingResource() {
  // Blocks still here were leaked by the allocator; give them back so that
  // the leak is reported by the checker, not by LeakSanitizer at exit.
  for (auto& [begin, block] : blocks_) {
    auto* p = reinterpret_cast<std::byte*>(begin);
    if (block.misaligned)
      upstream_->deallocate(p - lead(block.alignment), underlying_size(block.size, block.alignment),
                            underlying_alignment(block.alignment));
    else
      upstream_->deallocate(p, block.size, block.alignment);
  }
}

void* TrackingResource::allocate_misaligned(std::size_t bytes, std::size_t alignment) {
  auto* base = static_cast<std::byte*>(
      upstream_->allocate(underlying_size(bytes, alignment), underlying_alignment(alignment)));
  std::byte* p = base + lead(alignment);
  std::fill(p - kGuardBytes, p, kGuard);
  std::fill(p + bytes, p + bytes + kGuardBytes, kGuard);
  ++misaligned_live_;
  return p;
}

void TrackingResource::deallocate_misaligned(std::byte* p, const Block& block) {
  const auto changed = [](const std::byte* first, const std::byte* last) {
    return std::find_if(first, last, [](std::byte b) { return b != kGuard; });
  };
  const std::byte* before = changed(p - kGuardBytes, p);
  const std::byte* after = changed(p + block.size, p + block.size + kGuardBytes);
  if (!bad_write_ && (before != p || after != p + block.size + kGuardBytes)) {
    const std::ptrdiff_t at = before != p ? before - p : after - (p + block.size);
    bad_write_ = "byte " + std::to_string(at) + (before != p ? " before the start" : " past the end") +
                 " of the misaligned block of " + std::to_string(block.size) + " bytes at " +
                 hex(reinterpret_cast<std::uintptr_t>(p)) + " written";
  }
  --misaligned_live_;
  upstream_->deallocate(p - lead(block.alignment), underlying_size(block.size, block.alignment),
                        underlying_alignment(block.alignment));
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
  const bool misaligned = requests_ == misalign_at_;
  void* p = misaligned ? allocate_misaligned(bytes, alignment) : upstream_->allocate(bytes, alignment);
  const auto begin = reinterpret_cast<std::uintptr_t>(p);
  blocks_[begin] = Block{begin, bytes, alignment, ++serial_, misaligned};
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
  if (block.misaligned) return deallocate_misaligned(static_cast<std::byte*>(p), block);
  upstream_->deallocate(p, block.size, block.alignment);
}

}  // namespace poolcheck
