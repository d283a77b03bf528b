#include "props/counterexample.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <cstdlib>
#include <fstream>
#include <system_error>
#include <utility>

#ifndef POOLCHECK_DEFAULT_COUNTEREXAMPLE_DIR
#define POOLCHECK_DEFAULT_COUNTEREXAMPLE_DIR "poolcheck-counterexamples"
#endif

namespace poolcheck::props {

namespace {

thread_local std::optional<std::string> name_override;

// GoogleTest names of parameterized tests contain '/'.
std::string file_safe(std::string name) {
  for (char& c : name)
    if (c == '/' || c == '\\' || c == ' ') c = '_';
  return name;
}

}  // namespace

std::filesystem::path counterexample_dir() {
  const char* dir = std::getenv("POOLCHECK_COUNTEREXAMPLE_DIR");
  return dir != nullptr && *dir != '\0' ? dir : POOLCHECK_DEFAULT_COUNTEREXAMPLE_DIR;
}

std::string counterexample_name() {
  if (name_override) return file_safe(*name_override);
  if (const auto* test = ::testing::UnitTest::GetInstance()->current_test_info())
    return file_safe(std::string(test->test_suite_name()) + "." + test->name());
  return "property";
}

ScopedCounterexampleName::ScopedCounterexampleName(std::string name)
    : previous_(std::exchange(name_override, std::move(name))) {}

ScopedCounterexampleName::~ScopedCounterexampleName() { name_override = std::move(previous_); }

std::optional<std::filesystem::path> write_counterexample(const Divergence& divergence, std::span<const Op> ops,
                                                          const PoolOptions& settings, const std::string& note,
                                                          std::string& error) {
  const std::filesystem::path dir = counterexample_dir();
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    error = "cannot create " + dir.string() + ": " + ec.message();
    return std::nullopt;
  }
  const std::filesystem::path path = dir / (counterexample_name() + ".ops");
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << "# counterexample of property " << counterexample_name() << ", shrunk by RapidCheck\n"
      << note << describe(divergence, ops, settings);
  out.close();
  if (!out) {
    error = "cannot write " + path.string();
    return std::nullopt;
  }
  return path;
}

void fail_with_counterexample(const Divergence& divergence, std::span<const Op> ops, const PoolOptions& settings,
                              const std::string& note) {
  std::string error;
  const std::optional<std::filesystem::path> path = write_counterexample(divergence, ops, settings, note, error);
  std::string message = "\n" + note + describe(divergence, ops, settings);
  if (path)
    message += "# counterexample file: " + path->string() + "\n# replay: poolcheck replay " + path->string() +
               "\n# keep it: copy it to corpus/regressions/\n";
  else
    message += "# (counterexample file not written: " + error + ")\n";
  RC_FAIL(message);
}

}  // namespace poolcheck::props
