#include "model/tool/whatif_command.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <iostream>
#include <string_view>

#include "model/ops/settings.h"
#include "model/reference/reference_model.h"
#include "model/tool/map_command.h"
#include "model/tool/recording.h"
#include "model/tool/svg_text.h"

namespace poolcheck {

namespace {

constexpr int kOk = 0, kBadInput = 2;

int usage(const std::string& message) {
  std::cerr << "poolcheck whatif: " << message
            << "\nusage: poolcheck whatif --pool-size N[,N...] [--alignment A[,A...]] FILE [-o OUT.svg]\n"
               "       poolcheck whatif --pool-size N[,N...] --summary RECORDING...\n";
  return kBadInput;
}

// "8192,65536" -> numbers each accepted by `setting`; empty on an error.
std::vector<std::uint64_t> parse_list(std::string_view text, const Setting& setting) {
  std::vector<std::uint64_t> out;
  while (true) {
    const std::size_t comma = text.find(',');
    const std::string_view item = text.substr(0, comma);
    std::uint64_t value = 0;
    auto [ptr, ec] = std::from_chars(item.data(), item.data() + item.size(), value);
    if (item.empty() || ec != std::errc() || ptr != item.data() + item.size() || !accepts(setting, value)) return {};
    out.push_back(value);
    if (comma == std::string_view::npos) return out;
    text.remove_prefix(comma + 1);
  }
}

std::string percent(std::uint64_t part, std::uint64_t whole) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f%%", whole == 0 ? 0.0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole));
  return text;
}

std::string kib(double bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f KiB", bytes / 1024.0);
  return text;
}

}  // namespace

WhatIf what_if(const SequenceFile& file, std::uint64_t pool_size, std::uint64_t alignment) {
  PoolOptions settings = file.settings;
  settings.pool_size = pool_size;
  settings.alignment = alignment;
  ReferenceModel model(settings);
  WhatIf result{pool_size, alignment};
  double held_sum = 0;
  for (const Op& op : file.ops) {
    const Outcome outcome = model.apply(op);
    if (outcome.kind == Outcome::Kind::kBuffer && outcome.placement.length > 0 && op.kind != OpKind::kAllocSlow) {
      ++result.requests;
      if (outcome.placement.pooled) ++result.pooled;
    }
    result.held_peak = std::max(result.held_peak, model.stats().pool_bytes);
    held_sum += static_cast<double>(model.stats().pool_bytes);
  }
  const PoolStats& stats = model.stats();
  result.pools = stats.pools_created + stats.pools_reused;
  result.held_mean = file.ops.empty() ? 0 : held_sum / static_cast<double>(file.ops.size());
  result.tail_waste = stats.tail_waste_bytes;
  result.padding = stats.padding_bytes;
  return result;
}

std::string whatif_table(const std::vector<WhatIf>& results) {
  std::string out =
      "| pool size | alignment | pools | held peak | held mean | tail waste | padding | pooled | unpooled buffers |\n"
      "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n";
  for (const WhatIf& r : results) {
    out += "| " + std::to_string(r.pool_size) + " | " + std::to_string(r.alignment) + " | " + std::to_string(r.pools) +
           " | " + kib(static_cast<double>(r.held_peak)) + " | " + kib(r.held_mean) + " | " +
           kib(static_cast<double>(r.tail_waste)) + " | " + std::to_string(r.padding) + " B | " +
           percent(r.pooled, r.requests) + " | " + std::to_string(r.requests - r.pooled) + " |\n";
  }
  return out;
}

std::string whatif_svg(const std::string& title, const std::vector<WhatIf>& results) {
  const double left = 150, bar_width = 420, row = 54, top = 70, width = left + bar_width + 290;
  const double height = top + row * static_cast<double>(results.size()) + 40;
  std::uint64_t scale = 1;
  for (const WhatIf& r : results) scale = std::max(scale, r.held_peak);
  SvgText svg;
  svg.text(10, 22, "What the pool size costs: " + title, "title");
  svg.text(10, 42, "pool memory held (a pool is held while current or while any slice of it is live)", "small");
  svg.rect(left, 50, 12, 10, "#4a78b5", "legend", {});
  svg.text(left + 16, 59, "peak", "small");
  svg.rect(left + 60, 50, 12, 10, "#a6c3e6", "legend", {});
  svg.text(left + 76, 59, "mean over the ops", "small");
  for (std::size_t i = 0; i < results.size(); ++i) {
    const WhatIf& r = results[i];
    const double y = top + row * static_cast<double>(i);
    std::string label = "pool size " + std::to_string(r.pool_size);
    if (r.alignment != 8) label += ", align " + std::to_string(r.alignment);
    svg.text(10, y + 20, label, "label");
    const double peak = bar_width * static_cast<double>(r.held_peak) / static_cast<double>(scale);
    const double mean = bar_width * r.held_mean / static_cast<double>(scale);
    const SvgAttributes data{{"data-pool-size", std::to_string(r.pool_size)},
                             {"data-held-peak", std::to_string(r.held_peak)}};
    svg.rect(left, y + 4, std::max(1.0, peak), 18, "#4a78b5", "held-peak", data, kib(static_cast<double>(r.held_peak)));
    svg.rect(left, y + 24, std::max(1.0, mean), 18, "#a6c3e6", "held-mean", {{"data-pool-size", std::to_string(r.pool_size)}},
             kib(r.held_mean));
    svg.text(left + std::max(1.0, peak) + 6, y + 18, kib(static_cast<double>(r.held_peak)), "small");
    svg.text(left + std::max(1.0, mean) + 6, y + 38, kib(r.held_mean), "small");
    svg.text(left + bar_width + 80, y + 18,
             std::to_string(r.pools) + " pools, " + percent(r.pooled, r.requests) + " pooled", "small");
    svg.text(left + bar_width + 80, y + 38,
             "tail waste " + kib(static_cast<double>(r.tail_waste)) + ", " + std::to_string(r.requests - r.pooled) +
                 " unpooled",
             "small");
  }
  return svg.document(width, height);
}

std::string whatif_summary(const std::vector<std::string>& files, const std::vector<std::uint64_t>& sizes) {
  std::string out = "| recording | buffers | pooled by Node | inferred ops | releases (collected) |";
  std::string rule = "| --- | ---: | ---: | ---: | ---: |";
  for (std::uint64_t size : sizes) {
    const std::string at = " at " + std::to_string(size) + " |";
    out += " pools" + at + " held peak" + at + " held mean" + at;
    rule += " ---: | ---: | ---: |";
  }
  out += "\n" + rule + "\n";
  for (const std::string& name : files) {
    LoadResult loaded = load_sequence(name);
    std::string read_error;
    const std::optional<std::string> text = read_file(name, read_error);
    LoadError error{name, 0, "not a recording (no `# poolcheck recording` first line)"};
    std::optional<Recording> recording;
    if (loaded.error) error = *loaded.error;
    else if (text && is_recording(*text)) recording = parse_recording(*loaded.file, *text, error);
    if (!recording) {
      std::cerr << "poolcheck: " << error.to_string() << "\n";
      return "";
    }
    const ProgramBuffers made = program_buffers(*recording);
    out += "| " + loaded.file->path.filename().string() + " (" + recording->node + ") | " + std::to_string(made.buffers) +
           " | " + percent(made.pooled, made.buffers) + " | " + std::to_string(recording->inferred_ops) + " | " +
           std::to_string(recording->collected) + " |";
    for (std::uint64_t size : sizes) {
      const WhatIf r = what_if(*loaded.file, size, loaded.file->settings.alignment);
      out += " " + std::to_string(r.pools) + " | " + kib(static_cast<double>(r.held_peak)) + " | " + kib(r.held_mean) + " |";
    }
    out += "\n";
  }
  return out;
}

int whatif_command(int argc, char** argv) {
  std::vector<std::uint64_t> sizes, alignments;
  std::string out, input;
  std::vector<std::string> summary;
  for (int i = 2; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const Setting* setting = setting_for_option(arg);
    if (setting && setting->field == &PoolOptions::cache_limit) setting = nullptr;
    if (setting && i + 1 < argc) {
      std::vector<std::uint64_t> list = parse_list(argv[++i], *setting);
      if (list.empty()) return usage(std::string(arg) + " takes a comma list, each " + rule_of(*setting));
      (setting->field == &PoolOptions::pool_size ? sizes : alignments) = list;
    } else if (arg == "-o" && i + 1 < argc) {
      out = argv[++i];
    } else if (arg == "--summary") {
      while (i + 1 < argc) summary.emplace_back(argv[++i]);
      if (summary.empty()) return usage("--summary takes recordings");
    } else if (arg.starts_with("-")) {
      return usage("unknown or incomplete option " + std::string(arg));
    } else if (input.empty()) {
      input = arg;
    } else {
      return usage("takes exactly one file");
    }
  }
  if (sizes.empty()) return usage("--pool-size LIST is required");
  if (!summary.empty()) {
    if (!input.empty() || !out.empty() || !alignments.empty()) return usage("--summary takes only --pool-size and recordings");
    const std::string table = whatif_summary(summary, sizes);
    if (table.empty()) return kBadInput;
    std::cout << table;
    return std::cout.flush() ? kOk : kBadInput;
  }
  if (input.empty()) return usage("no file");
  if (!out.empty() && !out.ends_with(".svg")) return usage("-o writes an SVG chart (OUT.svg)");
  LoadResult loaded = load_sequence(input);
  if (loaded.error) {
    std::cerr << "poolcheck: " << loaded.error->to_string() << "\n";
    return kBadInput;
  }
  if (alignments.empty()) alignments.push_back(loaded.file->settings.alignment);
  std::vector<WhatIf> results;
  for (std::uint64_t alignment : alignments)
    for (std::uint64_t size : sizes) results.push_back(what_if(*loaded.file, size, alignment));
  std::cout << whatif_table(results);
  if (!out.empty() && !write_text_file(out, whatif_svg(loaded.file->path.filename().string(), results))) return kBadInput;
  return std::cout.flush() ? kOk : kBadInput;
}

}  // namespace poolcheck
