// The built-in adapters (docs/ADAPTERS.md): the Node pool poolcheck ships,
// glibc's malloc, mimalloc and jemalloc (loaded at run time: their own
// headers), and the standard library's memory resources. Each is the small
// struct a user writes for their own allocator (adapter.h); the
// `--allocator NAME` of poolcheck's replay, trace and map picks one by its
// kName (model/tool/adapter_command.cc).
#pragma once

#include <malloc.h>

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <memory_resource>
#include <string_view>

#include "allocator/pool_allocator.h"
#include "model/adapter/adapter.h"
#include "model/adapter/jemalloc_adapter.h"
#include "model/adapter/mimalloc_adapter.h"
#include "model/checks/checker.h"

namespace poolcheck::adapters {

// The Node.js-style pool (allocator/): allocate(n) or allocate(n, A), a
// Buffer handle, its pool size per `pool_size N`; its placement model is the
// reference model, so the differential checker runs on it too, unchanged.
struct NodePool {
  static constexpr std::string_view kName = "node_pool";
  using Handle = PoolAllocator::Buffer;
  using ModelChecker = DifferentialChecker<PoolAllocator>;

  NodePool(std::pmr::memory_resource* upstream, const PoolOptions& settings)
      : allocator(on_upstream(settings, upstream)) {}
  Handle allocate(std::size_t n, std::size_t alignment) {
    return alignment <= 1 ? allocator.allocate(n) : allocator.allocate(n, alignment);
  }
  void release(Handle& buffer) { buffer.release(); }
  static std::byte* data(const Handle& buffer) { return buffer.data(); }
  void set_pool_size(std::size_t n) { allocator.set_pool_size(n); }

  PoolAllocator allocator;
};

// glibc's malloc: malloc, or posix_memalign above malloc's own alignment;
// realloc; malloc_usable_size. It has no upstream to inject failures into,
// and returns null when it cannot serve a request.
struct Glibc {
  static constexpr std::string_view kName = "glibc";
  static constexpr OnFailure kOnFailure = OnFailure::kReturnsNull;

  Block allocate(std::size_t n, std::size_t alignment) {
    if (alignment <= alignof(std::max_align_t)) return {static_cast<std::byte*>(std::malloc(n)), n, alignment};
    void* p = nullptr;
    if (posix_memalign(&p, std::max(alignment, sizeof(void*)), n) != 0) p = nullptr;
    return {static_cast<std::byte*>(p), n, alignment};
  }
  void release(Block& block) {
    std::free(block.data);
    block = {};
  }
  bool reallocate(Block& block, std::size_t n) {
    if (n == 0) {
      release(block);
      return true;
    }
    void* p = std::realloc(block.data, n);
    if (p == nullptr) return false;
    block = {static_cast<std::byte*>(p), n, block.alignment};
    return true;
  }
  std::size_t usable_size(const Block& block) { return malloc_usable_size(block.data); }
};

// A std::pmr::memory_resource made on poolcheck's upstream: allocate and
// deallocate with the size and alignment of the request.
template <class Resource>
struct OnResource {
  explicit OnResource(std::pmr::memory_resource* upstream) : resource(upstream) {}
  Block allocate(std::size_t n, std::size_t alignment) {
    return {static_cast<std::byte*>(resource.allocate(n, alignment)), n, alignment};
  }
  void release(Block& block) {
    resource.deallocate(block.data, block.size, block.alignment);
    block = {};
  }
  Resource resource;
};

// No failure is injected into the pool resources, in either standard
// library (docs/ADAPTERS.md, "What the real allocators did"): libstdc++ 12's
// crash (SIGSEGV inside do_allocate) when the third upstream request of a
// new pool fails, a real bug; libc++ 19's keep an upstream block taken for
// an allocate whose next upstream request failed (`fail_next 2`, `alloc 1`:
// one block held after the failed allocate(1)), which the standard allows
// (it promises no strong guarantee there) and the failure-atomicity check
// reports. Their other checks still run.
inline constexpr bool kPmrPoolsSurviveUpstreamFailure = false;

// libstdc++ 12's pool resources misalign requests of 16 bytes of alignment
// and more (docs/ADAPTERS.md, the first finding: allocate(17, 16) comes from
// the pool of 24-byte blocks), and at most 8 they keep
// (model/adapter/findings/pool_resource_alignment.cc, every size to 9000):
// so they are asked at most that, and the properties and fuzz targets look
// for other bugs; KnownFindings.* (adapter_props_test.cc) still ask them as
// they are and expect the finding. libc++ 19's keep every alignment.
#if defined(__GLIBCXX__) && !defined(_LIBCPP_VERSION)
inline constexpr std::size_t kPmrPoolMaxAlignment = 8;
#else
inline constexpr std::size_t kPmrPoolMaxAlignment = kNoAlignmentCap;
#endif

struct PmrUnsyncPool : OnResource<std::pmr::unsynchronized_pool_resource> {
  static constexpr std::string_view kName = "pmr_unsync_pool";
  static constexpr bool kInjectFailures = kPmrPoolsSurviveUpstreamFailure;
  static constexpr std::size_t kMaxAlignment = kPmrPoolMaxAlignment;
  using OnResource::OnResource;
};
struct PmrSyncPool : OnResource<std::pmr::synchronized_pool_resource> {
  static constexpr std::string_view kName = "pmr_sync_pool";
  static constexpr bool kInjectFailures = kPmrPoolsSurviveUpstreamFailure;
  static constexpr std::size_t kMaxAlignment = kPmrPoolMaxAlignment;
  using OnResource::OnResource;
};
// A monotonic arena: deallocate does nothing, everything goes back when it
// is destroyed.
struct PmrMonotonic : OnResource<std::pmr::monotonic_buffer_resource> {
  static constexpr std::string_view kName = "pmr_monotonic";
  using OnResource::OnResource;
};

}  // namespace poolcheck::adapters

// The list of built-in adapters, node_pool first (the default of
// --allocator): X(name, type in poolcheck::adapters), one line each. Every
// other list is made from it: poolcheck's --allocator
// (model/tool/adapter_command.cc), and the ctest tests and fuzz targets of
// model/adapter/CMakeLists.txt, which read these lines.
#define POOLCHECK_BUILTIN_ADAPTERS(X) \
  X(node_pool, NodePool)              \
  X(glibc, Glibc)                     \
  X(mimalloc, Mimalloc)               \
  X(jemalloc, Jemalloc)               \
  X(pmr_unsync_pool, PmrUnsyncPool)   \
  X(pmr_sync_pool, PmrSyncPool)       \
  X(pmr_monotonic, PmrMonotonic)
