// The animated pool map: one SVG frame per op in a single HTML page, a
// slider to move between them and the op under it. Self-contained: the
// frames, the style and the few lines of script are all inline; without
// script the last frame shows.
#include <string>

#include "model/tool/map_svg.h"
#include "model/tool/svg_text.h"

namespace poolcheck {
namespace {

constexpr const char* kPageStyle = R"(body { font-family: 'DejaVu Sans', Verdana, sans-serif; margin: 16px; color: #222; }
h1 { font-size: 18px; margin: 0 0 8px 0; }
#controls { display: flex; align-items: center; gap: 12px; }
#op { width: 640px; }
#op-text { font-family: 'DejaVu Sans Mono', monospace; font-size: 15px; margin: 6px 0 10px 0; min-height: 1.2em; }
.frame[hidden] { display: none; }
)";

constexpr const char* kPageScript = R"(
(function () {
  var frames = document.querySelectorAll('.frame');
  var slider = document.getElementById('op');
  var position = document.getElementById('position');
  var opText = document.getElementById('op-text');
  function show(i) {
    for (var k = 0; k < frames.length; ++k) frames[k].hidden = k !== i;
    position.textContent = 'frame ' + (i + 1) + ' of ' + frames.length;
    opText.textContent = frames[i].getAttribute('data-op');
    document.body.setAttribute('data-shown', String(i));
  }
  slider.addEventListener('input', function () { show(Number(slider.value)); });
  document.addEventListener('keydown', function (e) {
    var i = Number(slider.value);
    if (e.key === 'ArrowLeft' && i > 0) slider.value = i - 1;
    else if (e.key === 'ArrowRight' && i < frames.length - 1) slider.value = i + 1;
    else return;
    show(Number(slider.value));
  });
  show(Number(slider.value));
})();
)";

}  // namespace

std::string map_html(const std::string& title, std::span<const std::string> frames,
                     std::span<const std::string> op_texts) {
  const std::size_t last = frames.empty() ? 0 : frames.size() - 1;
  std::string page = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" +
                     xml_escape(title) + "</title>\n<style>\n" + kPageStyle + "</style>\n</head>\n<body>\n<h1>" +
                     xml_escape(title) + "</h1>\n<div id=\"controls\"><input type=\"range\" id=\"op\" min=\"0\" max=\"" +
                     std::to_string(last) + "\" value=\"" + std::to_string(last) +
                     "\" aria-label=\"op\"><span id=\"position\">frame " + std::to_string(last + 1) + " of " +
                     std::to_string(frames.size()) + "</span></div>\n<div id=\"op-text\">" +
                     xml_escape(op_texts.empty() ? "" : op_texts.back()) + "</div>\n";
  for (std::size_t i = 0; i < frames.size(); ++i) {
    const std::string& svg = frames[i];
    const std::size_t start = svg.find("<svg");  // no XML declaration inside HTML
    page += "<div class=\"frame\" data-op=\"" + xml_escape(i < op_texts.size() ? op_texts[i] : "") + "\"" +
            (i == last ? "" : " hidden") + ">\n" + svg.substr(start == std::string::npos ? 0 : start) + "</div>\n";
  }
  page += "<script>" + std::string(kPageScript) + "</script>\n</body>\n</html>\n";
  return page;
}

}  // namespace poolcheck
