// How every tool runs an op: written once, here. visit_op() hands the op to
// the member of a visitor that its row in op_table.def names, and
// run_request() is the one call from a request op to an allocator. The
// checkers (model/checks/checker_base.h), `poolcheck trace` and the pool
// maps (model/tool/) all go through both, so they cannot call the allocator
// differently for the same op.
#pragma once

#include <cstddef>
#include <span>
#include <stdexcept>

#include "model/ops/ops.h"

namespace poolcheck {

// A visitor has void request(const Op&) (alloc, alloc_slow, from),
// pool_size(const Op&), release(const Op&), fail_next(const Op&) and
// try_setting(const Op&) (try_pool_size, try_alignment, ...): a new
// handler in op_table.def is a compile error in every visitor until it is
// handled there. A visitor may have realloc(const Op&) for `realloc K N`;
// one without it (the Node pool's tools: its allocator has no resize) gets
// the plain ops the op means, request(alloc N) then release(release K)
// (realloc_as_plain_ops in ops.h).
template <class Visitor>
void visit_op(const Op& op, Visitor&& visitor) {
  switch (spec_of(op.kind).handler) {
    case OpHandler::kRequest: return visitor.request(op);
    case OpHandler::kPoolSize: return visitor.pool_size(op);
    case OpHandler::kRelease: return visitor.release(op);
    case OpHandler::kFailNext: return visitor.fail_next(op);
    case OpHandler::kRealloc:
      if constexpr (requires { visitor.realloc(op); }) {
        return visitor.realloc(op);
      } else {
        const auto [alloc, release] = realloc_as_plain_ops(op);
        visitor.request(alloc);
        return visitor.release(release);
      }
    case OpHandler::kTrySetting: return visitor.try_setting(op);
    case OpHandler::kShorthand:  // the parser and the decoder expand it (shorthand.h): a caller's error
      throw std::invalid_argument(to_text(op) + " is a shorthand: expand it (model/ops/shorthand.h) before running");
  }
}

// `from R A` reserves R bytes and keeps A of them: the writer is offered the
// R reserved bytes and returns how many it keeps. This one writes nothing.
struct KeepOnly {
  std::size_t kept;
  std::size_t operator()(std::span<std::byte>) const { return kept; }
};

// The allocator call of a request op: `alloc N` is allocate(n) and
// `alloc N align A` allocate(n, a) (another call, even for A = 1),
// `alloc_slow` likewise allocate_slow, `from R A` allocate_with(r, writer).
template <class Allocator, class Writer>
typename Allocator::Buffer run_request(Allocator& allocator, const Op& op, Writer&& writer) {
  switch (op.kind) {
    case OpKind::kAlloc: return op.b == 0 ? allocator.allocate(op.a) : allocator.allocate(op.a, op.b);
    case OpKind::kAllocSlow: return op.b == 0 ? allocator.allocate_slow(op.a) : allocator.allocate_slow(op.a, op.b);
    case OpKind::kFrom: return allocator.allocate_with(op.a, writer);
    default: throw std::invalid_argument("run_request: " + to_text(op) + " is not a request");
  }
}

template <class Allocator>
typename Allocator::Buffer run_request(Allocator& allocator, const Op& op) {
  return run_request(allocator, op, KeepOnly{static_cast<std::size_t>(op.b)});
}

}  // namespace poolcheck
