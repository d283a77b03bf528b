// A minimal SVG writer for the pool maps: shapes and text appended to a
// string, attribute values escaped, one embedded style sheet. No fonts but
// the renderer's generic sans-serif, no scripts, no links.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace poolcheck {

using SvgAttributes = std::vector<std::pair<std::string, std::string>>;

inline std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default:
        // Control characters are not allowed in XML 1.0; file names may hold them.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n') out += '?';
        else out += c;
    }
  }
  return out;
}

// Two decimals, trailing zeros dropped: 12, 12.5, 12.25.
inline std::string svg_number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f", value);
  std::string out = text;
  while (out.back() == '0') out.pop_back();
  if (out.back() == '.') out.pop_back();
  if (out == "-0") out = "0";
  return out;
}

class SvgText {
 public:
  void rect(double x, double y, double width, double height, std::string_view fill, std::string_view cls,
            const SvgAttributes& data, std::string_view title = {}) {
    out_ += "<rect x=\"" + svg_number(x) + "\" y=\"" + svg_number(y) + "\" width=\"" + svg_number(width) +
            "\" height=\"" + svg_number(height) + "\" fill=\"" + std::string(fill) + "\" class=\"" +
            std::string(cls) + "\"" + attributes(data);
    if (title.empty()) {
      out_ += "/>\n";
    } else {
      out_ += "><title>" + xml_escape(title) + "</title></rect>\n";
    }
  }
  void line(double x1, double y1, double x2, double y2, std::string_view stroke, double width, std::string_view cls,
            const SvgAttributes& data = {}) {
    out_ += "<line x1=\"" + svg_number(x1) + "\" y1=\"" + svg_number(y1) + "\" x2=\"" + svg_number(x2) +
            "\" y2=\"" + svg_number(y2) + "\" stroke=\"" + std::string(stroke) + "\" stroke-width=\"" +
            svg_number(width) + "\" class=\"" + std::string(cls) + "\"" + attributes(data) + "/>\n";
  }
  void text(double x, double y, std::string_view content, std::string_view cls) {
    out_ += "<text x=\"" + svg_number(x) + "\" y=\"" + svg_number(y) + "\" class=\"" + std::string(cls) + "\">" +
            xml_escape(content) + "</text>\n";
  }
  void raw(std::string_view markup) { out_ += markup; }

  // The whole document. Standalone: the style sheet is inside.
  std::string document(double width, double height) const {
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + open_tag(width, height) + out_ + "</svg>\n";
  }
  // For embedding in HTML: no XML declaration.
  std::string element(double width, double height) const { return open_tag(width, height) + out_ + "</svg>\n"; }

 private:
  static std::string attributes(const SvgAttributes& data) {
    std::string out;
    for (const auto& [name, value] : data) out += " " + name + "=\"" + xml_escape(value) + "\"";
    return out;
  }
  static std::string open_tag(double width, double height) {
    return "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"" + svg_number(width) +
           "\" height=\"" + svg_number(height) + "\" viewBox=\"0 0 " + svg_number(width) + " " +
           svg_number(height) + "\">\n<style>\n" + kStyle + "</style>\n<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\" class=\"background\"/>\n";
  }

  static constexpr const char* kStyle =
      "text { font-family: 'DejaVu Sans', Verdana, sans-serif; font-size: 12px; fill: #222222; }\n"
      ".title { font-size: 16px; font-weight: bold; }\n"
      ".heading { font-size: 14px; font-weight: bold; }\n"
      ".label { font-size: 12px; }\n"
      ".small { font-size: 10.5px; fill: #444444; }\n"
      ".tiny { font-size: 9.5px; fill: #444444; }\n"
      ".note { font-style: italic; fill: #666666; }\n"
      ".middle { text-anchor: middle; }\n"
      ".end { text-anchor: end; }\n"
      ".dead { fill: #777777; }\n"
      ".released-text { fill: #555555; }\n"
      ".buffer-label { font-size: 11px; font-weight: bold; fill: #ffffff; }\n"
      ".buffer-label.released-text { fill: #333333; }\n"
      ".pool-outline { stroke: #333333; stroke-width: 1; }\n"
      ".zoomed { stroke-dasharray: 5 3; }\n"
      ".buffer, .unpooled { stroke: #ffffff; stroke-width: 0.5; }\n"
      ".padding, .tail, .room { stroke: none; }\n"
      ".legend { stroke: #333333; stroke-width: 0.5; }\n"
      ".highlight, .legend-highlight { fill: none; stroke: #cc0000; stroke-width: 3; }\n";

  std::string out_;
};

}  // namespace poolcheck
