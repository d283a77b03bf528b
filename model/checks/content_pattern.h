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

// Buffers up to kFullPatternLimit bytes carry the pattern in every byte.
// Longer ones carry it in their first and last kPatternRun bytes and in one
// run every kPatternStride bytes: a request of kMaxRequest (1 GiB) then
// costs about a thousand page touches instead of a gigabyte of writes, and
// memory the upstream hands out lazily (malloc's mmap) stays uncommitted, so
// that sizes up to the limit can be tested at all. Every buffer the fuzzers
// and generators make is covered in full: a sequence requests at most 1 MiB.
inline constexpr std::size_t kFullPatternLimit = std::size_t{1} << 20;
inline constexpr std::size_t kPatternRun = 64;  // a multiple of 8
inline constexpr std::size_t kPatternStride = std::size_t{1} << 20;

// Calls visit(first, last) for each range [first, last) of a buffer of
// `size` bytes that carries the pattern; first is a multiple of 8.
template <class Visit>
void for_each_patterned_range(std::size_t size, Visit visit) {
  if (size <= kFullPatternLimit) return visit(std::size_t{0}, size);
  const std::size_t tail = (size - kPatternRun) / 8 * 8;
  for (std::size_t first = 0; first < tail; first += kPatternStride) visit(first, first + kPatternRun);
  visit(tail, size);
}

// Word-at-a-time: this runs on every byte the checker allocates.
inline void fill_pattern(std::uint64_t buffer, std::span<std::byte> bytes) {
  for_each_patterned_range(bytes.size(), [&](std::size_t first, std::size_t last) {
    std::size_t i = first;
    for (; i + 8 <= last; i += 8) {
      const std::uint64_t w = content_detail::word(buffer, i / 8);
      std::memcpy(bytes.data() + i, &w, 8);
    }
    if (i < last) {
      const std::uint64_t w = content_detail::word(buffer, i / 8);
      std::memcpy(bytes.data() + i, &w, last - i);
    }
  });
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
  std::optional<std::size_t> found;
  for_each_patterned_range(bytes.size(), [&](std::size_t first, std::size_t last) {
    if (found) return;
    std::size_t i = first;
    for (; i + 8 <= last; i += 8) {
      std::uint64_t actual;
      std::memcpy(&actual, bytes.data() + i, 8);
      if (actual != content_detail::word(buffer, i / 8)) return void(found = differs_at(i, 8));
    }
    if (i < last) found = differs_at(i, last - i);
  });
  return found;
}

}  // namespace poolcheck
