#include "bench/fast_path/single_step.h"

#include <link.h>
#include <signal.h>
#include <ucontext.h>

#include <cstddef>
#include <stdexcept>

namespace poolcheck::fast_path {
namespace {

constexpr std::size_t kMaxSteps = 4096;
constexpr long kTrapFlag = 0x100;  // EFLAGS.TF

// The handler may only touch plain static storage.
struct TraceState {
  std::uintptr_t entry = 0;
  std::uintptr_t return_to = 0;
  bool inside = false;
  bool finished = false;
  std::size_t steps = 0;
  std::uintptr_t at[kMaxSteps];
};
TraceState state;

void on_trap(int, siginfo_t*, void* context) {
  auto* uc = static_cast<ucontext_t*>(context);
  const auto rip = static_cast<std::uintptr_t>(uc->uc_mcontext.gregs[REG_RIP]);
  if (!state.inside && !state.finished && rip == state.entry) {
    state.inside = true;
    // At the entry, the stack's top is the return address.
    state.return_to = *reinterpret_cast<const std::uintptr_t*>(uc->uc_mcontext.gregs[REG_RSP]);
  }
  if (!state.inside) return;
  if (rip == state.return_to || state.steps == kMaxSteps) {
    state.inside = false;
    state.finished = true;
    uc->uc_mcontext.gregs[REG_EFL] &= ~kTrapFlag;  // stop stepping once we are back
    return;
  }
  state.at[state.steps++] = rip;
}

int note_first(dl_phdr_info* info, std::size_t, void* out) {
  *static_cast<std::uintptr_t*>(out) = info->dlpi_addr;
  return 1;  // the first object is the executable itself
}

}  // namespace

std::vector<std::uintptr_t> trace_call(const void* entry, const std::function<void()>& call) {
  struct sigaction action = {};
  struct sigaction previous = {};
  action.sa_sigaction = on_trap;
  action.sa_flags = SA_SIGINFO;
  sigemptyset(&action.sa_mask);
  if (sigaction(SIGTRAP, &action, &previous) != 0) throw std::runtime_error("sigaction(SIGTRAP) failed");
  state = TraceState{};
  state.entry = reinterpret_cast<std::uintptr_t>(entry);
  asm volatile("pushfq\n\torq $0x100, (%%rsp)\n\tpopfq" ::: "memory", "cc");
  call();
  asm volatile("pushfq\n\tandq $~0x100, (%%rsp)\n\tpopfq" ::: "memory", "cc");
  sigaction(SIGTRAP, &previous, nullptr);
  if (!state.finished) throw std::runtime_error("the traced function never ran or never returned");
  if (state.steps == kMaxSteps) throw std::runtime_error("path longer than 4096 instructions: not a fast path");
  return {state.at, state.at + state.steps};
}

std::uintptr_t load_bias() {
  std::uintptr_t bias = 0;
  dl_iterate_phdr(note_first, &bias);
  return bias;
}

}  // namespace poolcheck::fast_path
