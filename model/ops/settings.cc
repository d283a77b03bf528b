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

bool accepts(const Setting& setting, std::uint64_t value) {
  return value <= setting.max && (!setting.power_of_two || is_power_of_two(value));
}

std::string rule_of(const Setting& setting) {
  return std::string(setting.power_of_two ? "a power of two" : "a number") + " up to " + std::string(setting.max_text);
}

std::string help_of(const Setting& setting) {
  std::string help(setting.help);
  if (const std::size_t at = help.find("{max}"); at != std::string::npos) help.replace(at, 5, setting.max_text);
  return help + " (default " + std::to_string(setting.default_value) + ")";
}

std::string value_error(const Setting& setting, std::uint64_t value) {
  const std::string name(setting.name);
  if (setting.power_of_two) return name + " must be " + rule_of(setting) + ", not " + std::to_string(value);
  std::string bound(setting.max_text);
  if (bound != std::to_string(setting.max)) bound += " (" + std::to_string(setting.max) + ")";
  return name + " " + std::to_string(value) + " is beyond " + bound;
}

}  // namespace poolcheck
