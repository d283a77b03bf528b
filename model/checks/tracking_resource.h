// An upstream memory resource that remembers every live block, so that the
// checker can verify bounds and leaks against memory the allocator really
// got and that every block comes back as it went out, and that can fail the
// k-th request to test failure atomicity.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory_resource>
#include <optional>
#include <string>

namespace poolcheck {

class TrackingResource : public std::pmr::memory_resource {
 public:
  struct Block {
    std::uintptr_t begin = 0;
    std::size_t size = 0;
    std::size_t alignment = 0;
    std::uint64_t serial = 0;  // 1 for the first successful allocation, and so on
    bool misaligned = false;   // handed out 8 bytes past an aligned address (misalign_request)
  };

  explicit TrackingResource(std::pmr::memory_resource* upstream = std::pmr::new_delete_resource())
      : upstream_(upstream) {}
  ~TrackingResource() override;

  // The live block that contains [address, address + size), if any.
  std::optional<Block> block_containing(std::uintptr_t address, std::size_t size) const;
  std::size_t live_blocks() const { return blocks_.size(); }
  std::uint64_t requests() const { return requests_; }  // attempts, failed ones included
  std::uint64_t allocations() const { return serial_; }
  // Makes request number `k` (1-based, counted by requests()) throw
  // std::bad_alloc; 0 turns injection off.
  void fail_request(std::uint64_t k) { fail_at_ = k; }
  // Makes request number `k` (1-based) come back misaligned: its block
  // starts kMisalignment bytes past an address aligned to max(alignment,
  // 4096), as an upstream that breaks its alignment promise would give it,
  // with kGuardBytes of guard on each side, verified when the block comes
  // back (bad_write()). 0 turns it off; a request that fails fails.
  // Only under an alignment setting of at most kMisalignment (Node's 8 and
  // below): the pool allocator rounds addresses, not offsets, after each
  // buffer, which is the same as long as pool memory keeps the setting's
  // alignment; 8 bytes off it does only for those settings, and only there
  // can the spec say where each buffer goes (docs/SPEC.md). Above, the
  // request stays aligned.
  static constexpr std::size_t kMisalignment = 8;
  static constexpr std::size_t kGuardBytes = 64;
  void misalign_request(std::uint64_t k, std::size_t setting_alignment) {
    if (setting_alignment <= kMisalignment) misalign_at_ = k;
  }
  // Whether `address` lies in a live block handed out misaligned: its
  // memory's alignment is then what the upstream gave, not what was asked.
  bool in_misaligned_block(std::uintptr_t address) const {
    if (misaligned_live_ == 0) return false;
    const auto block = block_containing(address, 0);
    return block && block->misaligned;
  }
  // The first write the allocator made just outside a misaligned block
  // (a guard byte changed), described; nullopt while there was none.
  const std::optional<std::string>& bad_write() const { return bad_write_; }
  // How many requests injection has failed so far: the checker asks, so that
  // a std::bad_alloc upstream did not throw is caught as a divergence.
  std::uint64_t injected_failures() const { return injected_; }
  // The first deallocate that did not give back a live block with the size
  // and alignment it was allocated with (std::pmr's contract), described;
  // nullopt while every return was right. A wrong return is not passed on
  // as it came: a block not held is dropped, a held one goes upstream with
  // its own size and alignment, so the run goes on to be reported.
  const std::optional<std::string>& bad_return() const { return bad_return_; }

 private:
  void* do_allocate(std::size_t bytes, std::size_t alignment) override;
  void do_deallocate(void* p, std::size_t bytes, std::size_t alignment) override;
  bool do_is_equal(const std::pmr::memory_resource& other) const noexcept override {
    return this == &other;
  }

  std::pmr::memory_resource* upstream_;
  std::pmr::map<std::uintptr_t, Block> blocks_;  // the default resource (fuzz/fuzz_target.h)
  std::uint64_t requests_ = 0;
  std::uint64_t serial_ = 0;
  std::uint64_t fail_at_ = 0;
  std::uint64_t injected_ = 0;
  std::uint64_t misalign_at_ = 0;
  std::size_t misaligned_live_ = 0;
  std::optional<std::string> bad_return_;
  std::optional<std::string> bad_write_;

  void* allocate_misaligned(std::size_t bytes, std::size_t alignment);
  void deallocate_misaligned(std::byte* p, const Block& block);
};

}  // namespace poolcheck
