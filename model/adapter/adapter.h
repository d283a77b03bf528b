// The public adapter: what an allocator's adapter must have for poolcheck to
// check it (docs/ADAPTERS.md). An adapter is one small struct around the
// allocator; everything else (the generic checks, the properties, the fuzz
// target, replay and failure injection) is written once, over this concept.
//
// Required:
//   static constexpr std::string_view kName      how reports and --allocator name it
//   Handle allocate(std::size_t n, std::size_t alignment)
//                  a block of at least n bytes at an address that is a
//                  multiple of `alignment` (a power of two); on failure it
//                  throws std::bad_alloc, or returns a handle whose data is
//                  null if kOnFailure says so
//   void release(Handle&)                         gives the block back
// where Handle is the adapter's `Handle` type, or poolcheck::Block when it
// names none; the block's address is `A::data(handle)`, or `handle.data`.
//
// Optional, each found by its signature:
//   explicit A(std::pmr::memory_resource* upstream)   the allocator draws its
//                  memory from `upstream`: poolcheck passes a recording one,
//                  so that bounds, leaks and returns are checked and
//                  requests can be made to fail (fail_next, --fail-each)
//   A(std::pmr::memory_resource*, const PoolOptions&)  the same, with the
//                  settings of the op file (the Node pool's)
//   static constexpr OnFailure kOnFailure             kThrows (the default)
//                  or kReturnsNull
//   void reallocate(Handle&, std::size_t n)           realloc: the handle then
//                  holds n bytes, the first min(old, n) of them kept; on
//                  failure it throws (or returns a null handle) and the
//                  handle is unchanged. Without it, `from R A` keeps A bytes
//                  by a copy into a new block of A bytes
//   static constexpr bool kInjectFailures = false     fail_next and --fail-each
//                  leave it alone: for an allocator known to crash when an
//                  upstream request fails (docs/ADAPTERS.md, libstdc++'s pool
//                  resources), so that its other checks can still run
//   static constexpr std::size_t kMaxAlignment        the largest alignment
//                  asked of the allocator: a larger request is asked, and
//                  checked, at this one (for an allocator that promises no
//                  more, or one known to break its promise above it, so
//                  that its other checks can still run: docs/ADAPTERS.md)
//   std::size_t usable_size(const Handle&)            at least the n asked for
//   void set_pool_size(std::size_t)                   what `pool_size N` does
//   using ModelChecker = ...                          a checker of the whole
//                  sequence against the adapter's own placement model, made
//                  from (PoolOptions, memory_resource*), with step(Op) and
//                  finish() (the Node pool's: DifferentialChecker)
#pragma once

#include <concepts>
#include <cstddef>
#include <limits>
#include <memory_resource>
#include <optional>
#include <string_view>
#include <type_traits>

#include "allocator/pool_types.h"

namespace poolcheck {

// What an adapter's allocate (and reallocate) does when it cannot serve a
// request.
enum class OnFailure { kThrows, kReturnsNull };

// A ready-made handle: the address, and what release needs to give the
// block back through a std::pmr-style deallocate.
struct Block {
  std::byte* data = nullptr;
  std::size_t size = 0;
  std::size_t alignment = 0;
};

namespace adapter_detail {
template <class A>
struct HandleOf {
  using type = Block;
};
template <class A>
  requires requires { typename A::Handle; }
struct HandleOf<A> {
  using type = typename A::Handle;
};
}  // namespace adapter_detail

template <class A>
using HandleOf = typename adapter_detail::HandleOf<A>::type;

template <class A>
concept Adapter = std::movable<HandleOf<A>> && std::default_initializable<HandleOf<A>> &&
                  requires(A& a, HandleOf<A>& handle, std::size_t n, std::size_t alignment) {
                    { A::kName } -> std::convertible_to<std::string_view>;
                    { a.allocate(n, alignment) } -> std::same_as<HandleOf<A>>;
                    { a.release(handle) } -> std::same_as<void>;
                  } &&
                  (requires(const HandleOf<A>& handle) {
                    { A::data(handle) } -> std::convertible_to<std::byte*>;
                  } || requires(const HandleOf<A>& handle) {
                    { handle.data } -> std::convertible_to<std::byte*>;
                  });

// The optional parts, as the checkers ask for them.
template <class A>
concept HasUpstream = std::constructible_from<A, std::pmr::memory_resource*> ||
                      std::constructible_from<A, std::pmr::memory_resource*, const PoolOptions&>;
template <class A>
concept CanReallocate = requires(A& a, HandleOf<A>& handle, std::size_t n) { a.reallocate(handle, n); };
template <class A>
concept HasUsableSize = requires(A& a, const HandleOf<A>& handle) {
  { a.usable_size(handle) } -> std::convertible_to<std::size_t>;
};
template <class A>
concept HasPoolSize = requires(A& a, std::size_t n) { a.set_pool_size(n); };
template <class A>
concept HasModel = requires { typename A::ModelChecker; };

// Whether fail_next ops and --fail-each make its upstream requests fail.
template <class A>
constexpr bool injects_failures() {
  if constexpr (requires { A::kInjectFailures; }) return HasUpstream<A> && A::kInjectFailures;
  else return HasUpstream<A>;
}

// The alignment an op's request is asked at (kMaxAlignment, if any, caps it).
template <class A>
constexpr std::size_t asked_alignment(std::size_t requested) {
  if constexpr (requires { A::kMaxAlignment; }) return requested < A::kMaxAlignment ? requested : A::kMaxAlignment;
  else return requested;
}

// A with every alignment asked as it is: its cap lifted, to see whether the
// allocator still breaks its promise above it (the KnownFindings and
// AdapterFindings tests).
// kNoAlignmentCap is the largest size_t, not kMaxRequestAlignment: a constant
// expression of an allocator/ constant would keep the mutation campaign from
// switching that constant's mutants at run time.
inline constexpr std::size_t kNoAlignmentCap = std::numeric_limits<std::size_t>::max();
template <class A>
struct AsAsked : A {
  static constexpr std::size_t kMaxAlignment = kNoAlignmentCap;
  using A::A;
};

template <class A>
constexpr OnFailure on_failure() {
  if constexpr (requires { A::kOnFailure; }) return A::kOnFailure;
  else return OnFailure::kThrows;
}

template <Adapter A>
std::byte* data_of(const HandleOf<A>& handle) {
  if constexpr (requires { A::data(handle); }) return A::data(handle);
  else return handle.data;
}

// Makes the adapter in `slot` on `upstream`, with `settings` as far as it
// takes them.
template <Adapter A>
void emplace_adapter(std::optional<A>& slot, std::pmr::memory_resource* upstream, const PoolOptions& settings) {
  if constexpr (std::constructible_from<A, std::pmr::memory_resource*, const PoolOptions&>)
    slot.emplace(upstream, settings);
  else if constexpr (std::constructible_from<A, std::pmr::memory_resource*>)
    slot.emplace(upstream);
  else
    slot.emplace();
}

}  // namespace poolcheck
