// An allocator driven by ops for the tools that show what it does
// (`poolcheck trace`, the pool maps), where the checkers verify as they go:
// the allocator on a failure-injecting upstream, its buffers by number, and
// what each op did, as buffer events the tools need not know ops to read.
// Ops reach it through the one dispatch (model/ops/op_dispatch.h), so a new
// kind of op is handled here once, not in each tool.
#pragma once

#include <cstddef>
#include <cstdint>
#include <new>
#include <optional>
#include <stdexcept>
#include <vector>

#include "allocator/pool_allocator.h"
#include "model/checks/tracking_resource.h"
#include "model/ops/op_dispatch.h"
#include "model/ops/ops.h"
#include "model/ops/settings.h"

namespace poolcheck {

template <class Allocator = PoolAllocator>
class AllocatorRun {
 public:
  using Buffer = typename Allocator::Buffer;

  // What one op did.
  struct Step {
    std::optional<std::uint64_t> placed;    // a buffer that now has a placement (a new one)
    std::optional<std::uint64_t> released;  // a buffer given back
    Refusal refused = Refusal::kNone;       // refused (refusal_of): the exception, and no buffer
    // The upstream request an injected std::bad_alloc failed in this op
    // (counted from 1 over the run); the op was then run once more, as the
    // checkers do (docs/SPEC.md).
    std::optional<std::uint64_t> failed_request;
  };

  explicit AllocatorRun(const PoolOptions& settings)
      : settings_(on_upstream(settings, &upstream_)), allocator_(settings_) {}
  AllocatorRun(const AllocatorRun&) = delete;
  AllocatorRun& operator=(const AllocatorRun&) = delete;

  Step step(const Op& op) {
    step_ = {};
    visit_op(op, Handlers{*this});
    return step_;
  }

  Allocator& allocator() { return allocator_; }
  const Buffer& buffer(std::uint64_t number) const { return buffers_.at(number); }

 private:
  // Each handler of op_table.def.
  struct Handlers {
    AllocatorRun& run;
    void pool_size(const Op& op) {
      try {
        run.allocator_.set_pool_size(op.a);
      } catch (const std::invalid_argument&) {
        run.step_.refused = Refusal::kInvalidArgument;
      }
    }
    void fail_next(const Op& op) { run.upstream_.fail_request(run.upstream_.requests() + op.a); }
    void try_setting(const Op& op) {
      const PoolOptions options = tried_options(op, run.settings_);
      try {
        const Allocator tried(options);
      } catch (const std::invalid_argument&) {
        run.step_.refused = Refusal::kInvalidArgument;
      }
    }
    void release(const Op& op) {
      run.buffers_.at(op.a).release();
      run.step_.released = op.a;
    }
    void request(const Op& op) {
      try {
        try {
          run.buffers_.push_back(run_request(run.allocator_, op));
        } catch (const std::bad_alloc&) {
          run.step_.failed_request = run.upstream_.requests();
          run.buffers_.push_back(run_request(run.allocator_, op));
        }
      } catch (const std::length_error&) {
        run.step_.refused = Refusal::kLengthError;
        return;
      } catch (const std::invalid_argument&) {
        run.step_.refused = Refusal::kInvalidArgument;
        return;
      }
      run.step_.placed = run.buffers_.size() - 1;
    }
  };

  TrackingResource upstream_;  // outlives the allocator
  PoolOptions settings_;       // the sequence's, on upstream_ (try_S V changes one of them)
  Allocator allocator_;
  std::vector<Buffer> buffers_;  // by number; destroyed before the allocator
  Step step_;
};

}  // namespace poolcheck
