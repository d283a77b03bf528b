#include "model/checks/divergence.h"

#include <algorithm>
#include <cstdio>
#include <string>

namespace poolcheck {

std::string hex(std::uintptr_t address) {
  char text[32];
  std::snprintf(text, sizeof text, "0x%llx", static_cast<unsigned long long>(address));
  return text;
}

std::string range(std::uintptr_t begin, std::uintptr_t end) { return "[" + hex(begin) + ", " + hex(end) + ")"; }

std::string describe(const Placement& placement) {
  if (!placement.pooled) return "unpooled, length " + std::to_string(placement.length);
  return "pool " + std::to_string(placement.pool) + " offset " + std::to_string(placement.offset) + " length " +
         std::to_string(placement.length);
}

namespace {

struct StatField {
  const char* name;
  std::uint64_t PoolStats::*member;
};

constexpr StatField kStatFields[] = {
    {"live_buffers", &PoolStats::live_buffers},     {"bytes_in_use", &PoolStats::bytes_in_use},
    {"live_pools", &PoolStats::live_pools},         {"pool_bytes", &PoolStats::pool_bytes},
    {"unpooled_bytes", &PoolStats::unpooled_bytes}, {"cached_pools", &PoolStats::cached_pools},
    {"padding_bytes", &PoolStats::padding_bytes},   {"tail_waste_bytes", &PoolStats::tail_waste_bytes},
    {"pools_created", &PoolStats::pools_created},   {"pools_reused", &PoolStats::pools_reused},
};

}  // namespace

std::string describe(const PoolStats& stats) {
  std::string out;
  for (const StatField& field : kStatFields) {
    if (!out.empty()) out += ' ';
    out += std::string(field.name) + "=" + std::to_string(stats.*field.member);
  }
  return out;
}

std::string stats_difference(const PoolStats& expected, const PoolStats& actual) {
  std::string out;
  for (const StatField& field : kStatFields) {
    if (expected.*field.member == actual.*field.member) continue;
    if (!out.empty()) out += ", ";
    out += std::string(field.name) + " " + std::to_string(actual.*field.member) + " (expected " +
           std::to_string(expected.*field.member) + ")";
  }
  return out.empty() ? "no difference" : out;
}

std::string describe(const Divergence& divergence, std::span<const Op> ops, const PoolOptions& settings) {
  std::string out = "# divergence (" + std::string(name_of(divergence.check)) + ") at ";
  if (divergence.op)
    out += "op " + std::to_string(divergence.op_index) + ": " + to_text(*divergence.op) + "\n";
  else
    out += "the end of the sequence, after op " + std::to_string(divergence.op_index) + "\n";
  out += "#   expected: " + divergence.expected + "\n";
  out += "#   actual:   " + divergence.actual + "\n";
  out += "# the sequence up to that op:\n";
  const std::size_t count = std::min(ops.size(), divergence.op_index + (divergence.op ? 1 : 0));
  out += to_text(ops.first(count), settings);
  return out;
}

}  // namespace poolcheck
