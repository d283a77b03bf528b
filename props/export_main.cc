// props_export: writes property-generator sequences as text op files, for
// checks that run outside RapidCheck (the comparison with real Node.js).
//   props_export --count N --seed S --out DIR [--profile NAME] [--max-size M]
// Files are DIR/seq-00000.ops, ...; the same arguments give the same files.
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "props/generators.h"

namespace {

namespace props = poolcheck::props;

constexpr const props::Profile* kProfiles[] = {&props::profiles::kGeneral, &props::profiles::kAlignment,
                                               &props::profiles::kBounds, &props::profiles::kCrowded,
                                               &props::profiles::kRecycling};

bool parse_number(std::string_view text, std::uint64_t& out) {
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

int usage() {
  std::fputs("usage: props_export --count N --seed S --out DIR [--profile NAME] [--max-size M]\n", stderr);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t count = 0, seed = 1, max_size = 100;
  std::string out, profile_name = "general";
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (i + 1 >= argc) return usage();
    const std::string_view value = argv[++i];
    bool ok = true;
    if (arg == "--count") ok = parse_number(value, count);
    else if (arg == "--seed") ok = parse_number(value, seed);
    else if (arg == "--max-size") ok = parse_number(value, max_size) && max_size <= 10000;
    else if (arg == "--out") out = value;
    else if (arg == "--profile") profile_name = value;
    else ok = false;
    if (!ok) return usage();
  }
  const props::Profile* profile = nullptr;
  for (const props::Profile* candidate : kProfiles)
    if (candidate->name == profile_name) profile = candidate;
  if (out.empty() || profile == nullptr) return usage();

  std::error_code ec;
  std::filesystem::create_directories(out, ec);
  if (ec) {
    std::fprintf(stderr, "props_export: %s: %s\n", out.c_str(), ec.message().c_str());
    return 2;
  }
  const rc::Gen<props::Scenario> scenarios = props::gen::scenario(*profile);
  rc::Random random(seed);
  for (std::uint64_t i = 0; i < count; ++i) {
    // Sizes cycle 0..max_size as RapidCheck's own runs do.
    const int size = static_cast<int>(i % (max_size + 1));
    const props::Scenario scenario = scenarios(random.split(), size).value();
    char name[32];
    std::snprintf(name, sizeof name, "seq-%05llu.ops", static_cast<unsigned long long>(i));
    const std::filesystem::path path = std::filesystem::path(out) / name;
    std::ofstream file(path, std::ios::binary);
    file << "# props_export --profile " << profile->name << " --seed " << seed << ", sequence " << i << "\n"
         << poolcheck::to_text(scenario.ops, scenario.settings);
    if (!file) {
      std::fprintf(stderr, "props_export: %s: cannot write\n", path.c_str());
      return 2;
    }
  }
  std::printf("props_export: %llu sequences (profile %s, seed %llu) in %s\n", static_cast<unsigned long long>(count),
              profile_name.c_str(), static_cast<unsigned long long>(seed), out.c_str());
  return 0;
}
