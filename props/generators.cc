#include "props/generators.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <numeric>
#include <ostream>
#include <utility>

namespace poolcheck::props {

void showValue(const Scenario& scenario, std::ostream& os) {
  os << "\n" << to_text(scenario.ops, scenario.settings);
}

namespace gen {

namespace {

// Numbers inside intents pick fractions and indices, so they are drawn at
// full range whatever RapidCheck's size (which sets only the length); they
// still shrink toward `min`.
constexpr int kFullRange = 100;
template <class T>
rc::Gen<T> full_range(T min, T max) {
  return rc::gen::resize(kFullRange, rc::gen::inRange<T>(min, max));
}
rc::Gen<std::uint32_t> literal() { return full_range<std::uint32_t>(0, std::numeric_limits<std::uint32_t>::max()); }

// One of `options`, drawn by weight, that shrinks toward the options listed
// before it (gen::weightedElement does not shrink at all). Shrinking only
// ever moves toward the front, so it ends.
template <class T>
rc::Gen<T> choice(std::vector<std::pair<unsigned, T>> options) {
  return [options = std::move(options)](const rc::Random& random, int) {
    const std::uint64_t total = std::accumulate(options.begin(), options.end(), std::uint64_t{0},
                                                [](std::uint64_t sum, const auto& option) { return sum + option.first; });
    std::uint64_t ticket = rc::Random(random).next() % total;
    std::size_t index = 0;
    while (ticket >= options[index].first) ticket -= options[index++].first;
    return rc::shrinkable::map(
        rc::shrinkable::shrinkRecur(index, [](std::size_t i) { return rc::seq::range<std::size_t>(0, i); }),
        [options](std::size_t i) { return options[i].second; });
  };
}

// A churn run allocates in a loop; pooled sizes that fill pools quickly
// make it cycle through many of them.
constexpr SizeWeights kChurnSizes = {0, 0, 1, 0, 1, 3, 0, 6, 0, 1, 1, 0};

}  // namespace

rc::Gen<PoolOptions> settings(const Profile& profile) {
  rc::Gen<std::size_t> alignment =
      profile.every_alignment
          ? choice<std::size_t>({{1, 8}, {1, 1}, {1, 2}, {1, 4}, {1, 16}, {1, 32}, {1, 64}, {1, 128}, {1, 256},
                                 {1, 512}, {1, 1024}, {1, 2048}, {1, 4096}})
          : choice<std::size_t>({{20, 8}, {2, 1}, {2, 2}, {2, 4}, {2, 16}, {1, 64}, {1, 512}, {2, 4096}});
  rc::Gen<std::size_t> cache_limit = profile.small_caches
                                         ? choice<std::size_t>({{1, 16}, {3, 0}, {3, 1}, {3, 2}, {2, 3}})
                                         : choice<std::size_t>({{12, 16}, {1, 0}, {1, 1}, {1, 2}, {1, 3}});
  // The initial pool size (#@ pool_size): mostly Node's, sometimes one that
  // the first ops meet before any pool_size op.
  rc::Gen<std::size_t> pool_size =
      choice<std::size_t>({{12, kDefaultPoolSize}, {1, 0}, {1, 3}, {1, 101}, {1, 1000}, {1, 65536}});
  return rc::gen::apply(
      [](std::size_t p, std::size_t a, std::size_t c) {
        return PoolOptions{.pool_size = p, .alignment = a, .cache_limit = c};
      },
      std::move(pool_size), std::move(alignment), std::move(cache_limit));
}

rc::Gen<SizeIntent> size_intent(const SizeWeights& weights) {
  std::vector<std::pair<unsigned, SizeEdge>> edges;
  for (std::size_t e = 0; e < kSizeEdges; ++e) edges.emplace_back(weights[e], static_cast<SizeEdge>(e));
  return rc::gen::build<SizeIntent>(rc::gen::set(&SizeIntent::edge, choice(std::move(edges))),
                                    rc::gen::set(&SizeIntent::literal, literal()));
}

rc::Gen<Intent> intent(const Profile& profile) {
  const unsigned plain = 10 - std::min(profile.aligned, 10u);
  auto alloc = rc::gen::build<AllocIntent>(
      rc::gen::set(&AllocIntent::size, size_intent(profile.sizes)),
      rc::gen::set(&AllocIntent::align, choice<AlignEdge>({{plain * 6, AlignEdge::kNone},
                                                           {profile.aligned * 2, AlignEdge::kPoolBase},
                                                           {profile.aligned, AlignEdge::kAbovePoolBase},
                                                           {profile.aligned, AlignEdge::kPadToEnd},
                                                           {profile.aligned, AlignEdge::kSmall},
                                                           {profile.aligned, AlignEdge::kLarge},
                                                           {profile.aligned ? 1u : 0u, AlignEdge::kOne}})),
      rc::gen::set(&AllocIntent::slow, choice<bool>({{10 - std::min(profile.slow, 10u), false}, {profile.slow, true}})),
      rc::gen::set(&AllocIntent::literal, literal()));
  auto fail_next = rc::gen::build<FailNextIntent>(rc::gen::set(&FailNextIntent::k, full_range<std::uint32_t>(1, 5)));
  auto from = rc::gen::build<FromIntent>(
      rc::gen::set(&FromIntent::reserve, size_intent(profile.sizes)),
      rc::gen::set(&FromIntent::kept, choice<KeptEdge>({{3, KeptEdge::kAll}, {3, KeptEdge::kNone}, {2, KeptEdge::kPart}})),
      rc::gen::set(&FromIntent::literal, literal()));
  auto release = rc::gen::build<ReleaseIntent>(
      rc::gen::set(&ReleaseIntent::pick,
                   choice<ReleasePick>({{3, ReleasePick::kOldest}, {3, ReleasePick::kNewest}, {4, ReleasePick::kAny}})),
      rc::gen::set(&ReleaseIntent::index, literal()));
  auto pool_size = rc::gen::build<PoolSizeIntent>(
      rc::gen::set(&PoolSizeIntent::edge, choice<PoolSizeEdge>({{2, PoolSizeEdge::kDefault},
                                                                {3, PoolSizeEdge::kTiny},
                                                                {3, PoolSizeEdge::kMisaligned},
                                                                {3, PoolSizeEdge::kScaled},
                                                                {1, PoolSizeEdge::kLarge}})),
      rc::gen::set(&PoolSizeIntent::literal, literal()));
  // The window shrinks toward 4, the fewest releases, so that a shrunk churn
  // is a plain run of allocations when the releases do not matter.
  auto window = rc::gen::map(full_range<std::uint32_t>(0, 5), [](std::uint32_t v) { return 4 - v; });
  auto churn = rc::gen::build<ChurnIntent>(rc::gen::set(&ChurnIntent::rounds, full_range<std::uint32_t>(1, 65)),
                                           rc::gen::set(&ChurnIntent::window, std::move(window)),
                                           rc::gen::set(&ChurnIntent::size, size_intent(kChurnSizes)));
  auto extension = rc::gen::build<ExtensionIntent>(
      rc::gen::set(&ExtensionIntent::which, literal()), rc::gen::set(&ExtensionIntent::size, size_intent(profile.sizes)),
      rc::gen::set(&ExtensionIntent::align, rc::gen::element(AlignEdge::kNone, AlignEdge::kPoolBase, AlignEdge::kPadToEnd,
                                                              AlignEdge::kSmall, AlignEdge::kLarge)),
      rc::gen::set(&ExtensionIntent::pick, rc::gen::element(ReleasePick::kOldest, ReleasePick::kNewest, ReleasePick::kAny)),
      rc::gen::set(&ExtensionIntent::pool_size,
                   rc::gen::build<PoolSizeIntent>(rc::gen::set(&PoolSizeIntent::literal, literal()))),
      rc::gen::set(&ExtensionIntent::literal, literal()));
  // Weights through choice() too, so that shrinking can turn any intent
  // into an allocation.
  auto as_intent = [](auto gen) {
    return rc::gen::map(std::move(gen), [](auto value) -> Intent { return value; });
  };
  std::vector<std::pair<unsigned, rc::Gen<Intent>>> intents = {{profile.alloc, as_intent(std::move(alloc))},
                                                               {profile.from, as_intent(std::move(from))},
                                                               {profile.release, as_intent(std::move(release))},
                                                               {profile.pool_size, as_intent(std::move(pool_size))},
                                                               {profile.churn, as_intent(std::move(churn))},
                                                               {profile.fail_next, as_intent(std::move(fail_next))}};
  // No op has an extension number yet: then the draw is the same as before.
  if (!extension_rows().empty()) intents.emplace_back(profile.extension, as_intent(std::move(extension)));
  return rc::gen::join(choice<rc::Gen<Intent>>(std::move(intents)));
}

// Settings and intents are drawn independently (intents are relative to
// whatever settings they meet), so each shrinks without undoing the other.
rc::Gen<Scenario> scenario(const Profile& profile) {
  return rc::gen::apply(
      [](const PoolOptions& settings, std::vector<Intent> intents) {
        Scenario scenario{settings, std::move(intents), {}};
        scenario.ops = realize(scenario.intents, settings);
        return scenario;
      },
      settings(profile), rc::gen::container<std::vector<Intent>>(intent(profile)));
}

}  // namespace gen
}  // namespace poolcheck::props
