// RapidCheck parameters of the property runs; docs/PROPERTIES.md quotes them.
#pragma once

namespace poolcheck::props {

// Every CI run draws the same cases: a failure on CI reproduces anywhere.
inline constexpr const char* kCiParams = "seed=20240601 max_success=2000 max_size=100";
// The soak: 100 times the cases of kCiParams, with a seed RapidCheck draws
// (and prints) for each run.
inline constexpr const char* kSoakParams = "max_success=200000 max_size=100";

}  // namespace poolcheck::props
