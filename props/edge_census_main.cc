// props_edge_census: prints how often the property generators hit each edge
// per 1,000 sequences, as Markdown. Deterministic for a given seed.
//   props_edge_census [--profile general|alignment|bounds|crowded|recycling|all]
//                     [--sequences N] [--seed S] [--max-size M]
#include <charconv>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "props/edge_census.h"
#include "props/generators.h"

namespace {

using poolcheck::props::Profile;
namespace profiles = poolcheck::props::profiles;

constexpr const Profile* kProfiles[] = {&profiles::kGeneral, &profiles::kAlignment, &profiles::kBounds,
                                        &profiles::kCrowded, &profiles::kRecycling};

bool parse_number(std::string_view text, std::uint64_t& out) {
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

int usage() {
  std::fputs(
      "usage: props_edge_census [--profile general|alignment|bounds|crowded|recycling|all]\n"
      "                         [--sequences N] [--seed S] [--max-size M]\n",
      stderr);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string profile = "general";
  std::uint64_t sequences = 1000, seed = 1, max_size = 100;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (i + 1 >= argc) return usage();
    const std::string_view value = argv[++i];
    bool ok = true;
    if (arg == "--profile") profile = value;
    else if (arg == "--sequences") ok = parse_number(value, sequences) && sequences > 0;
    else if (arg == "--seed") ok = parse_number(value, seed);
    else if (arg == "--max-size") ok = parse_number(value, max_size) && max_size <= 10000;
    else ok = false;
    if (!ok) return usage();
  }
  bool found = false;
  for (const Profile* candidate : kProfiles) {
    if (profile != "all" && candidate->name != profile) continue;
    found = true;
    const auto census =
        poolcheck::props::take_census(*candidate, sequences, seed, static_cast<int>(max_size));
    std::printf("Profile `%.*s`: %zu sequences (seed %llu, sizes 0..%llu), %zu ops in all.\n\n",
                static_cast<int>(candidate->name.size()), candidate->name.data(), census.sequences,
                static_cast<unsigned long long>(seed), static_cast<unsigned long long>(max_size), census.ops);
    std::printf("%s\n", poolcheck::props::census_table(census).c_str());
  }
  return found ? 0 : usage();
}
