// The evidence for docs/ADAPTERS.md, "What the real allocators did":
// std::pmr::unsynchronized_pool_resource asked for 36 bytes at alignment 32.
// Not built by the project; run it with:
//   g++ -std=c++20 pool_resource_alignment.cc && ./a.out                        (libstdc++ 12: 50 of 100 misaligned)
//   clang++-19 -std=c++20 -stdlib=libc++ pool_resource_alignment.cc && ./a.out  (0 of 100)
#include <cstdint>
#include <cstdio>
#include <memory_resource>

int main() {
  std::pmr::unsynchronized_pool_resource pool;
  int misaligned = 0;
  for (int i = 0; i < 100; ++i)
    if (reinterpret_cast<std::uintptr_t>(pool.allocate(36, 32)) % 32 != 0) ++misaligned;
  std::printf("%d of 100 allocate(36, 32) not aligned to 32\n", misaligned);
}
