// Runs a call with the x86-64 trap flag set and records the address of every
// instruction executed from a function's entry up to and including its ret.
// No clock and no performance counter: the CPU traps after each instruction
// (SIGTRAP) and the handler notes where it is, so the same binary and the same
// allocator state always give the same list.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

namespace poolcheck::fast_path {

// `call` must call the function at `entry` once (directly or through a
// pointer). Returns the addresses of the instructions executed inside it, in
// order, callees included; throws std::runtime_error if `entry` never ran or
// the path is longer than a fast path can be (4096 instructions).
std::vector<std::uintptr_t> trace_call(const void* entry, const std::function<void()>& call);

// The address the executable was loaded at (PIE): runtime address - load
// bias = the address objdump prints.
std::uintptr_t load_bias();

}  // namespace poolcheck::fast_path
