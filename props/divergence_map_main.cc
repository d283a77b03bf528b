// Divergence maps of the deliberately broken allocators (test code only):
// what `poolcheck replay --map` draws for a real failure, here for a known
// bug, so that the README can show one and the tests can render one.
//
//   props_divergence_map VARIANT FILE OUT.svg
//
// Exit: 0 map written, 1 the variant does not diverge on FILE, 2 bad usage
// or input.
#include <iostream>
#include <string>
#include <string_view>

#include "model/testing/broken_rules.h"
#include "model/testing/broken_wrappers.h"
#include "model/tool/map_command.h"

namespace poolcheck {
namespace {

template <class Allocator>
int draw(const SequenceFile& file, const std::string& out) {
  const std::optional<Divergence> divergence = check_ops<Allocator>(file.ops, file.settings);
  if (!divergence) {
    std::cerr << "props_divergence_map: " << file.path.string() << ": no divergence\n";
    return 1;
  }
  std::cout << describe(*divergence, file.ops, file.settings);
  return write_text_file(out, divergence_picture<Allocator>(file, *divergence)) ? 0 : 2;
}

int run(std::string_view variant, const std::string& path, const std::string& out) {
  LoadResult loaded = load_sequence(path);
  if (loaded.error) {
    std::cerr << "props_divergence_map: " << loaded.error->to_string() << "\n";
    return 2;
  }
  const SequenceFile& file = *loaded.file;
  using namespace broken;
  if (variant == "OffByOneRoom") return draw<OffByOneRoomAllocator>(file, out);
  if (variant == "ThresholdInclusive") return draw<ThresholdInclusiveAllocator>(file, out);
  if (variant == "UnsignedRoom") return draw<UnsignedRoomAllocator>(file, out);
  if (variant == "NoAlignment") return draw<NoAlignmentAllocator>(file, out);
  if (variant == "OverRounding") return draw<OverRoundingAllocator>(file, out);
  if (variant == "RecycleTooEarly") return draw<RecycleTooEarlyAllocator>(file, out);
  if (variant == "NoTailWaste") return draw<NoTailWasteAllocator>(file, out);
  if (variant == "SkipAlignAfterFrom") return draw<SkipAlignAfterFromAllocator>(file, out);
  std::cerr << "props_divergence_map: unknown variant " << variant
            << " (OffByOneRoom ThresholdInclusive UnsignedRoom NoAlignment OverRounding RecycleTooEarly NoTailWaste"
               " SkipAlignAfterFrom)\n";
  return 2;
}

}  // namespace
}  // namespace poolcheck

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: props_divergence_map VARIANT FILE OUT.svg\n";
    return 2;
  }
  return poolcheck::run(argv[1], argv[2], argv[3]);
}
