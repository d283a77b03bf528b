#include "model/ops/settings.h"

#include <algorithm>

namespace poolcheck {

std::vector<const Setting*> settings_by_name() {
  std::vector<const Setting*> rows;
  for (const Setting& setting : kSettings) rows.push_back(&setting);
  std::sort(rows.begin(), rows.end(), [](const Setting* a, const Setting* b) { return a->name < b->name; });
  return rows;
}

const Setting* setting_named(std::string_view name) {
  for (const Setting& setting : kSettings)
    if (setting.name == name) return &setting;
  return nullptr;
}

const Setting* setting_for_option(std::string_view option) {
  for (const Setting& setting : kSettings)
    if (setting.option == option) return &setting;
  return nullptr;
}

bool accepts(const Setting& setting, std::uint64_t value) { return setting.valid(value); }

std::string rule_of(const Setting& setting) {
  return std::string(setting.power_of_two ? "a power of two" : "a number") + " up to " + spec::bound_text(setting.max);
}

std::string help_of(const Setting& setting) {
  std::string help(setting.help);
  if (const std::size_t at = help.find("{max}"); at != std::string::npos) help.replace(at, 5, spec::bound_text(setting.max));
  return help + " (default " + std::to_string(setting.default_value) + ")";
}

std::string value_error(const Setting& setting, std::uint64_t value) { return setting.error(value); }

}  // namespace poolcheck
