// The gate's classifier on its own: hand-written lines in objdump's AT&T
// text (what follows an address in `objdump -d -w --no-show-raw-insn`) and
// the branches, loads, stores and calls each one must count, by the rules
// in instruction_cost.h and docs/BENCHMARKS.md ("The fast-path gate").
// fast_path_gate compares its totals with a golden file that the same
// classifier wrote; this test is what catches a classifier that is wrong in
// a way the golden file would inherit.
#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

#include "bench/fast_path/instruction_cost.h"

namespace poolcheck::fast_path {

// How GoogleTest prints a Cost in a failure (found by argument lookup).
void PrintTo(const Cost& c, std::ostream* out) {
  *out << "{instructions " << c.instructions << ", branches " << c.branches << ", loads " << c.loads << ", stores "
       << c.stores << ", calls " << c.calls << "}";
}

namespace {

struct Case {
  std::string line;
  int branches, loads, stores, calls;
};

const std::vector<Case> kCases = {
    // Control flow: conditional jumps are branches, jmp is not.
    {"jne    7550 <_ZN8poolcheck4poolEv+0x10>", 1, 0, 0, 0},
    {"je     7550 <f+0x10>", 1, 0, 0, 0},
    {"ja     7550", 1, 0, 0, 0},
    {"jrcxz  7550 <f+0x10>", 1, 0, 0, 0},
    {"jmp    7550 <f+0x10>", 0, 0, 0, 0},
    {"jmp    *%rax", 0, 0, 0, 0},
    {"notrack jmp *0x10(%rax,%rdx,8)", 0, 1, 0, 0},
    {"call   7100 <malloc@plt>", 0, 0, 1, 1},
    {"call   *%rax", 0, 0, 1, 1},
    {"call   *0x18(%rax)", 0, 1, 1, 1},
    {"ret", 0, 1, 0, 0},
    {"push   %rbx", 0, 0, 1, 0},
    {"push   0x8(%rdi)", 0, 1, 1, 0},
    {"pop    %rbx", 0, 1, 0, 0},
    // Moves: a memory source is a load, a memory destination a store.
    {"mov    0x30(%rbx),%r8", 0, 1, 0, 0},
    {"mov    %r8,0x30(%rbx)", 0, 0, 1, 0},
    {"movq   $0x0,0x8(%rax)", 0, 0, 1, 0},
    {"mov    %rax,%rbx", 0, 0, 0, 0},
    {"mov    $0x2000,%eax", 0, 0, 0, 0},
    {"movzbl (%rdi),%eax", 0, 1, 0, 0},
    {"mov    0x1234,%rax", 0, 1, 0, 0},  // a bare absolute address is memory
    {"sete   0x10(%rdi)", 0, 0, 1, 0},
    // Compare and test read every operand and write none.
    {"cmp    %rax,0x10(%rdi)", 0, 1, 0, 0},
    {"cmpq   $0x0,(%rax)", 0, 1, 0, 0},
    {"test   %rax,%rax", 0, 0, 0, 0},
    {"testb  $0x1,0x8(%rdi)", 0, 1, 0, 0},
    // Read-modify-write: a memory destination is read, then written.
    {"add    $0x1,(%rax)", 0, 1, 1, 0},
    {"addq   $0x40,0x18(%rbx)", 0, 1, 1, 0},
    {"sub    0x8(%rdi),%rax", 0, 1, 0, 0},
    {"add    %rdx,%rax", 0, 0, 0, 0},
    {"lock cmpxchg %rcx,(%rdx)", 0, 1, 1, 0},
    {"lock xadd %eax,0x8(%rdi)", 0, 1, 1, 0},
    // No memory touched.
    {"lea    0x7(%rsi),%rax", 0, 0, 0, 0},
    {"nopl   0x0(%rax,%rax,1)", 0, 0, 0, 0},
    {"endbr64", 0, 0, 0, 0},
    {"xchg   %ax,%ax", 0, 0, 0, 0},
};

TEST(InstructionCost, EachHandWrittenLineCountsWhatTheRulesSay) {
  for (const Case& c : kCases) {
    const Cost got = cost_of(parse_instruction(c.line));
    EXPECT_EQ(got.instructions, 1) << c.line;
    EXPECT_EQ(got.branches, c.branches) << c.line;
    EXPECT_EQ(got.loads, c.loads) << c.line;
    EXPECT_EQ(got.stores, c.stores) << c.line;
    EXPECT_EQ(got.calls, c.calls) << c.line;
  }
}

TEST(InstructionCost, ABlockAddsUp) {
  // A made-up fast path: load, compare, branch, store, read-modify-write, ret.
  const std::vector<std::string> block = {
      "endbr64", "mov    0x10(%rdi),%rax", "lea    0x7(%rsi),%rdx", "and    $0xfffffffffffffff8,%rdx",
      "cmp    %rdx,0x18(%rdi)", "jb     7600 <f+0x40>", "mov    %rdx,0x10(%rdi)", "addq   $0x1,0x20(%rdi)",
      "ret"};
  Cost total;
  for (const std::string& line : block) total += cost_of(parse_instruction(line));
  EXPECT_EQ(total, (Cost{.instructions = 9, .branches = 1, .loads = 4, .stores = 2, .calls = 0}));
}

TEST(InstructionCost, ParsingDropsPrefixesCommentsAndSymbols) {
  const Instruction locked = parse_instruction("lock cmpxchg %rcx,(%rdx)");
  EXPECT_EQ(locked.mnemonic, "cmpxchg");
  EXPECT_EQ(locked.operands, "%rcx,(%rdx)");
  const Instruction rip = parse_instruction("mov    0x2f0e(%rip),%rax        # 1afc0 <pool>");
  EXPECT_EQ(rip.mnemonic, "mov");
  EXPECT_EQ(rip.operands, "0x2f0e(%rip),%rax");
  const Instruction jump = parse_instruction("jne    7550 <f+0x10>");
  EXPECT_EQ(jump.mnemonic, "jne");
  EXPECT_EQ(jump.operands, "7550");
  const Instruction bare = parse_instruction("ret");
  EXPECT_EQ(bare.mnemonic, "ret");
  EXPECT_EQ(bare.operands, "");
}

}  // namespace
}  // namespace poolcheck::fast_path
