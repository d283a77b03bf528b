#include "bench/fast_path/instruction_cost.h"

#include <cstdio>
#include <memory>
#include <set>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace poolcheck::fast_path {

Cost& Cost::operator+=(const Cost& other) {
  instructions += other.instructions;
  branches += other.branches;
  loads += other.loads;
  stores += other.stores;
  calls += other.calls;
  return *this;
}

namespace {

const std::set<std::string_view> kPrefixes = {"lock", "rep", "repz", "repe", "repnz", "repne", "notrack",
                                              "bnd", "cs", "ds", "es", "fs", "gs", "ss", "data16", "addr32"};

bool starts_with_any(std::string_view s, std::initializer_list<std::string_view> heads) {
  for (std::string_view head : heads)
    if (s.starts_with(head)) return true;
  return false;
}

// Splits "a,b(%x,%y,1),c" at the commas outside parentheses.
std::vector<std::string> split_operands(const std::string& operands) {
  std::vector<std::string> out;
  std::string current;
  int depth = 0;
  for (char c : operands) {
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c == ',' && depth == 0) {
      out.push_back(current);
      current.clear();
    } else {
      current += c;
    }
  }
  if (!current.empty()) out.push_back(current);
  return out;
}

// An AT&T memory operand: "(%rax)", "0x8(%rsp)", "*0x10(%rax)", or a bare
// absolute address; not "$imm", "%reg" or "*%reg".
bool is_memory(std::string_view operand) {
  if (operand.starts_with("*")) operand.remove_prefix(1);
  if (operand.empty() || operand.starts_with("$") || operand.starts_with("%")) return false;
  return true;
}

// Instructions whose last operand is written without being read.
bool writes_only_destination(std::string_view m) {
  return starts_with_any(m, {"mov", "vmov", "set", "cvt", "vcvt", "stos", "vbroadcast", "vpbroadcast"}) ||
         m == "pextrq" || m == "pextrd" || m == "vpextrq" || m == "vextracti128";
}

// Instructions that read every operand and write none.
bool reads_only(std::string_view m) {
  return starts_with_any(m, {"cmp", "test", "bt", "ucomis", "comis", "vucomis", "vcomis", "ptest", "vptest"}) &&
         !m.starts_with("cmpxchg") && !starts_with_any(m, {"btc", "btr", "bts"});
}

}  // namespace

Instruction parse_instruction(const std::string& text) {
  std::vector<std::string> words;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    std::size_t j = i;
    while (j < text.size() && text[j] != ' ' && text[j] != '\t') ++j;
    if (j > i) words.push_back(text.substr(i, j - i));
    i = j;
  }
  std::size_t w = 0;
  while (w < words.size() && kPrefixes.contains(words[w])) ++w;
  Instruction out;
  if (w < words.size()) out.mnemonic = words[w++];
  // Operands are one word in objdump's output; what follows is a comment
  // ("# 1afc0 <sym>") or a branch target's symbol ("<f+0x10>").
  if (w < words.size() && !words[w].starts_with("#") && !words[w].starts_with("<")) out.operands = words[w];
  return out;
}

Cost cost_of(const Instruction& in) {
  Cost cost;
  cost.instructions = 1;
  const std::string_view m = in.mnemonic;
  const std::vector<std::string> ops = split_operands(in.operands);
  if (m.starts_with("nop") || m == "endbr64" || m.starts_with("lea") || m.starts_with("prefetch")) return cost;
  if (m.starts_with("j")) {
    if (!m.starts_with("jmp")) cost.branches = 1;
    if (!ops.empty() && ops[0].starts_with("*") && is_memory(ops[0])) cost.loads = 1;
    return cost;
  }
  if (m.starts_with("call")) {
    cost.calls = 1;
    cost.stores = 1;
    if (!ops.empty() && ops[0].starts_with("*") && is_memory(ops[0])) cost.loads = 1;
    return cost;
  }
  if (m.starts_with("ret")) {
    cost.loads = 1;
    return cost;
  }
  if (m.starts_with("push")) {
    cost.stores = 1;
    if (!ops.empty() && is_memory(ops[0])) cost.loads = 1;
    return cost;
  }
  if (m.starts_with("pop")) {
    cost.loads = 1;
    if (!ops.empty() && is_memory(ops[0])) cost.stores = 1;
    return cost;
  }
  if (ops.empty()) return cost;
  bool source_memory = false;
  for (std::size_t k = 0; k + 1 < ops.size(); ++k) source_memory = source_memory || is_memory(ops[k]);
  const bool destination_memory = is_memory(ops.back());
  if (reads_only(m)) {
    cost.loads = (source_memory || destination_memory) ? 1 : 0;
  } else if (writes_only_destination(m)) {
    cost.loads = source_memory ? 1 : 0;
    cost.stores = destination_memory ? 1 : 0;
  } else {
    cost.loads = (source_memory || destination_memory) ? 1 : 0;  // a memory destination is read, then written
    cost.stores = destination_memory ? 1 : 0;
  }
  return cost;
}

std::map<std::uintptr_t, std::string> disassemble(const std::string& executable) {
  const std::string command = "objdump -d -w --no-show-raw-insn '" + executable + "'";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  if (!pipe) throw std::runtime_error("cannot run: " + command);
  std::map<std::uintptr_t, std::string> out;
  char line[4096];
  while (std::fgets(line, sizeof line, pipe.get()) != nullptr) {
    // "    7540:\tpush   %r15"
    std::string_view s = line;
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    const std::size_t colon = s.find(":\t");
    if (colon == std::string_view::npos || colon == 0) continue;
    std::uintptr_t address = 0;
    bool hex = true;
    for (char c : s.substr(0, colon)) {
      const int digit = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
      if (digit < 0) hex = false;
      address = address * 16 + static_cast<std::uintptr_t>(digit < 0 ? 0 : digit);
    }
    if (!hex) continue;
    std::string text(s.substr(colon + 2));
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    out[address] = text;
  }
  if (out.empty()) throw std::runtime_error("objdump printed no instructions: " + command);
  return out;
}

}  // namespace poolcheck::fast_path
