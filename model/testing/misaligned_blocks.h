// For the tests that hand the allocator, or a checker, a block that breaks
// std::pmr's alignment promise on purpose: a misaligning upstream, or
// libstdc++'s pool resources asked for more alignment than they keep
// (docs/ADAPTERS.md, "What the real allocators did"). libstdc++ declares
// memory_resource::allocate `__alloc_align__`, so using such a block is
// undefined behaviour, and clang's UBSan (-fsanitize=alignment) stops the
// test where the block is returned. There these tests skip, saying why;
// the g++ build runs them. The top CMakeLists.txt defines
// POOLCHECK_UBSAN_CHECKS_ALLOC_ALIGN for clang with UBSan. (The allocator's
// own misaligning-upstream test, allocator/aligned_allocation_test.cc, is
// one that ASan should see run: its file compiles without that one check
// instead, allocator/CMakeLists.txt.)
#pragma once

#include <gtest/gtest.h>

#ifdef POOLCHECK_UBSAN_CHECKS_ALLOC_ALIGN
#define POOLCHECK_SKIP_MISALIGNED_BLOCKS()                                                                    \
  GTEST_SKIP() << "a misaligned block from memory_resource::allocate is undefined behaviour, which clang's " \
                  "UBSan stops (model/testing/misaligned_blocks.h); the g++ build runs this test"
#else
#define POOLCHECK_SKIP_MISALIGNED_BLOCKS() static_cast<void>(0)
#endif
