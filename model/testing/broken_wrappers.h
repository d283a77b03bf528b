// Deliberately wrong allocators that no single Rules decision expresses:
// thin wrappers around BasicPoolAllocator. Test code only, like
// model/testing/broken_rules.h; each variant changes one behaviour.
#pragma once

#include <cstddef>
#include <memory_resource>
#include <utility>

#include "allocator/pool_allocator.h"
#include "model/testing/on_resource.h"
#include "model/testing/broken_rules.h"

namespace poolcheck::broken {

// Rounds the offset after allocate() but not after allocate_with()
// (Buffer.from): a bug in one of two code paths that should share a rule.
struct AlignOnlyAfterAllocate : Unchecked {
  // Rules are static, so the path taken is too; thread_local keeps
  // allocators on other threads apart (and one allocator is one thread).
  static inline thread_local bool in_allocate_with = false;
  static std::size_t next_offset(std::size_t offset, std::size_t kept, std::size_t alignment) {
    return in_allocate_with ? offset + kept : round_up(offset + kept, alignment);
  }
};

class SkipAlignAfterFromAllocator : public BasicPoolAllocator<AlignOnlyAfterAllocate> {
 public:
  using BasicPoolAllocator::BasicPoolAllocator;

  template <class Writer>
  Buffer allocate_with(std::size_t reserve, Writer&& writer) {
    struct OnThisPath {
      OnThisPath() { AlignOnlyAfterAllocate::in_allocate_with = true; }
      ~OnThisPath() { AlignOnlyAfterAllocate::in_allocate_with = false; }
    } on_this_path;
    return BasicPoolAllocator::allocate_with(reserve, std::forward<Writer>(writer));
  }
};

// Keeps one dead pool more than the cache limit allows.
class CacheBoundOffByOneAllocator : public BasicPoolAllocator<Unchecked> {
 public:
  explicit CacheBoundOffByOneAllocator(PoolOptions options) : BasicPoolAllocator(one_more(options)) {}

 private:
  static PoolOptions one_more(PoolOptions options) {
    ++options.cache_limit;
    return options;
  }
};

// The same bug, but it reports the cache limit it was asked for: the
// settings check cannot see it, only what the cache does can.
class CacheBoundOffByOneHiddenAllocator : public CacheBoundOffByOneAllocator {
 public:
  using CacheBoundOffByOneAllocator::CacheBoundOffByOneAllocator;
  std::size_t cache_limit() const { return CacheBoundOffByOneAllocator::cache_limit() - 1; }
};

// An upstream path that is not exception-safe: it takes a bookkeeping block
// before the block asked for and loses it when that one cannot be had.
// Correct until upstream fails; only failure injection sees it.
class LeakyOnFailureResource : public std::pmr::memory_resource {
 public:
  explicit LeakyOnFailureResource(std::pmr::memory_resource* upstream) : upstream_(upstream) {}

 private:
  static constexpr std::size_t kNoteBytes = 32;
  void* do_allocate(std::size_t bytes, std::size_t alignment) override {
    void* note = upstream_->allocate(kNoteBytes, alignof(std::max_align_t));
    void* block = upstream_->allocate(bytes, alignment);  // throws: `note` is lost
    upstream_->deallocate(note, kNoteBytes, alignof(std::max_align_t));
    return block;
  }
  void do_deallocate(void* p, std::size_t bytes, std::size_t alignment) override {
    upstream_->deallocate(p, bytes, alignment);
  }
  bool do_is_equal(const std::pmr::memory_resource& other) const noexcept override { return this == &other; }

  std::pmr::memory_resource* upstream_;
};

using LeakOnUpstreamFailureAllocator = OnResource<LeakyOnFailureResource>;

}  // namespace poolcheck::broken
