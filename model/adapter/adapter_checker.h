// The generic checker: any allocator behind an adapter (adapter.h), op by op,
// with the checks that need no placement model. Each check it raises is a
// row of the check registry (model/checks/checks.def), read in its general
// sense (docs/ADAPTERS.md, "What is checked"):
//   bounds             a block lies inside a live block from the adapter's
//                      upstream, and within usable_size() where it has one
//   alignment          the address is a multiple of the alignment asked for
//   overlap            no two live blocks share a byte
//   content            a block keeps its pattern until it is released, and
//                      a reallocate keeps the first min(old, new) bytes
//   leak               nothing held upstream once the adapter is destroyed
//   upstream           every upstream block returned once, with its size
//                      and alignment
//   failure            a request fails only when upstream was told to fail
//                      (fail_next), and then as the adapter declares
//                      (std::bad_alloc or a null block), never swallowed;
//                      the op run again succeeds
//   failure atomicity  a failed call leaves the blocks held upstream and
//                      every live block's bytes as they were
// How each op of the language maps onto an adapter: docs/ADAPTERS.md.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory_resource>
#include <new>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <utility>

#include "model/adapter/adapter.h"
#include "model/checks/content_pattern.h"
#include "model/checks/divergence.h"
#include "model/checks/interval_set.h"
#include "model/checks/tracking_resource.h"
#include "model/ops/op_dispatch.h"
#include "model/ops/ops.h"

namespace poolcheck {

template <Adapter A>
class AdapterChecker {
 public:
  using Handle = HandleOf<A>;

  explicit AdapterChecker(const PoolOptions& settings,
                          std::pmr::memory_resource* upstream = std::pmr::new_delete_resource())
      : tracker_(upstream) {
    emplace_adapter(adapter_, &tracker_, settings);
  }
  AdapterChecker(const AdapterChecker&) = delete;
  AdapterChecker& operator=(const AdapterChecker&) = delete;
  // After a failure the live blocks are given back unchecked.
  ~AdapterChecker() {
    if (!adapter_) return;
    for (Live& buffer : buffers_)
      if (buffer.live) adapter_->release(buffer.handle);
    buffers_.clear();
    adapter_.reset();
  }

  std::optional<Divergence> step(const Op& op) {
    if (failure_) return failure_;
    op_ = op;
    visit_op(op, Steps{*this});
    if (!failure_) check_returns();
    ++ops_run_;
    return failure_;
  }

  // Verifies and releases every live block, destroys the adapter, and
  // checks that everything went back upstream.
  std::optional<Divergence> finish() {
    if (failure_) return failure_;
    op_.reset();
    for (std::uint64_t id = 0; id < buffers_.size() && !failure_; ++id)
      if (buffers_[id].live) release(id);
    if (failure_) return failure_;
    buffers_.clear();
    adapter_.reset();
    if (!check_returns()) return failure_;
    if (HasUpstream<A> && tracker_.live_blocks() != 0)
      fail(Check::kLeak, "no block held upstream once the " + std::string(A::kName) + " adapter is destroyed",
           std::to_string(tracker_.live_blocks()) + " blocks still held");
    return failure_;
  }

  A& adapter() { return *adapter_; }
  TrackingResource& upstream() { return tracker_; }
  std::size_t ops_run() const { return ops_run_; }
  // Upstream requests so far, failed ones included (replay --fail-each).
  std::uint64_t upstream_requests() const { return tracker_.requests(); }
  // For the tools that show what an adapter did (`poolcheck trace` and `map`
  // with --allocator): buffer numbers so far, and where a live one is.
  struct Where {
    std::uintptr_t address = 0;
    std::size_t size = 0;
    std::optional<TrackingResource::Block> block;  // the upstream block it lies in
  };
  std::uint64_t buffers() const { return buffers_.size(); }
  std::optional<Where> where(std::uint64_t id) const {
    if (id >= buffers_.size() || !buffers_[id].live) return std::nullopt;
    const auto address = reinterpret_cast<std::uintptr_t>(data_of<A>(buffers_[id].handle));
    return Where{address, buffers_[id].size, tracker_.block_containing(address, buffers_[id].size)};
  }

 private:
  struct Live {
    Handle handle{};
    std::size_t size = 0;
    bool live = false;
  };

  struct Steps {
    AdapterChecker& checker;
    void request(const Op& op) { checker.create(op); }
    void pool_size(const Op& op) {
      if (refused(op)) return;  // above 2^30: the generic checks ask no allocator to refuse it
      if constexpr (HasPoolSize<A>) checker.adapter_->set_pool_size(op.a);
    }
    void release(const Op& op) { checker.release(op.a); }
    void realloc(const Op& op) { checker.realloc_op(op); }
    void fail_next(const Op& op) {
      if constexpr (injects_failures<A>()) checker.tracker_.fail_request(checker.tracker_.requests() + op.a);
    }
    // The Node pool's settings (try_S V): an adapter has none of them.
    void try_setting(const Op&) {}
  };

  bool fail(Check check, std::string expected, std::string actual) {
    if (!failure_) failure_ = Divergence{ops_run_, op_, check, std::move(expected), std::move(actual)};
    return false;
  }

  bool check_returns() {
    if (!tracker_.bad_return()) return true;
    return fail(Check::kUpstream, "every block given back once, with the size and alignment it was allocated with",
                *tracker_.bad_return());
  }

  // One call to the adapter that makes a block (allocate, or reallocate
  // into `handle`). true: it succeeded. false: it failed as an injected
  // failure may make it fail, and changed nothing; or it broke a promise
  // (failure_ is set).
  template <class Call>
  bool guarded(std::size_t n, const char* what, Call call) {
    const std::size_t blocks_before = tracker_.live_blocks();
    const std::uint64_t injected = tracker_.injected_failures();
    // The call's name, for a report only. Report words here, in place() and in
    // verify() are callables, built when a check fails: built for every call
    // they were 10% (node_pool) to 23% (glibc) of a fuzz run's instructions
    // (docs/FUZZING.md, "The speed targets").
    const auto name = [&] { return std::string(A::kName) + " " + what + "(" + std::to_string(n) + ")"; };
    bool failed = false;
    try {
      failed = !call();
      if (failed && on_failure<A>() == OnFailure::kThrows)
        return fail(Check::kFailure, name() + ": a block or std::bad_alloc (the adapter declares kThrows)",
                    "a null block");
    } catch (const std::bad_alloc&) {
      failed = true;
      if (on_failure<A>() == OnFailure::kReturnsNull)
        return fail(Check::kFailure, name() + ": a null block (the adapter declares kReturnsNull)", "std::bad_alloc");
    }
    if (!failed) {
      if (tracker_.injected_failures() == injected) return true;
      return fail(Check::kFailure, name() + ": the injected failure of upstream request " +
                                       std::to_string(tracker_.requests()) + " reaches the caller",
                  "it succeeded (the failure was swallowed)");
    }
    if (tracker_.injected_failures() == injected)
      return fail(Check::kFailure, name() + " succeeds: upstream failed no request", "it failed");
    if (tracker_.live_blocks() != blocks_before)
      return fail(Check::kFailureAtomicity,
                  std::to_string(blocks_before) + " blocks held upstream after the failed " + name() + ", as before",
                  std::to_string(tracker_.live_blocks()) + " blocks held");
    for (std::uint64_t id = 0; id < buffers_.size(); ++id)
      if (buffers_[id].live && !verify(id, Check::kFailureAtomicity, [&] { return "after the failed " + name(); }))
        return false;
    return false;
  }

  // Bounds, alignment and overlap of a new block, then its pattern.
  // `shown` is the buffer number reports give (the kept buffer's for the
  // copy `from` makes).
  bool place(std::uint64_t id, std::size_t n, std::size_t alignment, const char* what,
             std::optional<std::uint64_t> shown = std::nullopt) {
    Live& buffer = buffers_[id];
    buffer.size = n;
    buffer.live = true;
    if (n == 0) return true;
    const auto address = reinterpret_cast<std::uintptr_t>(data_of<A>(buffer.handle));
    const auto name = [&] {
      return "buffer " + std::to_string(shown.value_or(id)) + " (" + what + " " + std::to_string(n) + ")";
    };
    if (address % alignment != 0)
      return fail(Check::kAlignment, name() + " at an address aligned to " + std::to_string(alignment) + " as requested",
                  hex(address));
    if (HasUpstream<A> && !tracker_.block_containing(address, n))
      return fail(Check::kBounds, name() + " " + range(address, address + n) + " inside a live block from upstream",
                  "not inside any");
    if constexpr (HasUsableSize<A>) {
      const std::size_t usable = adapter_->usable_size(buffer.handle);
      if (usable < n)
        return fail(Check::kBounds, name() + ": usable_size at least " + std::to_string(n), std::to_string(usable));
    }
    if (auto hit = live_.insert(address, address + n, id))
      return fail(Check::kOverlap, name() + " " + range(address, address + n) + " shares no byte with a live buffer",
                  "overlaps buffer " + std::to_string(hit->owner) + " " + range(hit->begin, hit->end));
    return true;
  }

  // `when` returns the words of a report ("until it is released"), called
  // only when a byte changed.
  template <class When>
  bool verify(std::uint64_t id, Check check, const When& when) {
    const Live& buffer = buffers_[id];
    if (buffer.size == 0) return true;
    const auto bad = verify_pattern(id, std::span<const std::byte>(data_of<A>(buffer.handle), buffer.size));
    if (!bad) return true;
    return fail(check, "buffer " + std::to_string(id) + " holds its own bytes " + std::string(when()),
                "byte " + std::to_string(*bad) + " of " + std::to_string(buffer.size) + " changed");
  }

  void forget(std::uint64_t id) {
    Live& buffer = buffers_[id];
    if (buffer.size > 0) live_.erase(reinterpret_cast<std::uintptr_t>(data_of<A>(buffer.handle)));
  }

  // alloc N [align A], alloc_slow N [align A]: allocate(N, A); from R A:
  // allocate(R, 1), then keep A bytes (reallocate, or a copy).
  void create(const Op& op) {
    if (refused(op)) return;  // the language gives it no buffer number
    const std::uint64_t id = buffers_.size();
    buffers_.emplace_back();
    const std::size_t n = op.a;
    const std::size_t alignment = op.kind == OpKind::kFrom ? 1 : asked_alignment<A>(requested_alignment(op));
    for (int attempt = 0;; ++attempt) {
      if (attempt == 2)
        return void(fail(Check::kFailure, "the op run again after an injected failure succeeds", "it failed again"));
      Live& buffer = buffers_[id];
      if (!guarded(n, "allocate", [&] {
            buffer.handle = adapter_->allocate(n, alignment);
            return n == 0 || data_of<A>(buffer.handle) != nullptr;
          })) {
        if (failure_) return;
        continue;
      }
      if (!place(id, n, alignment, "allocate")) return;
      if (n > 0) fill_pattern(id, {data_of<A>(buffer.handle), n});
      if (op.kind != OpKind::kFrom || op.b == op.a) return;
      if (keep(id, op.b)) return;
      if (failure_) return;
      release(id);  // an injected failure while keeping: the op runs again
      if (failure_) return;
    }
  }

  // The first `kept` bytes of buffer id stay, the rest goes.
  bool keep(std::uint64_t id, std::size_t kept) {
    if constexpr (CanReallocate<A>) {
      Live& buffer = buffers_[id];
      const std::size_t old_size = buffer.size;
      forget(id);
      if (!guarded(kept, "reallocate", [&] {
            using Result = decltype(adapter_->reallocate(buffer.handle, kept));
            if constexpr (std::is_same_v<Result, bool>) return adapter_->reallocate(buffer.handle, kept);
            else return adapter_->reallocate(buffer.handle, kept), true;
          })) {
        // Unchanged: the old block is live again.
        if (old_size > 0) {
          const auto address = reinterpret_cast<std::uintptr_t>(data_of<A>(buffer.handle));
          live_.insert(address, address + old_size, id);
        }
        return false;
      }
      if (!place(id, kept, 1, "reallocate")) return false;
      return verify(id, Check::kContent, [&] { return "after reallocate to " + std::to_string(kept) + " bytes"; });
    } else {
      // A copy: a new block of `kept` bytes, the bytes, the old block back.
      const std::uint64_t copy = buffers_.size();
      buffers_.emplace_back();
      if (!guarded(kept, "allocate", [&] {
            buffers_[copy].handle = adapter_->allocate(kept, 1);
            return kept == 0 || data_of<A>(buffers_[copy].handle) != nullptr;
          })) {
        buffers_.pop_back();
        return false;
      }
      if (!place(copy, kept, 1, "the copy's allocate", id)) return false;
      if (kept > 0) std::memcpy(data_of<A>(buffers_[copy].handle), data_of<A>(buffers_[id].handle), kept);
      forget(copy);
      release(id);
      if (failure_) return false;
      buffers_[id] = std::move(buffers_[copy]);
      buffers_.pop_back();
      if (kept > 0) {
        const auto address = reinterpret_cast<std::uintptr_t>(data_of<A>(buffers_[id].handle));
        live_.insert(address, address + kept, id);
      }
      return verify(id, Check::kContent,
                    [&] { return "after the copy that keeps " + std::to_string(kept) + " bytes"; });
    }
  }

  // realloc K N: buffer K's bytes move into the next buffer, of N bytes, the
  // first min(old, N) kept: by reallocate where the adapter has one, else
  // by allocate(N, 1), a copy and the release of K. Alignment 1 is asked
  // for, as by C's realloc, which keeps no alignment beyond malloc's own.
  void realloc_op(const Op& op) {
    const std::uint64_t from = op.a;
    const std::size_t n = op.b;
    if (!verify(from, Check::kContent, [] { return "until it is reallocated"; })) return;
    // The bytes checked after the move: all min(old, N) kept, or, from a
    // buffer beyond kFullPatternLimit (patterned in runs), its first run.
    const std::size_t old_size = buffers_[from].size;
    const std::size_t kept = std::min<std::size_t>(old_size <= kFullPatternLimit ? old_size : kPatternRun, n);
    const std::uint64_t id = buffers_.size();
    buffers_.emplace_back();
    for (int attempt = 0;; ++attempt) {
      if (attempt == 2)
        return void(fail(Check::kFailure, "the op run again after an injected failure succeeds", "it failed again"));
      if constexpr (CanReallocate<A>) {
        Live& old = buffers_[from];
        forget(from);
        if (!guarded(n, "reallocate", [&] {
              using Result = decltype(adapter_->reallocate(old.handle, n));
              if constexpr (std::is_same_v<Result, bool>) return adapter_->reallocate(old.handle, n);
              else return adapter_->reallocate(old.handle, n), true;
            })) {
          if (failure_) return;
          if (old_size > 0) {  // unchanged: the old block is live again
            const auto address = reinterpret_cast<std::uintptr_t>(data_of<A>(old.handle));
            live_.insert(address, address + old_size, from);
          }
          continue;
        }
        buffers_[id].handle = std::move(old.handle);
        old = Live{};
        if (!place(id, n, 1, "reallocate")) return;
      } else {
        if (!guarded(n, "allocate", [&] {
              buffers_[id].handle = adapter_->allocate(n, 1);
              return n == 0 || data_of<A>(buffers_[id].handle) != nullptr;
            })) {
          if (failure_) return;
          continue;
        }
        if (!place(id, n, 1, "realloc's allocate")) return;
        if (const std::size_t copied = std::min(old_size, n); copied > 0)
          std::memcpy(data_of<A>(buffers_[id].handle), data_of<A>(buffers_[from].handle), copied);
        release(from);
        if (failure_) return;
      }
      break;
    }
    if (kept > 0) {
      const auto bad = verify_pattern(from, std::span<const std::byte>(data_of<A>(buffers_[id].handle), kept));
      if (bad)
        return void(fail(Check::kContent,
                         "buffer " + std::to_string(id) + " (realloc of buffer " + std::to_string(from) + " to " +
                             std::to_string(n) + " bytes) keeps its first " + std::to_string(kept) + " bytes",
                         "byte " + std::to_string(*bad) + " changed"));
    }
    if (n > 0) fill_pattern(id, {data_of<A>(buffers_[id].handle), n});
  }

  void release(std::uint64_t id) {
    if (!verify(id, Check::kContent, [] { return "until it is released"; })) return;
    forget(id);
    Live& buffer = buffers_[id];
    buffer.live = false;
    adapter_->release(buffer.handle);
  }

  TrackingResource tracker_;  // outlives the adapter
  std::optional<A> adapter_;
  std::pmr::vector<Live> buffers_;  // by buffer number; emptied before the adapter goes
  IntervalSet live_;
  std::optional<Op> op_;
  std::size_t ops_run_ = 0;
  std::optional<Divergence> failure_;
};

}  // namespace poolcheck
