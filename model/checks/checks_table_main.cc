// checks_table: the check registry (model/checks/checks.def) as the Markdown
// table of model/checks/README.md, so that the README's table is made from
// the registry and never written by hand.
//   checks_table               prints the table
//   checks_table --check FILE  exit 1 if FILE's table is not the one printed
//   checks_table --write FILE  puts the table into FILE
// The table sits between the lines kBegin and kEnd of FILE.
#include <algorithm>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>

#include "model/checks/check.h"

namespace {

constexpr std::string_view kBegin = "<!-- checks table: made by checks_table from checks.def; do not edit -->\n";
constexpr std::string_view kEnd = "<!-- end of checks table -->\n";

std::string checkers_text(poolcheck::Checkers checkers) {
  if (checkers == poolcheck::Checkers::kBoth) return "both";
  return runs_differential(checkers) ? "differential" : "invariant";
}

std::string table() {
  std::string out = "| check | raised by | verifies | shown firing by | test |\n| --- | --- | --- | --- | --- |\n";
  for (const poolcheck::CheckRow& row : poolcheck::kCheckRows) {
    out += "| " + std::string(row.name) + " | " + checkers_text(row.checkers) + " | " + std::string(row.verifies) +
           " | " + std::string(row.allocator) + " | `" + std::string(row.test) + "` |\n";
  }
  return out;
}

int usage() {
  std::cerr << "usage: checks_table [--check FILE | --write FILE]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 1) {
    std::cout << table();
    return 0;
  }
  if (argc != 3) return usage();
  const std::string_view mode = argv[1];
  const std::string path = argv[2];
  if (mode != "--check" && mode != "--write") return usage();
  std::ifstream in(path);
  if (!in) {
    std::cerr << path << ":1: cannot read the file\n";
    return 1;
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  const std::size_t begin = text.find(kBegin);
  const std::size_t end = begin == std::string::npos ? std::string::npos : text.find(kEnd, begin);
  if (end == std::string::npos) {
    std::cerr << path << ":1: no line \"" << kBegin.substr(0, kBegin.size() - 1) << "\" followed by \""
              << kEnd.substr(0, kEnd.size() - 1) << "\"\n";
    return 1;
  }
  const std::size_t from = begin + kBegin.size();
  const std::string wanted = table();
  if (mode == "--check") {
    if (text.compare(from, end - from, wanted) == 0) return 0;
    // The first line that differs.
    std::size_t at = 0;
    while (from + at < end && at < wanted.size() && text[from + at] == wanted[at]) ++at;
    while (at > 0 && wanted[at - 1] != '\n') --at;
    const std::size_t line = 1 + static_cast<std::size_t>(std::count(text.begin(), text.begin() + from + at, '\n'));
    std::cerr << path << ":" << line
              << ": the checks table is not the one model/checks/checks.def makes; run: checks_table --write " << path
              << "\n";
    return 1;
  }
  std::ofstream out(path);
  out << text.substr(0, from) << wanted << text.substr(end);
  if (!out) {
    std::cerr << path << ":1: cannot write the file\n";
    return 1;
  }
  return 0;
}
