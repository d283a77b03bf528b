#include "model/ops/op_codec.h"

#include "model/ops/shorthand.h"
#include "model/ops/spec_limits.h"

#include <algorithm>
#include <array>
#include <bit>
#include <limits>
#include <stdexcept>
#include <string>

namespace poolcheck {

namespace {

// Tag byte: low two bits pick the op, the other six its selector.
constexpr unsigned kTagAlloc = 0, kTagFrom = 1, kTagRelease = 2, kTagPoolSize = 3;

// Size selector modes (selector & 7); selector >> 3 is a small extra.
enum SizeMode : unsigned {
  kLiteral = 0,        // a varint follows
  kTiny = 1,           // extra (0..7)
  kNearAlignment = 2,  // alignment - 1 + extra
  kBelowThreshold = 3, // threshold - 1 - extra
  kFromThreshold = 4,  // threshold + extra
  kRoom = 5,           // room - extra
  kPastRoom = 6,       // room + 1 + extra
  kMedium = 7,         // a byte b follows: b * (extra + 1)
};

// `from R A`: the byte after R picks A (low two bits; the rest is an extra).
enum KeptMode : unsigned { kKeepAll = 0, kKeepNone = 1, kKeepNearAll = 2, kKeepLiteral = 3 };

// Tag 3 (pool_size) selectors: 0 and 1..16 are pool sizes; the rest are the
// ops added later (docs/FORMATS.md).
constexpr unsigned kSelAligned = 17;     // 17..31: alloc N align A, A by alignment_choice(sel - 17)
constexpr unsigned kSelSlow = 32;        // 32: alloc_slow N; 33..47: align A by alignment_choice(sel - 33)
constexpr unsigned kSelFailNext = 48;    // 48: fail_next (varint + 1); 49..61, 63: fail_next sel - 48
// 62: a varint names an op by its extension number (op_table.def). It was
// fail_next 14, which no committed input used (every file of corpus/
// decodes as before); fail_next 14 is the varint form now.
constexpr unsigned kSelExtension = 62;
constexpr unsigned kAlignLiteral = 14;   // alignment_choice: a byte b follows (literal_alignment)
constexpr unsigned kAlignNone = 15;      // after the extension tag: an optional alignment left out
constexpr unsigned kAlignPadToEnd = 13;  // the smallest A <= 64 that rounds the offset exactly onto the end

// Alignments for aligned and slow requests: the pool base (64) against the
// first that is never pooled (128), twice each.
constexpr std::array<std::uint64_t, 13> kAlignments = {1, 2, 4, 8, 16, 32, 64, 64, 128, 128, 256, 4096, 8192};

// The literal alignment byte b: 2^b for b < 64, of which 2^31 .. 2^63 are
// beyond spec::kMaxRequestAlignment; then six alignments that are not powers of
// two (b = 64 .. 69); both are refused when run (refusal_of), and 0 is
// "none", so not among them. Bytes from 70 on are 2^(b mod 31), as every
// byte was before the refused ones were added: most random bytes still ask
// for an alignment the allocator accepts.
constexpr std::array<std::uint64_t, 6> kNotPowersOfTwo = {3, 6, 12, 96, 4095, ~std::uint64_t{0}};
constexpr unsigned kLiteralPowers = 64;

std::uint64_t literal_alignment(std::uint8_t b) {
  if (b < kLiteralPowers) return std::uint64_t{1} << b;
  if (b - kLiteralPowers < kNotPowersOfTwo.size()) return kNotPowersOfTwo[b - kLiteralPowers];
  return std::uint64_t{1} << (b % 31);
}

// The byte literal_alignment() maps to `alignment`; nullopt when none does.
std::optional<std::uint8_t> alignment_byte(std::uint64_t alignment) {
  if (std::has_single_bit(alignment)) return static_cast<std::uint8_t>(std::countr_zero(alignment));
  const auto it = std::find(kNotPowersOfTwo.begin(), kNotPowersOfTwo.end(), alignment);
  if (it == kNotPowersOfTwo.end()) return std::nullopt;
  return static_cast<std::uint8_t>(kLiteralPowers + static_cast<unsigned>(it - kNotPowersOfTwo.begin()));
}

std::uint8_t encodable_alignment_byte(std::uint64_t alignment) {
  const std::optional<std::uint8_t> b = alignment_byte(alignment);
  if (b) return *b;
  std::string others;
  for (const std::uint64_t each : kNotPowersOfTwo) others += (others.empty() ? "" : ", ") + std::to_string(each);
  throw std::invalid_argument("the binary form carries an alignment that is a power of two or one of " + others +
                              " only, not " + std::to_string(alignment));
}

// Tiny and odd pool sizes: capacities that are not multiples of the
// alignment, and thresholds of 0 and 1.
constexpr std::array<std::uint64_t, 16> kPoolSizes = {
    0, 1, 2, 3, 7, 9, 100, 101, 255, 256, 1000, 4095, 4096, 8192, 8193, 65536};

std::uint64_t saturating_sub(std::uint64_t a, std::uint64_t b) { return a > b ? a - b : 0; }

void put_varint(std::vector<std::uint8_t>& out, std::uint64_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<std::uint8_t>(value | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<std::uint8_t>(value));
}

// Header byte: low four bits log2(alignment) (13 and 15 mean the default 8;
// 14 means the default 8 too, and a byte w follows: cache_window w + 1),
// high four bits the cache limit (15 means the default, kDefaultCacheLimit).
constexpr unsigned kDefaultCacheNibble = 15;
constexpr unsigned kWindowNibble = 14;
constexpr std::size_t kMaxBinaryWindow = 256;

std::vector<std::uint8_t> header_for(const PoolOptions& settings) {
  if (settings.pool_size != kDefaultPoolSize)
    throw std::invalid_argument("the binary form starts at pool size 8192; use a pool_size op instead");
  unsigned nibble = static_cast<unsigned>(settings.cache_limit);
  if (settings.cache_limit == kDefaultCacheLimit) nibble = kDefaultCacheNibble;
  else if (settings.cache_limit >= kDefaultCacheNibble)
    throw std::invalid_argument("the binary form carries cache_limit 0..14 or the default (" +
                                std::to_string(kDefaultCacheLimit) + ") only");
  const auto high = static_cast<std::uint8_t>(nibble << 4);
  if (settings.cache_window == kCacheWindow)
    return {static_cast<std::uint8_t>(std::countr_zero(settings.alignment) | high)};
  if (settings.cache_window > kMaxBinaryWindow || settings.alignment != kDefaultAlignment)
    throw std::invalid_argument("the binary form carries cache_window 1..256 (with alignment 8) or the default (" +
                                std::to_string(kCacheWindow) + ") only");
  return {static_cast<std::uint8_t>(kWindowNibble | high), static_cast<std::uint8_t>(settings.cache_window - 1)};
}

}  // namespace

std::optional<std::size_t> LiveBuffers::index_of(std::uint64_t buffer) const {
  auto it = std::find(ids_.begin(), ids_.end(), buffer);
  if (it == ids_.end()) return std::nullopt;
  return static_cast<std::size_t>(it - ids_.begin());
}

void LiveBuffers::remove_at(std::size_t index) {
  ids_[index] = ids_.back();
  ids_.pop_back();
}

void LiveBuffers::remove(std::uint64_t buffer) {
  const auto it = std::find(ids_.rbegin(), ids_.rend(), buffer);
  if (it != ids_.rend()) remove_at(static_cast<std::size_t>(ids_.rend() - it) - 1);
}

std::pmr::vector<std::uint64_t> LiveBuffers::newest(std::uint64_t k) const {
  std::pmr::vector<std::uint64_t> sorted(ids_.begin(), ids_.end());
  const auto count = static_cast<std::ptrdiff_t>(std::min<std::uint64_t>(k, sorted.size()));
  std::partial_sort(sorted.begin(), sorted.begin() + count, sorted.end(), std::greater<>());
  sorted.resize(static_cast<std::size_t>(count));
  return sorted;
}

OpDecoder::OpDecoder(std::span<const std::uint8_t> bytes, std::span<const OpSpec> specs)
    : bytes_(bytes), specs_(specs) {
  if (bytes_.empty()) return;
  const std::uint8_t header = byte();
  const unsigned log_alignment = header & 0x0F;
  settings_.alignment = log_alignment <= 12 ? std::size_t{1} << log_alignment : kDefaultAlignment;
  if (log_alignment == kWindowNibble) settings_.cache_window = std::size_t{byte()} + 1;
  const unsigned nibble = header >> 4;
  settings_.cache_limit = nibble == kDefaultCacheNibble ? kDefaultCacheLimit : nibble;
}

std::uint8_t OpDecoder::byte() { return pos_ < bytes_.size() ? bytes_[pos_++] : 0; }

// LEB128; the input may end inside it, and bits past 64 are ignored.
std::uint64_t OpDecoder::varint() {
  std::uint64_t value = 0;
  for (unsigned shift = 0; pos_ < bytes_.size(); shift += 7) {
    const std::uint8_t b = bytes_[pos_++];
    if (shift < 64) value |= static_cast<std::uint64_t>(b & 0x7F) << shift;
    if ((b & 0x80) == 0) break;
  }
  return value;
}

// `request_alignment` aims kRoom and kPastRoom at the room left after the
// padding (pool_view.h), so that the padding decides: `room` then fills the
// pool exactly, `room + 1` is pushed over the end by the padding.
std::uint64_t OpDecoder::size_choice(unsigned selector, const PoolView& view, std::uint64_t request_alignment) {
  const std::uint64_t extra = selector >> 3;
  const std::uint64_t threshold = view.pool_size / 2;
  const std::uint64_t left = usable_room(view, request_alignment);
  switch (selector & 7) {
    case kLiteral: return varint();
    case kTiny: return extra;
    case kNearAlignment: return settings_.alignment - 1 + extra;
    case kBelowThreshold: return saturating_sub(threshold, 1 + extra);
    case kFromThreshold: return threshold + extra;
    case kRoom: return saturating_sub(left, extra);
    case kPastRoom: return left + 1 + extra;
    default: return static_cast<std::uint64_t>(byte()) * (extra + 1);
  }
}

std::uint64_t OpDecoder::alignment_choice(unsigned index, const PoolView& view) {
  if (index < kAlignments.size()) return kAlignments[index];
  if (index != kAlignPadToEnd) return literal_alignment(byte());  // kAlignLiteral
  return pad_to_end_alignment(view);
}

std::uint64_t OpDecoder::kept_choice(std::uint64_t reserve) {
  const std::uint8_t kept_byte = byte();
  switch (kept_byte & 3) {
    case kKeepAll: return reserve;
    case kKeepNone: return 0;
    case kKeepNearAll: return saturating_sub(reserve, (kept_byte >> 2) + 1u);
    default: {
      const std::uint64_t literal = varint();
      return reserve == std::numeric_limits<std::uint64_t>::max() ? literal : literal % (reserve + 1);
    }
  }
}

// A varint picks one of the live buffers; nullopt when none is.
std::optional<std::uint64_t> OpDecoder::live_buffer(bool ends_it) {
  const std::uint64_t index = varint();
  if (live_.size() == 0) return std::nullopt;
  const std::size_t at = static_cast<std::size_t>(index % live_.size());
  const std::uint64_t buffer = live_.at(at);
  if (ends_it) live_.remove_at(at);
  return buffer;
}

// After the extension tag: a varint names the op by its extension number,
// and its fields follow in order, each in the form its rule has elsewhere
// (docs/FORMATS.md): a size selector for a number (aimed at the pool as
// alloc's), an alignment index for an alignment, a kept byte for a part of
// the first field, a varint index into the live buffers for a buffer (a
// release-handled op ends its life), a varint for the rest.
std::optional<Op> OpDecoder::extension_op(const PoolView& view) {
  const std::uint64_t number = varint();
  const auto spec = std::find_if(specs_.begin(), specs_.end(),
                                 [&](const OpSpec& row) { return row.extension != 0 && row.extension == number; });
  if (spec == specs_.end()) return std::nullopt;
  Op op{spec->kind, 0, 0};
  for (const auto& [field, value] : {std::pair{&spec->a, &op.a}, std::pair{&spec->b, &op.b}}) {
    if (!field->exists()) continue;
    switch (field->rule) {
      case FieldRule::kAny: *value = size_choice(byte() & 63u, view); break;
      case FieldRule::kRequestAlignment: {
        // Index 15 is "none" (0) for an optional alignment, 64 otherwise.
        const unsigned index = byte() % 16u;
        *value = index == kAlignNone ? (field->optional() ? 0 : kPoolBaseAlignment) : alignment_choice(index, view);
        break;
      }
      case FieldRule::kAtMostA: *value = kept_choice(op.a); break;
      case FieldRule::kPositive: *value = std::max<std::uint64_t>(varint() + 1, 1); break;
      case FieldRule::kRepeat: *value = varint() % kMaxRepeat + 1; break;
      case FieldRule::kPoolSize:      // above 2^30: refused
      case FieldRule::kSettingValue:  // what the spec refuses for the setting: refused
        *value = varint();
        break;
      case FieldRule::kRequestSize: *value = size_choice(byte() & 63u, view) % (spec::kMaxRequest + 1); break;
      case FieldRule::kLiveBuffer: {
        const std::optional<std::uint64_t> buffer = live_buffer(ends_buffer(*spec));
        if (!buffer) return std::nullopt;
        *value = *buffer;
        break;
      }
    }
  }
  return op;
}

Op OpDecoder::aligned_request(OpKind kind, std::uint64_t alignment, const PoolView& view) {
  const std::uint64_t n = size_choice(byte() & 63u, view, alignment);
  return {kind, n, alignment};
}

// The plain ops of a shorthand, with the bookkeeping each would have had
// (live buffers, the byte budget, which may end the sequence inside it).
void OpDecoder::expand(const Op& shorthand) {
  pending_.clear();
  pending_at_ = 0;
  expand_shorthand(shorthand, next_buffer_, [&](std::uint64_t k) { return live_.newest(k); }, pending_);
  expanded_ += pending_.size();
  if (expanded_ > kMaxShorthandOps) {  // the shorthand budget ends the sequence
    pending_.clear();
    pos_ = bytes_.size();
    return;
  }
  for (std::size_t i = 0; i < pending_.size(); ++i) {
    const Op& op = pending_[i];
    if (op.kind == OpKind::kRelease) {
      live_.remove(op.a);
      continue;
    }
    requested_ += request_cost(op);
    if (requested_ > kMaxDecodedBytes) {
      pending_.resize(i);
      pos_ = bytes_.size();
      return;
    }
    if (!refused(op)) live_.add(next_buffer_++);
  }
}

std::optional<Op> OpDecoder::next(const PoolView& view) {
  if (pending_at_ < pending_.size()) return pending_[pending_at_++];
  while (pos_ < bytes_.size()) {
    const std::uint8_t tag = byte();
    const unsigned selector = tag >> 2;
    Op op;
    switch (tag & 3) {
      case kTagAlloc:
        op = Op::alloc(size_choice(selector, view));
        break;
      case kTagFrom: {
        const std::uint64_t reserve = size_choice(selector, view);
        op = Op::from(reserve, kept_choice(reserve));
        break;
      }
      case kTagRelease: {
        const std::optional<std::uint64_t> buffer = live_buffer(/*ends_it=*/true);
        if (!buffer) continue;  // nothing to release: no op
        return Op::release(*buffer);
      }
      default:
        if (selector == kSelExtension) {
          std::optional<Op> extended = extension_op(view);
          if (!extended) continue;  // a number no op has, or no buffer to name: no op
          op = *extended;
          if (is_shorthand(op)) {
            expand(op);
            if (pending_at_ < pending_.size()) return pending_[pending_at_++];
            continue;
          }
          if (!specs_[static_cast<std::size_t>(op.kind)].creates_buffer) return op;
          break;
        }
        if (selector == kSelFailNext) {
          const std::uint64_t v = varint();
          return Op::fail_next(v == std::numeric_limits<std::uint64_t>::max() ? v : v + 1);
        }
        if (selector > kSelFailNext) return Op::fail_next(selector - kSelFailNext);
        if (selector >= kSelSlow) {
          const std::uint64_t alignment = selector == kSelSlow ? 0 : alignment_choice(selector - kSelSlow - 1, view);
          op = aligned_request(OpKind::kAllocSlow, alignment, view);
          break;
        }
        if (selector >= kSelAligned) {
          op = aligned_request(OpKind::kAlloc, alignment_choice(selector - kSelAligned, view), view);
          break;
        }
        return Op::pool_size(selector == 0 ? varint() : kPoolSizes[selector - 1]);  // above 2^30: refused
    }
    requested_ += request_cost(op);
    if (requested_ > kMaxDecodedBytes) {  // the budget ends the sequence
      pos_ = bytes_.size();
      return std::nullopt;
    }
    if (!refused(op)) live_.add(next_buffer_++);
    return op;
  }
  return std::nullopt;
}

namespace {

// The literal forms of extension_op's fields.
void encode_extension(std::vector<std::uint8_t>& out, const OpSpec& spec, const Op& op, LiveBuffers& live) {
  out.push_back(static_cast<std::uint8_t>(kTagPoolSize | (kSelExtension << 2)));
  put_varint(out, spec.extension);
  for (const auto& [field, value] : {std::pair{&spec.a, op.a}, std::pair{&spec.b, op.b}}) {
    if (!field->exists()) continue;
    switch (field->rule) {
      case FieldRule::kAny:
      case FieldRule::kRequestSize: out.push_back(kLiteral); put_varint(out, value); break;
      case FieldRule::kRequestAlignment:
        if (value == 0) {
          out.push_back(kAlignNone);
          break;
        }
        out.push_back(kAlignLiteral);
        out.push_back(encodable_alignment_byte(value));
        break;
      case FieldRule::kAtMostA: out.push_back(kKeepLiteral); put_varint(out, value); break;
      case FieldRule::kPositive: put_varint(out, value - 1); break;
      case FieldRule::kRepeat: put_varint(out, value - 1); break;
      case FieldRule::kPoolSize:
      case FieldRule::kSettingValue: put_varint(out, value); break;
      case FieldRule::kLiveBuffer: {
        const std::optional<std::size_t> index = live.index_of(value);
        if (!index) throw std::invalid_argument(std::string(spec.name) + " of a buffer that is not live");
        put_varint(out, *index);
        if (ends_buffer(spec)) live.remove_at(*index);
        break;
      }
    }
  }
}

}  // namespace

std::vector<std::uint8_t> encode_ops(std::span<const Op> ops, const PoolOptions& settings,
                                     std::span<const OpSpec> specs) {
  std::vector<std::uint8_t> out = header_for(settings);
  LiveBuffers live;
  std::uint64_t next_buffer = 0;
  std::uint64_t requested = 0;
  for (const Op& op : ops) {
    requested += request_cost(op);
    if (requested > kMaxDecodedBytes)
      throw std::invalid_argument("the binary form carries at most 1 MiB of requests in all");
    if (const OpSpec& spec = specs[static_cast<std::size_t>(op.kind)]; spec.extension != 0) {
      encode_extension(out, spec, op, live);
      if (!spec.creates_buffer || refused(op)) continue;
      live.add(next_buffer++);
      continue;
    }
    switch (op.kind) {
      case OpKind::kAlloc:
        if (op.b != 0) {
          out.push_back(static_cast<std::uint8_t>(kTagPoolSize | ((kSelAligned + kAlignLiteral) << 2)));
          out.push_back(encodable_alignment_byte(op.b));
          out.push_back(kLiteral);
          put_varint(out, op.a);
          break;
        }
        out.push_back(kTagAlloc | (kLiteral << 2));
        put_varint(out, op.a);
        break;
      case OpKind::kAllocSlow:
        if (op.b == 0) {
          out.push_back(static_cast<std::uint8_t>(kTagPoolSize | (kSelSlow << 2)));
        } else {
          out.push_back(static_cast<std::uint8_t>(kTagPoolSize | ((kSelSlow + 1 + kAlignLiteral) << 2)));
          out.push_back(encodable_alignment_byte(op.b));
        }
        out.push_back(kLiteral);
        put_varint(out, op.a);
        break;
      case OpKind::kFailNext:
        out.push_back(static_cast<std::uint8_t>(kTagPoolSize | (kSelFailNext << 2)));
        put_varint(out, op.a - 1);
        continue;
      case OpKind::kFrom:
        out.push_back(kTagFrom | (kLiteral << 2));
        put_varint(out, op.a);
        out.push_back(kKeepLiteral);
        put_varint(out, op.b);
        break;
      case OpKind::kRelease: {
        const std::optional<std::size_t> index = live.index_of(op.a);
        if (!index) throw std::invalid_argument("release of a buffer that is not live");
        out.push_back(kTagRelease);
        put_varint(out, *index);
        live.remove_at(*index);
        continue;
      }
      case OpKind::kPoolSize:
        out.push_back(kTagPoolSize | (0u << 2));
        put_varint(out, op.a);
        continue;
      default:
        continue;  // the rows with an extension number (every row after fail_next): encoded above
    }
    if (!refused(op)) live.add(next_buffer++);
  }
  return out;
}

}  // namespace poolcheck
