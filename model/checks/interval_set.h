// Disjoint half-open address ranges with O(log n) insertion that reports the
// range a new one would overlap. Empty ranges overlap nothing and are not
// stored.
#pragma once

#include <cstdint>
#include <iterator>
#include <map>
#include <memory_resource>
#include <optional>

namespace poolcheck {

class IntervalSet {
 public:
  struct Interval {
    std::uintptr_t begin = 0;
    std::uintptr_t end = 0;
    std::uint64_t owner = 0;  // whatever the caller names ranges by
  };

  // Inserts [begin, end) unless it overlaps a stored range; returns that range.
  std::optional<Interval> insert(std::uintptr_t begin, std::uintptr_t end, std::uint64_t owner) {
    if (begin >= end) return std::nullopt;
    if (std::optional<Interval> hit = overlapping(begin, end)) return hit;
    ranges_.emplace(begin, Interval{begin, end, owner});
    return std::nullopt;
  }

  // A stored range that overlaps [begin, end), if any.
  std::optional<Interval> overlapping(std::uintptr_t begin, std::uintptr_t end) const {
    if (begin >= end) return std::nullopt;
    auto after = ranges_.lower_bound(begin);
    if (after != ranges_.end() && after->second.begin < end) return after->second;
    if (after != ranges_.begin() && std::prev(after)->second.end > begin) return std::prev(after)->second;
    return std::nullopt;
  }

  void erase(std::uintptr_t begin) { ranges_.erase(begin); }
  std::size_t size() const { return ranges_.size(); }

 private:
  std::pmr::map<std::uintptr_t, Interval> ranges_;  // the default resource (fuzz/fuzz_target.h)
};

}  // namespace poolcheck
