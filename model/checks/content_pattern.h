// Fills each buffer with bytes unique to it (a function of the buffer's
// number and the byte's position), so that overlap, reuse of live memory and
// stray writes show up as a changed byte when the buffer is verified.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <vector>

#include "model/ops/op_codec.h"

namespace poolcheck {

// Buffers up to kFullPatternLimit bytes carry the pattern in every byte.
// Longer ones carry it in their first and last kPatternRun bytes and in one
// run every kPatternStride bytes, or every 1/kMaxPatternRuns of the buffer
// if that is longer: a request of kMaxRequest (1 GiB) then costs about 65
// page touches (each ~13 us here) instead of a gigabyte of writes, and
// memory the upstream hands out lazily (malloc's mmap) stays uncommitted,
// so that sizes up to the limit can be tested at all, and often (the
// fuzzers make them: the decoder's budget counts a request above this bound
// by what these touch, kLargeRequest in model/ops/op_codec.h). Every
// smaller buffer is covered in full.
inline constexpr std::size_t kFullPatternLimit = std::size_t{1} << 20;
static_assert(kFullPatternLimit == kLargeRequest);
inline constexpr std::size_t kPatternRun = 64;  // a multiple of 8
inline constexpr std::size_t kPatternStride = std::size_t{1} << 20;
inline constexpr std::size_t kMaxPatternRuns = 64;

// Calls visit(first, last) for each range [first, last) of a buffer of
// `size` bytes that carries the pattern; first is a multiple of 8.
template <class Visit>
void for_each_patterned_range(std::size_t size, Visit visit) {
  if (size <= kFullPatternLimit) return visit(std::size_t{0}, size);
  const std::size_t stride = std::max(kPatternStride, (size / kMaxPatternRuns + 7) / 8 * 8);
  const std::size_t tail = (size - kPatternRun) / 8 * 8;
  for (std::size_t first = 0; first < tail; first += stride) visit(first, first + kPatternRun);
  visit(tail, size);
}

namespace content_detail {
constexpr std::uint64_t mix(std::uint64_t x) {  // splitmix64's finalizer
  x ^= x >> 30;
  x *= 0xBF58476D1CE4E5B9ull;
  x ^= x >> 27;
  x *= 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// The pattern is a window onto one table of random words: word i of
// buffer b is table[(shift(b) + i) mod kTableWords]. Filling and verifying
// a range are then one memcpy and one memcmp (each one intercepted call
// under the sanitizers, which check the whole range), not a computed store
// and load per word. Two buffers' patterns agree at some position only if
// their shifts differ by exactly the distance between the words there: for
// a given overlap that is one shift difference in kTableWords (2^17), and
// the shifts are pseudo-random, so no regular placement error lines up
// with them. The table holds kTableWords more words than that, so that any
// range up to kFullPatternLimit bytes is one contiguous window.
inline constexpr std::size_t kTableWords = std::size_t{1} << 17;
static_assert(kTableWords * 8 >= kFullPatternLimit && kPatternRun <= kFullPatternLimit);

inline const std::byte* table() {
  static const std::vector<std::uint64_t> words = [] {
    std::vector<std::uint64_t> w(2 * kTableWords);
    for (std::size_t i = 0; i < kTableWords; ++i) w[i] = w[i + kTableWords] = mix(0x9E3779B97F4A7C15ull * (i + 1));
    return w;
  }();
  return reinterpret_cast<const std::byte*>(words.data());
}

inline std::size_t shift(std::uint64_t buffer) { return mix(buffer + 1) % kTableWords; }

// The pattern of bytes [first, ...) of `buffer`; first is a multiple of 8.
inline const std::byte* pattern_at(std::uint64_t buffer, std::size_t first) {
  return table() + (shift(buffer) + first / 8) % kTableWords * 8;
}
}  // namespace content_detail

inline void fill_pattern(std::uint64_t buffer, std::span<std::byte> bytes) {
  if (bytes.empty()) return;  // memcpy's pointers must not be null, even for 0 bytes
  for_each_patterned_range(bytes.size(), [&](std::size_t first, std::size_t last) {
    std::memcpy(bytes.data() + first, content_detail::pattern_at(buffer, first), last - first);
  });
}

// The index of the first byte that differs from the pattern, if any. One
// memcmp per range (libFuzzer's comparison hook returns at once when they
// are equal); the byte is looked for only when they are not.
inline std::optional<std::size_t> verify_pattern(std::uint64_t buffer, std::span<const std::byte> bytes) {
  std::optional<std::size_t> found;
  if (bytes.empty()) return found;
  for_each_patterned_range(bytes.size(), [&](std::size_t first, std::size_t last) {
    if (found) return;
    const std::byte* expected = content_detail::pattern_at(buffer, first);
    if (std::memcmp(bytes.data() + first, expected, last - first) == 0) return;
    for (std::size_t i = first; i < last; ++i)
      if (bytes[i] != expected[i - first]) return void(found = i);
  });
  return found;
}

}  // namespace poolcheck
