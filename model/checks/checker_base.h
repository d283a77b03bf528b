// The skeleton every checker shares, written once: the allocator on a
// recording upstream, step() and finish(), the first failure kept, and the
// checks that do not depend on knowing where a buffer belongs. What each
// check verifies, and which checkers raise it, is its row in the check
// registry, model/checks/checks.def (`enum class Check`: check.h); fail()
// takes that enum, so a check with no row cannot be raised.
//
// A checker derives from CheckerBase<itself, Allocator> (CRTP) and says only
// how it differs. It defines, and makes visible to the base with
// `friend Base`:
//   void create(const Op&)        an alloc or from op
//   void release_op(uint64_t id)  a release op (id as written)
//   void release(uint64_t id)     a live buffer released (by finish() too)
//   bool is_live(uint64_t id)     whether finish() must release it
//   void check_state()            after every op that found no failure
// and may replace set_pool_size(const Op&).
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory_resource>
#include <new>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "allocator/pool_allocator.h"
#include "model/checks/content_pattern.h"
#include "model/checks/divergence.h"
#include "model/checks/interval_set.h"
#include "model/checks/tracking_resource.h"
#include "model/ops/op_dispatch.h"
#include "model/ops/ops.h"
#include "model/ops/settings.h"

namespace poolcheck {

template <class Derived, class Allocator>
class CheckerBase {
 public:
  using Buffer = typename Allocator::Buffer;

  explicit CheckerBase(const PoolOptions& settings, std::pmr::memory_resource* upstream = std::pmr::new_delete_resource())
      : settings_(settings), tracker_(upstream), allocator_(std::in_place, on_upstream(settings, &tracker_)) {
    if (!(observe_stats() == kZeroStats))
      fail(Check::kStats, "a new allocator's statistics all zero", describe(allocator_->stats()));
  }
  CheckerBase(const CheckerBase&) = delete;
  CheckerBase& operator=(const CheckerBase&) = delete;

  std::optional<Divergence> step(const Op& op) {
    if (failure_) return failure_;
    op_ = op;
    visit_op(op, Steps{self()});
    if (!failure_) self().check_state();
    ++ops_run_;
    return failure_;
  }

  // Verifies every live buffer, releases them all, and checks that tearing
  // the allocator down gives every block back.
  std::optional<Divergence> finish() {
    if (failure_) return failure_;
    op_.reset();
    for (std::uint64_t id = 0; id < handles_.size() && !failure_; ++id) {
      if (!self().is_live(id)) continue;
      self().release(id);
      if (!failure_) self().check_state();
    }
    if (failure_) return failure_;
    allocator_.reset();
    if (!check_returns()) return failure_;
    if (tracker_.live_blocks() != 0)
      fail(Check::kLeak, "no block held after the allocator is destroyed",
           std::to_string(tracker_.live_blocks()) + " blocks still held");
    return failure_;
  }

  Allocator& allocator() { return *allocator_; }
  TrackingResource& upstream() { return tracker_; }
  std::size_t ops_run() const { return ops_run_; }
  const std::optional<Divergence>& failure() const { return failure_; }

 protected:
  ~CheckerBase() = default;

  // Every statistic zero, whatever the members' own initializers say.
  static constexpr PoolStats kZeroStats = std::bit_cast<PoolStats>(std::array<unsigned char, sizeof(PoolStats)>{});

  Derived& self() { return static_cast<Derived&>(*this); }

  // The checker's side of each handler of op_table.def (op_dispatch.h).
  struct Steps {
    Derived& checker;
    void request(const Op& op) { checker.create(op); }
    void pool_size(const Op& op) { checker.set_pool_size(op); }
    void release(const Op& op) { checker.release_op(op.a); }
    void fail_next(const Op& op) { checker.fail_next(op); }
    void try_setting(const Op& op) { checker.try_setting(op); }
  };

  // pool_size N: above 2^30 the allocator must refuse it with
  // std::invalid_argument and change nothing (refusal_of).
  void set_pool_size(const Op& op) {
    note_state_before();
    Refusal got = Refusal::kNone;
    std::string message;
    try {
      allocator_->set_pool_size(op.a);
    } catch (const std::invalid_argument& refused) {
      got = Refusal::kInvalidArgument;
      message = refused.what();
    }
    refusal_done(
        refusal_of(op), got, message, [&] { return "pool_size " + std::to_string(allocator_->pool_size()); },
        [&] { return "pool_size " + std::to_string(op.a); });
  }
  // try_S V: another allocator, with this sequence's settings but S = V, on
  // the same upstream, then destroyed. The spec decides (refusal_of): a value
  // it refuses is refused in its words before anything is asked of upstream
  // (and validate() says so in the same words); one it takes gives an
  // allocator that reports its settings and zero statistics and asks
  // upstream for nothing. This allocator must not notice.
  void try_setting(const Op& op) {
    note_state_before();
    const PoolOptions options = tried_options(op, on_upstream(settings_, &tracker_));
    Refusal got = Refusal::kNone;
    std::string message;
    std::optional<Allocator> tried;
    try {
      tried.emplace(options);
    } catch (const std::invalid_argument& refused) {
      got = Refusal::kInvalidArgument;
      message = refused.what();
    }
    // The allocator's own validate() (allocator/pool_types.h), which callers
    // ask before they construct, says what its constructor does.
    const auto words = [](const std::optional<std::string>& error) { return "validate(): " + error.value_or("no error"); };
    const std::optional<std::string> expected = refused(op) ? std::optional(refusal_message(op)) : std::nullopt;
    const std::optional<SettingError> says = validate(options);
    if (const std::optional<std::string> said = says ? std::optional(says->message) : std::nullopt; said != expected)
      return void(fail(Check::kRefusal, words(expected), words(said)));
    if (refusal_done(
            refusal_of(op), got, message, [] { return "an allocator"; }, [] { return "an allocator"; })) return;
    if (!(tried->stats() == kZeroStats))
      return void(fail(Check::kStats, "a new allocator's statistics all zero", describe(tried->stats())));
    if (!check_settings_of(*tried, options, options.pool_size)) return;
    tried.reset();
    if (tracker_.requests() != requests_before_ || tracker_.live_blocks() != blocks_before_)
      return void(fail(Check::kSettings, "no upstream request from an allocator that was asked for nothing",
                       std::to_string(tracker_.requests() - requests_before_) + " upstream requests"));
  }
  // The K-th upstream request from now fails.
  void fail_next(const Op& op) { tracker_.fail_request(tracker_.requests() + op.a); }

  bool fail(Check check, std::string expected, std::string actual) {
    if (!failure_) failure_ = Divergence{ops_run_, op_, check, std::move(expected), std::move(actual)};
    return false;
  }

  // What one alloc, alloc_slow or from op got from the allocator.
  struct Attempt {
    Buffer buffer;
    Refusal refused = Refusal::kNone;  // the exception of a refusal (refusal_of) that reached the caller
    std::string message;               // and what it said
    std::span<std::byte> offered;  // what allocate_with offered the writer
    std::optional<std::uint64_t> failed_request;  // the injected failure the op met, if any
  };

  // Runs the op on the allocator. Only a std::bad_alloc the upstream
  // injected may reach the caller, once: it must leave the allocator exactly
  // as it was, and the op is then run again and must succeed. nullopt after
  // a failure.
  std::optional<Attempt> attempt(const Op& op) {
    const PoolStats& before = stats_before_;  // observed after the last op
    note_state_before();
    const std::size_t blocks_before = blocks_before_;
    std::uint64_t injected = tracker_.injected_failures();
    std::optional<std::uint64_t> failed_at;
    for (;;) {
      try {
        Attempt result = attempt_once(op);
        if (tracker_.injected_failures() != injected)
          return fail(Check::kFailure, "std::bad_alloc from the failing upstream request reaches the caller",
                      "the op succeeded although an upstream request failed (std::bad_alloc swallowed)"),
                 std::nullopt;
        result.failed_request = failed_at;
        return result;
      } catch (const std::length_error& refused) {
        return Attempt{{}, Refusal::kLengthError, refused.what(), {}, failed_at};
      } catch (const std::invalid_argument& refused) {
        return Attempt{{}, Refusal::kInvalidArgument, refused.what(), {}, failed_at};
      } catch (const std::bad_alloc&) {
        if (tracker_.injected_failures() == injected)
          return fail(Check::kFailure, "no std::bad_alloc: upstream failed no request",
                      "std::bad_alloc that upstream did not throw"),
                 std::nullopt;
        if (failed_at) return fail(Check::kFailure, "the op run again succeeds", "std::bad_alloc again"), std::nullopt;
        injected = tracker_.injected_failures();
        failed_at = tracker_.requests();
        if (!(allocator_->stats() == before))
          return fail(Check::kFailureAtomicity, "statistics unchanged by std::bad_alloc",
                      stats_difference(before, allocator_->stats())),
                 std::nullopt;
        if (allocator_->room() != room_before_)
          return fail(Check::kFailureAtomicity, "room unchanged by std::bad_alloc", "room changed"), std::nullopt;
        if (allocator_->pool_size() != pool_size_before_)
          return fail(Check::kFailureAtomicity, "pool_size " + std::to_string(pool_size_before_) + " unchanged by std::bad_alloc",
                      "pool_size " + std::to_string(allocator_->pool_size())),
                 std::nullopt;
        if (tracker_.live_blocks() != blocks_before)
          return fail(Check::kFailureAtomicity, std::to_string(blocks_before) + " blocks held, as before std::bad_alloc",
                      std::to_string(tracker_.live_blocks()) + " blocks held"),
                 std::nullopt;
      }
    }
  }

  // Before an op that may be refused: what a refusal must leave as it is.
  void note_state_before() {
    room_before_ = allocator_->room();
    pool_size_before_ = allocator_->pool_size();
    blocks_before_ = tracker_.live_blocks();
    requests_before_ = tracker_.requests();
  }

  // Whether the op is done because the allocator refused it or should have
  // (refusal_of): the refusal the rule expects, in docs/SPEC.md's words
  // (refusal_message), then that it changed nothing. `expected_instead` and
  // `got_instead` say what the op gives when it is not refused: callables
  // returning the text, so that an op that creates a buffer (nearly every op)
  // builds no string unless the check fails (built every time, they were 7.7%
  // of fuzz_pool_diff's instructions: docs/FUZZING.md, "The speed targets"). A
  // std::length_error is the failure check's, a std::invalid_argument the
  // refusal check's; the words are the refusal check's for both.
  template <class GotInstead, class ExpectedInstead>
  bool refusal_done(Refusal expected, Refusal got, const std::string& got_message, const GotInstead& got_instead,
                    const ExpectedInstead& expected_instead) {
    if (expected == Refusal::kNone && got == Refusal::kNone) return false;
    const auto text = [](Refusal refusal, const auto& instead) -> std::string {
      return refusal == Refusal::kNone ? std::string(instead()) : "std::" + std::string(refusal_name(refusal));
    };
    if (expected != got) {
      const bool invalid = expected == Refusal::kInvalidArgument || got == Refusal::kInvalidArgument;
      fail(invalid ? Check::kRefusal : Check::kFailure, text(expected, expected_instead), text(got, got_instead));
      return true;
    }
    if (const std::string words = refusal_message(*op_); got_message != words) {
      const auto none = [] { return ""; };  // both refused: the refusal's name, never this
      fail(Check::kRefusal, text(expected, none) + ": " + words, text(got, none) + ": " + got_message);
      return true;
    }
    check_refusal_changed_nothing(expected);
    return true;
  }

  bool check_refusal_changed_nothing(Refusal refusal) {
    const PoolStats& before = stats_before_;
    const std::string by = " unchanged by std::" + std::string(refusal_name(refusal));
    // A std::length_error is the failure atomicity check's (checks.def).
    const Check check = refusal == Refusal::kLengthError ? Check::kFailureAtomicity : Check::kRefusal;
    if (!(allocator_->stats() == before)) return fail(check, "statistics" + by, stats_difference(before, allocator_->stats()));
    if (allocator_->room() != room_before_ || allocator_->pool_size() != pool_size_before_)
      return fail(check, "room and pool_size " + std::to_string(pool_size_before_) + by,
                  "pool_size " + std::to_string(allocator_->pool_size()) +
                      (allocator_->room() != room_before_ ? ", room changed" : ""));
    if (tracker_.live_blocks() != blocks_before_)
      return fail(check, std::to_string(blocks_before_) + " blocks held" + by,
                  std::to_string(tracker_.live_blocks()) + " blocks held");
    if (refusal == Refusal::kInvalidArgument && tracker_.requests() != requests_before_)
      return fail(check, "no upstream request (refused before touching memory)",
                  std::to_string(tracker_.requests() - requests_before_) + " upstream requests");
    return true;
  }

  // The alignment an alloc or alloc_slow asked for holds for the address
  // and, pooled, for the offset.
  bool check_requested_alignment(const Op& op, const Placement& placement, std::uintptr_t data) {
    const std::uint64_t asked = op.kind == OpKind::kFrom ? 1 : requested_alignment(op);
    if (placement.length > 0 && data % asked != 0)
      return fail(Check::kAlignment, "address aligned to " + std::to_string(asked) + " as requested", hex(data));
    if (placement.pooled && placement.offset % asked != 0)
      return fail(Check::kAlignment, "offset aligned to " + std::to_string(asked) + " as requested",
                  "offset " + std::to_string(placement.offset));
    return true;
  }

  bool check_writer_offered(const Op& op, std::span<std::byte> offered) {
    if (offered.size() == op.a) return true;
    return fail(Check::kBounds, "writer offered the " + std::to_string(op.a) + " reserved bytes",
                "writer offered " + std::to_string(offered.size()) + " bytes");
  }

  // After its bounds are verified: a buffer made by allocate_with holds
  // what the writer wrote (called before the checker's own pattern).
  bool check_writer_bytes(const Buffer& buffer) {
    if (writer_wrote_ == 0 || buffer.size() < writer_wrote_) return true;
    const auto bad = verify_pattern(writer_pattern(), buffer.bytes().first(writer_wrote_));
    if (!bad) return true;
    return fail(Check::kContent, "the " + std::to_string(writer_wrote_) + " bytes the writer wrote, in the buffer",
                "byte " + std::to_string(*bad) + " differs");
  }

  bool check_writer_wrote_into(std::span<std::byte> offered, std::uintptr_t data) {
    const auto wrote = reinterpret_cast<std::uintptr_t>(offered.data());
    if (wrote == data) return true;
    return fail(Check::kBounds, "writer's bytes are the buffer's: " + hex(data), "writer wrote at " + hex(wrote));
  }

  bool check_address_aligned(std::size_t length, std::uintptr_t data) {
    if (length == 0 || data % settings_.alignment == 0) return true;
    return fail(Check::kAlignment, "address aligned to " + std::to_string(settings_.alignment), hex(data));
  }

  bool check_exact_block(std::uintptr_t data, std::size_t length) {
    const auto block = tracker_.block_containing(data, length);
    if (block && block->begin == data && block->size == length) return true;
    return fail(Check::kBounds, "an upstream block of exactly " + std::to_string(length) + " bytes at " + hex(data),
                block ? "inside a block of " + std::to_string(block->size) + " bytes at " + hex(block->begin)
                      : "no block there");
  }

  // The upstream block a pool's memory lies in, after checking the
  // memory's alignment; nullopt after a failure.
  std::optional<TrackingResource::Block> pool_block(std::uint64_t pool, std::uintptr_t base, std::size_t capacity) {
    const std::string name = "pool " + std::to_string(pool);
    const std::size_t pool_alignment = std::max(kPoolBaseAlignment, settings_.alignment);  // docs/SPEC.md
    if (base % pool_alignment != 0)
      return fail(Check::kAlignment, name + " memory aligned to " + std::to_string(pool_alignment), hex(base)), std::nullopt;
    auto block = tracker_.block_containing(base, capacity);
    if (!block)
      return fail(Check::kBounds, name + " " + range(base, base + capacity) + " inside memory from upstream",
                  "not inside any block"),
             std::nullopt;
    return block;
  }

  // A new pool's memory: no live pool may use any of it.
  bool claim_pool_memory(std::uint64_t pool, std::uintptr_t base, std::size_t capacity) {
    if (auto hit = live_pools_.overlapping(base, base + capacity))
      return fail(Check::kLifetime, "pool " + std::to_string(pool) + " in memory no live pool uses",
                  "overlaps live pool " + std::to_string(hit->owner) + " " + range(hit->begin, hit->end));
    live_pools_.insert(base, base + capacity, pool);
    return true;
  }

  bool claim_buffer_memory(std::uint64_t id, std::uintptr_t data, std::size_t length) {
    if (auto hit = live_buffers_.insert(data, data + length, id))
      return fail(Check::kOverlap, "no live buffer shares a byte with buffer " + std::to_string(id) + " " +
                                 range(data, data + length),
                  "overlaps buffer " + std::to_string(hit->owner) + " " + range(hit->begin, hit->end));
    return true;
  }

  bool check_content(std::uint64_t id) {
    const Buffer& buffer = handles_[id];
    const auto bad = verify_pattern(id, buffer.bytes());
    if (!bad) return true;
    return fail(Check::kContent, "buffer " + std::to_string(id) + " holds its own pattern",
                "byte " + std::to_string(*bad) + " of " + std::to_string(buffer.size()) + " changed");
  }

  // Gives a buffer back, forgetting its bytes. An empty buffer was never
  // stored, and the next buffer may start at its address: erasing by
  // address would drop that one. Buffers go back in the three ways a caller
  // has, by buffer number: release(), an empty handle moved over it, and
  // destruction (after a move out of the handle); the handle must then be
  // empty.
  void give_back(std::uint64_t id, const Placement& placement, std::uintptr_t data) {
    if (placement.length > 0) live_buffers_.erase(data);
    if (!placement.pooled && placement.length > 0) --unpooled_blocks_;
    Buffer& buffer = handles_[id];
    switch (id % 3) {
      case 0: buffer.release(); break;
      case 1: buffer = Buffer(); break;
      default: {
        Buffer gone(std::move(buffer));  // released by its destructor
        break;
      }
    }
    if (says_live(buffer) || says_pooled(buffer, false) || buffer.data() != nullptr || buffer.size() != 0 ||
        !buffer.bytes().empty())
      fail(Check::kHandle, "buffer " + std::to_string(id) + "'s handle empty once released", describe_handle(buffer));
  }

  // A live handle tells the truth about its buffer: the content check
  // writes and reads through bytes(), so a lying bytes() would blind it.
  bool check_live_handle(const Buffer& buffer, bool pooled) {
    const auto bytes = buffer.bytes();
    if (says_live(buffer) && says_pooled(buffer, pooled) == pooled && bytes.data() == buffer.data() &&
        bytes.size() == buffer.size())
      return true;
    return fail(Check::kHandle, std::string("live, ") + (pooled ? "pooled" : "not pooled") + ", bytes() = {data(), size()}",
                describe_handle(buffer));
  }

  // The allocator reports the settings it runs under. Wrappers without the
  // accessors (model/testing) are not asked.
  bool check_settings(std::size_t pool_size) { return check_settings_of(*allocator_, settings_, pool_size); }
  bool check_settings_of(const Allocator& a, const PoolOptions& settings, std::size_t pool_size) {
    if constexpr (requires { a.pool_size(); a.alignment(); a.cache_limit(); }) {
      if (a.pool_size() != pool_size || a.alignment() != settings.alignment || a.cache_limit() != settings.cache_limit)
        return fail(Check::kSettings,
                    "pool_size " + std::to_string(pool_size) + ", alignment " + std::to_string(settings.alignment) +
                        ", cache_limit " + std::to_string(settings.cache_limit),
                    "pool_size " + std::to_string(a.pool_size()) + ", alignment " + std::to_string(a.alignment()) +
                        ", cache_limit " + std::to_string(a.cache_limit()));
    }
    // The alignments it asks upstream for: pool memory max(64, alignment)
    // (docs/SPEC.md); unpooled blocks a power of two no less than the
    // setting and than malloc's own (its choice beyond that).
    if constexpr (requires { a.pool_alignment(); a.block_alignment(); }) {
      const std::size_t pool = std::max(kPoolBaseAlignment, settings.alignment);
      const std::size_t block = a.block_alignment();
      if (a.pool_alignment() != pool || !std::has_single_bit(block) ||
          block < std::max(settings.alignment, alignof(std::max_align_t)))
        return fail(Check::kSettings,
                    "pool_alignment " + std::to_string(pool) + ", block_alignment a power of two >= " +
                        std::to_string(std::max(settings.alignment, alignof(std::max_align_t))),
                    "pool_alignment " + std::to_string(a.pool_alignment()) + ", block_alignment " +
                        std::to_string(block));
    }
    return true;
  }

  bool check_returns() {
    if (!tracker_.bad_return()) return true;
    return fail(Check::kUpstream, "every block given back once, with the size and alignment it was allocated with",
                *tracker_.bad_return());
  }

  bool check_blocks_held(const PoolStats& stats) {
    if (!check_returns()) return false;
    const std::uint64_t expected = stats.live_pools + stats.cached_pools + unpooled_blocks_;
    if (tracker_.live_blocks() == expected) return true;
    return fail(Check::kLeak, std::to_string(expected) + " blocks held (live pools + cached pools + unpooled buffers)",
                std::to_string(tracker_.live_blocks()) + " blocks held");
  }

  PoolOptions settings_;
  TrackingResource tracker_;  // outlives the allocator
  std::optional<Allocator> allocator_;
  std::pmr::vector<Buffer> handles_;  // by buffer number; destroyed before the allocator
  IntervalSet live_buffers_;
  IntervalSet live_pools_;
  std::uint64_t unpooled_blocks_ = 0;  // non-empty unpooled buffers alive
  std::optional<Op> op_;
  std::size_t ops_run_ = 0;
  std::optional<Divergence> failure_;
  // The allocator's statistics, read once per state: check_state() reads
  // them through observe_stats() after every op, and nothing calls the
  // allocator between then and the next op, so they are also the
  // statistics before it. stats() walks the live pools; reading them again
  // before each op was a few percent of a fuzz run.
  const PoolStats& observe_stats() { return stats_before_ = allocator_->stats(); }
  PoolStats stats_before_;
  std::optional<std::ptrdiff_t> room_before_;  // of the op being attempted
  std::size_t pool_size_before_ = 0;
  std::size_t blocks_before_ = 0;
  std::uint64_t requests_before_ = 0;  // upstream requests before the op
  std::size_t writer_wrote_ = 0;  // bytes the writer of the op being attempted wrote
  // The writer's pattern: a number no buffer has, one per op.
  std::uint64_t writer_pattern() const { return ~std::uint64_t{0} - ops_run_; }

 private:
  // Test wrappers (model/testing) may have handles without live() and
  // pooled(); for them, a non-empty handle counts as live.
  static bool says_live(const Buffer& buffer) {
    if constexpr (requires { buffer.live(); }) return buffer.live();
    else return buffer.data() != nullptr || buffer.size() != 0;
  }
  static bool says_pooled(const Buffer& buffer, bool otherwise) {
    if constexpr (requires { buffer.pooled(); }) return buffer.pooled();
    else return otherwise;
  }
  static std::string describe_handle(const Buffer& buffer) {
    return std::string(says_live(buffer) ? "live" : "not live") + ", " +
           (says_pooled(buffer, false) ? "pooled" : "not pooled") + ", data() " +
           hex(reinterpret_cast<std::uintptr_t>(buffer.data())) + ", size() " + std::to_string(buffer.size()) +
           ", bytes() " + hex(reinterpret_cast<std::uintptr_t>(buffer.bytes().data())) + " + " +
           std::to_string(buffer.bytes().size());
  }

  // The writer keeps B bytes but writes nothing: the bytes are filled only
  // after the checker has verified where they are.
  Attempt attempt_once(const Op& op) {
    Attempt result;
    writer_wrote_ = 0;
    result.buffer = run_request(*allocator_, op, [&](std::span<std::byte> span) {
      result.offered = span;
      // Like Buffer.from(string), the writer writes the bytes it keeps, so
      // that a buffer must hold them (a copy that drops them is caught), but
      // only into memory the allocator got from upstream.
      const std::size_t kept = std::min<std::size_t>(op.b, span.size());
      if (kept > 0 && tracker_.block_containing(reinterpret_cast<std::uintptr_t>(span.data()), kept)) {
        fill_pattern(writer_pattern(), span.first(kept));
        writer_wrote_ = kept;
      }
      return static_cast<std::size_t>(op.b);
    });
    return result;
  }
};

}  // namespace poolcheck
