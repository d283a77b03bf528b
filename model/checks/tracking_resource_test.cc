// The checkers' upstream on its own: a request armed by misalign_request()
// comes back 8 bytes past an aligned address, and a byte written just
// outside it, on either side, is reported when it comes back.
#include "model/checks/tracking_resource.h"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace poolcheck {
namespace {

std::uintptr_t address(void* p) { return reinterpret_cast<std::uintptr_t>(p); }

TEST(TrackingResource, AnArmedRequestComesBackMisalignedAndGuarded) {
  TrackingResource upstream;
  upstream.misalign_request(upstream.requests() + 2, 8);
  void* first = upstream.allocate(100, 16);
  auto* second = static_cast<std::byte*>(upstream.allocate(100, 64));
  void* third = upstream.allocate(100, 16);
  EXPECT_EQ(address(first) % 16, 0u);
  EXPECT_EQ(address(second) % 4096, std::uintptr_t{TrackingResource::kMisalignment});
  EXPECT_EQ(address(third) % 16, 0u);
  EXPECT_FALSE(upstream.in_misaligned_block(address(first)));
  EXPECT_TRUE(upstream.in_misaligned_block(address(second) + 99));
  second[0] = second[99] = std::byte{1};  // its own bytes: no finding
  upstream.deallocate(second, 100, 64);
  EXPECT_EQ(upstream.bad_write(), std::nullopt);
  EXPECT_FALSE(upstream.in_misaligned_block(address(second)));
  upstream.deallocate(first, 100, 16);
  upstream.deallocate(third, 100, 16);
  EXPECT_EQ(upstream.bad_return(), std::nullopt);
}

TEST(TrackingResource, AByteWrittenOutsideAMisalignedBlockIsReported) {
  for (const std::ptrdiff_t outside : {std::ptrdiff_t{-1}, std::ptrdiff_t{-64}, std::ptrdiff_t{100},
                                       std::ptrdiff_t{163}}) {
    TrackingResource upstream;
    upstream.misalign_request(1, 8);
    auto* block = static_cast<std::byte*>(upstream.allocate(100, 16));
    block[outside] = std::byte{0};
    upstream.deallocate(block, 100, 16);
    ASSERT_TRUE(upstream.bad_write().has_value()) << outside;
    EXPECT_NE(upstream.bad_write()->find(outside < 0 ? "before the start" : "past the end"), std::string::npos)
        << *upstream.bad_write();
  }
}

// Above an alignment setting of 8 the allocator's placement would follow the
// block (it rounds addresses), so the request is left aligned.
TEST(TrackingResource, NoMisalignmentUnderALargerAlignmentSetting) {
  TrackingResource upstream;
  upstream.misalign_request(1, 16);
  void* block = upstream.allocate(100, 16);
  EXPECT_EQ(address(block) % 16, 0u);
  EXPECT_FALSE(upstream.in_misaligned_block(address(block)));
  upstream.deallocate(block, 100, 16);
}

}  // namespace
}  // namespace poolcheck
