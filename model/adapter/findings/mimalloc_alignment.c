/* The evidence for docs/ADAPTERS.md, "What the real allocators did":
 * mi_malloc_aligned(n, A) for every size 1 .. 9000 (twice each) at each
 * alignment 8 .. 65536, counting the blocks not aligned to A. The address
 * goes through a volatile: mimalloc.h declares alloc_align, so a compiler
 * may otherwise fold the test to "aligned". Not built by the project; run:
 *   gcc mimalloc_alignment.c -lmimalloc && ./a.out
 * Debian 12's mimalloc 2.0.9: misaligned at 256 (sizes 256, 512, 1024),
 * 512 (512, 1024) and 1024 (1024); none at any other alignment. */
#include <mimalloc.h>
#include <stdint.h>
#include <stdio.h>

int main(void) {
  printf("mimalloc %d\n", mi_version());
  for (size_t alignment = 8; alignment <= 65536; alignment *= 2) {
    size_t misaligned = 0, total = 0;
    printf("alignment %5zu:", alignment);
    for (size_t n = 1; n <= 9000; ++n)
      for (int i = 0; i < 2; ++i, ++total) {
        volatile uintptr_t p = (uintptr_t)mi_malloc_aligned(n, alignment);
        if (p % alignment != 0 && misaligned++ % 2 == 0) printf(" %zu", n);
      }
    printf(" -> %zu of %zu blocks misaligned\n", misaligned, total);
  }
  return 0;
}
