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
  std::optional<std::string> bad_return_;
};

}  // namespace poolcheck
