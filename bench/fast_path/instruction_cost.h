// What one x86-64 instruction costs in the terms of the gate, read from
// objdump's AT&T text: is it a conditional branch, a call, does it load from
// or store to memory.
//
// Rules (docs/BENCHMARKS.md, "The fast-path gate"):
//   branch  a conditional jump (j<cc>, jrcxz...); jmp is not counted
//   call    call (it also stores the return address: one store)
//   load    reads memory: a memory source operand, cmp/test with memory, the
//           memory destination of a read-modify-write (add $1,(%rax)), pop,
//           ret, an indirect call or jmp through memory
//   store   writes memory: a memory destination, push, call
//   lea, nop and endbr64 touch no memory; an instruction that both reads
//   and writes memory counts one load and one store.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace poolcheck::fast_path {

struct Cost {
  int instructions = 0;
  int branches = 0;
  int loads = 0;
  int stores = 0;
  int calls = 0;
  Cost& operator+=(const Cost& other);
  bool operator==(const Cost&) const = default;
};

struct Instruction {
  std::string mnemonic;  // without prefixes such as lock, rep, notrack, cs
  std::string operands;  // AT&T order: sources first, destination last
};

// "mov    0x30(%rbx),%r8" (objdump's text after the address) -> Instruction.
Instruction parse_instruction(const std::string& text);
Cost cost_of(const Instruction& instruction);

// Every instruction of an executable by address, from `objdump -d`. Throws
// std::runtime_error when objdump cannot be run.
std::map<std::uintptr_t, std::string> disassemble(const std::string& executable);

}  // namespace poolcheck::fast_path
