// Fills each buffer with bytes unique to it (a function of the buffer's
// number and the byte's position), so that overlap, reuse of live memory and
// stray writes show up as a changed byte when the buffer is verified.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>

namespace poolcheck {

namespace content_detail {
constexpr std::uint64_t mix(std::uint64_t x) {  // splitmix64's finalizer
  x ^= x >> 30;
  x *= 0xBF58476D1CE4E5B9ull;
  x ^= x >> 27;
  x *= 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}
constexpr std::uint64_t word(std::uint64_t buffer, std::size_t index) {
  return mix((buffer + 1) * 0x9E3779B97F4A7C15ull + index);
}
}  // namespace content_detail

// Word-at-a-time: this runs on every byte the checker allocates.
inline void fill_pattern(std::uint64_t buffer, std::span<std::byte> bytes) {
  std::size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    const std::uint64_t w = content_detail::word(buffer, i / 8);
    std::memcpy(bytes.data() + i, &w, 8);
  }
  if (i < bytes.size()) {
    const std::uint64_t w = content_detail::word(buffer, i / 8);
    std::memcpy(bytes.data() + i, &w, bytes.size() - i);
  }
}

// The index of the first byte that differs from the pattern, if any. Whole
// words are compared as integers: memcmp is intercepted under the sanitizers
// and libFuzzer (a range check and a comparison hook per call), which made
// it the larger part of a fuzz run.
inline std::optional<std::size_t> verify_pattern(std::uint64_t buffer, std::span<const std::byte> bytes) {
  const auto differs_at = [&](std::size_t i, std::size_t n) -> std::optional<std::size_t> {
    const std::uint64_t w = content_detail::word(buffer, i / 8);
    unsigned char expected[8];
    std::memcpy(expected, &w, 8);
    for (std::size_t j = 0; j < n; ++j)
      if (static_cast<unsigned char>(bytes[i + j]) != expected[j]) return i + j;
    return std::nullopt;
  };
  std::size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    std::uint64_t actual;
    std::memcpy(&actual, bytes.data() + i, 8);
    if (actual != content_detail::word(buffer, i / 8)) return differs_at(i, 8);
  }
  if (i < bytes.size()) return differs_at(i, bytes.size() - i);
  return std::nullopt;
}

}  // namespace poolcheck
