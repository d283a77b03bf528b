// The evidence for docs/ADAPTERS.md, "What the real allocators did":
// std::pmr::unsynchronized_pool_resource asked for 36 bytes at alignment 32,
// then, for each alignment 1 .. 256, 8 blocks of every size 1 .. 9000 (all
// kept live; the largest pool's blocks are smaller): which alignments the
// resource keeps (kPmrPoolMaxAlignment in builtin_adapters.h rests on it).
// Not built by the project; run it with:
//   g++ -std=c++20 pool_resource_alignment.cc && ./a.out                        (libstdc++ 12)
//   clang++-19 -std=c++20 -stdlib=libc++ pool_resource_alignment.cc && ./a.out  (libc++ 19)
#include <cstdint>
#include <cstdio>
#include <memory_resource>

int main() {
  {
    std::pmr::unsynchronized_pool_resource pool;
    int misaligned = 0;
    for (int i = 0; i < 100; ++i)
      if (reinterpret_cast<std::uintptr_t>(pool.allocate(36, 32)) % 32 != 0) ++misaligned;
    std::printf("%d of 100 allocate(36, 32) not aligned to 32\n", misaligned);
  }
  for (std::size_t alignment = 1; alignment <= 256; alignment *= 2) {
    std::pmr::unsynchronized_pool_resource pool;
    std::size_t misaligned = 0, smallest = 0;
    for (std::size_t n = 1; n <= 9000; ++n)
      for (int i = 0; i < 8; ++i)
        if (reinterpret_cast<std::uintptr_t>(pool.allocate(n, alignment)) % alignment != 0 && !misaligned++)
          smallest = n;
    std::printf("alignment %3zu: %5zu of 72000 blocks misaligned", alignment, misaligned);
    if (misaligned) std::printf(" (the smallest size: %zu)", smallest);
    std::printf("\n");
  }
}
