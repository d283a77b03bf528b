// Deliberately wrong request and settings validation (docs/SPEC.md,
// Failure; refusal_of in model/ops/ops.h): what the mutants that delete
// check_alignment or move the 2^30 bounds make of the allocator, written by
// hand. Test code only, like broken_rules.h.
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <memory_resource>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include "allocator/pool_allocator.h"

namespace poolcheck::broken {

// Forgets check_alignment: an alignment it should refuse (not a power of
// two, or above 2^30) is taken as no alignment, so `alloc 0 align 3` is an
// empty buffer and `alloc 5 align 6` a pooled one.
class ForgetsTheAlignmentCheckAllocator : public BasicPoolAllocator<> {
 public:
  using BasicPoolAllocator::BasicPoolAllocator;
  Buffer allocate(std::size_t n) { return BasicPoolAllocator::allocate(n); }
  Buffer allocate(std::size_t n, std::size_t alignment) {
    return BasicPoolAllocator::allocate(n, is_request_alignment(alignment) ? alignment : 1);
  }
  Buffer allocate_slow(std::size_t n, std::size_t alignment = 1) {
    return BasicPoolAllocator::allocate_slow(n, is_request_alignment(alignment) ? alignment : 1);
  }
};

// Accepts any pool size, keeping at most 2^30 (the bound moved, or its
// check deleted, with a clamp left behind): `pool_size 1073741825` does not
// throw.
class AcceptsAnyPoolSizeAllocator : public BasicPoolAllocator<> {
 public:
  using BasicPoolAllocator::BasicPoolAllocator;
  void set_pool_size(std::size_t n) { BasicPoolAllocator::set_pool_size(std::min(n, kMaxPoolSize)); }
};

// Refuses the largest request alignment, 2^30 (the mutant
// `alignment <= kMaxRequestAlignment` -> `<` of allocator/pool_types.h,
// or kMaxRequestAlignment = 2^29, written by hand): `alloc 0 align
// 1073741824` throws std::invalid_argument. A differential check sees it
// only because the model states the bound itself (model/ops/spec_limits.h);
// with the allocator's constant, the model moved with the mutant.
class RefusesTheLargestAlignmentAllocator : public BasicPoolAllocator<> {
 public:
  using BasicPoolAllocator::BasicPoolAllocator;
  Buffer allocate(std::size_t n) { return BasicPoolAllocator::allocate(n); }
  Buffer allocate(std::size_t n, std::size_t alignment) {
    refuse_the_largest(alignment);
    return BasicPoolAllocator::allocate(n, alignment);
  }
  Buffer allocate_slow(std::size_t n, std::size_t alignment = 1) {
    refuse_the_largest(alignment);
    return BasicPoolAllocator::allocate_slow(n, alignment);
  }

 private:
  static void refuse_the_largest(std::size_t alignment) {
    if (alignment == kMaxRequestAlignment) throw std::invalid_argument(request_alignment_error(alignment));
  }
};

// Refuses exactly what it should, with the right exception, but words it
// otherwise: every bound in decimal ("from 1 to 1073741824" for "from 1 to
// 2^30 (1073741824)"), what a wrong bound_text or bound_with_value in
// allocator/pool_types.h makes of its messages. The refusal check compares
// the message with docs/SPEC.md's words (refusal_message).
class MiswordsItsRefusalsAllocator : public BasicPoolAllocator<> {
  static std::string decimal_bounds(std::string message) {
    const std::string power = "2^30 (1073741824)";
    if (const std::size_t at = message.find(power); at != std::string::npos) message.replace(at, power.size(), "1073741824");
    return message;
  }
  template <class Call>
  static std::invoke_result_t<Call&> reworded(Call&& call) {
    try {
      return call();
    } catch (const std::length_error& refused) {
      throw std::length_error(decimal_bounds(refused.what()));
    } catch (const std::invalid_argument& refused) {
      throw std::invalid_argument(decimal_bounds(refused.what()));
    }
  }

 public:
  explicit MiswordsItsRefusalsAllocator(PoolOptions options = {}) try : BasicPoolAllocator(options) {
  } catch (const std::invalid_argument& refused) {
    throw std::invalid_argument(decimal_bounds(refused.what()));
  }
  Buffer allocate(std::size_t n) {
    return reworded([&] { return BasicPoolAllocator::allocate(n); });
  }
  Buffer allocate(std::size_t n, std::size_t alignment) {
    return reworded([&] { return BasicPoolAllocator::allocate(n, alignment); });
  }
  Buffer allocate_slow(std::size_t n, std::size_t alignment = 1) {
    return reworded([&] { return BasicPoolAllocator::allocate_slow(n, alignment); });
  }
  template <class Writer>
  Buffer allocate_with(std::size_t reserve, Writer&& writer) {
    return reworded([&] { return BasicPoolAllocator::allocate_with(reserve, std::forward<Writer>(writer)); });
  }
  void set_pool_size(std::size_t n) {
    reworded([&] { BasicPoolAllocator::set_pool_size(n); });
  }
};

// Takes any settings: a value validate() should refuse is clamped into
// range instead (alignment to the next power of two up to 4096, the
// others to their bounds, a null upstream to new/delete), what the mutants
// that delete a return of validate() or move a setting's bound do, by
// hand. `try_alignment 3` then builds an allocator where the spec refuses
// one.
class AcceptsAnySettingsAllocator : public BasicPoolAllocator<> {
 public:
  explicit AcceptsAnySettingsAllocator(PoolOptions options = {}) : BasicPoolAllocator(clamped(options)) {}

 private:
  static PoolOptions clamped(PoolOptions options) {
    options.alignment = std::clamp<std::size_t>(std::bit_ceil(options.alignment), 1, kMaxAlignment);
    options.pool_size = std::min(options.pool_size, kMaxPoolSize);
    options.cache_limit = std::min(options.cache_limit, kMaxCacheLimit);
    options.cache_window = std::clamp<std::size_t>(options.cache_window, 1, kMaxCacheWindow);
    if (options.upstream == nullptr) options.upstream = std::pmr::new_delete_resource();
    return options;
  }
};

}  // namespace poolcheck::broken
