#include "model/tool/record_command.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "model/reference/sequence_file.h"
#include "model/tool/recording.h"

namespace poolcheck {

namespace {

constexpr int kBadInput = 2;

int usage(const std::string& message) {
  std::cerr << "poolcheck record: " << message
            << "\nusage: poolcheck record -o FILE.ops [--max-ops N] -- COMMAND [ARGS...]\n"
               "  runs COMMAND (node, or a script that runs node) with a preload that records the\n"
               "  Buffer pool traffic of the first Node process's main thread into FILE.ops\n";
  return kBadInput;
}

// The preload: $POOLCHECK_RECORD_PRELOAD, else the one in the source tree.
std::filesystem::path preload_path() {
  if (const char* given = std::getenv("POOLCHECK_RECORD_PRELOAD")) return given;
  return std::filesystem::path(POOLCHECK_SOURCE_DIR) / "model" / "node" / "record_preload.js";
}

// NODE_OPTIONS takes double-quoted paths with backslash escapes.
std::string quoted(const std::string& path) {
  std::string out = "\"";
  for (char c : path) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

int record_command(int argc, char** argv) {
  std::string out;
  std::uint64_t max_ops = 0;
  int i = 2;
  for (; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--") {
      ++i;
      break;
    }
    if (arg == "-o" && i + 1 < argc) {
      out = argv[++i];
    } else if (arg == "--max-ops" && i + 1 < argc) {
      const std::string_view text = argv[++i];
      auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), max_ops);
      if (ec != std::errc() || ptr != text.data() + text.size() || max_ops == 0)
        return usage("--max-ops takes a positive number");
    } else {
      return usage("unknown or incomplete option " + std::string(arg));
    }
  }
  if (out.empty()) return usage("-o FILE.ops is required");
  if (i >= argc) return usage("no command after --");
  const std::filesystem::path preload = preload_path();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(preload, ec)) {
    std::cerr << "poolcheck record: " << preload.string() << ": the preload is missing\n";
    return kBadInput;
  }
  const std::filesystem::path target = std::filesystem::absolute(out, ec);
  std::filesystem::remove(target, ec);  // the first Node process creates it anew

  std::string options = "--require " + quoted(std::filesystem::absolute(preload).string());
  if (const char* given = std::getenv("NODE_OPTIONS"); given && *given) options = std::string(given) + " " + options;
  ::setenv("NODE_OPTIONS", options.c_str(), 1);
  ::setenv("POOLCHECK_RECORD_OUT", target.c_str(), 1);
  ::setenv("POOLCHECK_RECORD_MAX_OPS", std::to_string(max_ops).c_str(), 1);

  std::cout.flush();
  const pid_t child = ::fork();
  if (child < 0) {
    std::cerr << "poolcheck record: cannot start " << argv[i] << "\n";
    return kBadInput;
  }
  if (child == 0) {
    ::execvp(argv[i], argv + i);
    std::cerr << "poolcheck record: cannot run " << argv[i] << "\n";
    std::_Exit(127);
  }
  int status = 0;
  while (::waitpid(child, &status, 0) < 0) {
    if (errno != EINTR) {
      std::cerr << "poolcheck record: lost the program (waitpid failed)\n";
      return kBadInput;
    }
  }
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);

  LoadResult loaded = load_sequence(target);
  std::string read_error;
  const std::optional<std::string> text = read_file(target, read_error);
  constexpr std::string_view kUnsupported = "# poolcheck record: unsupported: ";
  if (text && text->starts_with(kUnsupported)) {
    std::cerr << "poolcheck record: " << target.string() << ": no recording: "
              << text->substr(kUnsupported.size(), text->find('\n') - kUnsupported.size()) << "\n";
    return code != 0 ? code : kBadInput;
  }
  if (!text || !is_recording(*text)) {
    std::cerr << "poolcheck record: " << target.string()
              << ": no recording (no Node process loaded the preload: is the command a Node program?)\n";
    return code != 0 ? code : kBadInput;
  }
  LoadError error;
  std::optional<Recording> recording;
  if (loaded.file) recording = parse_recording(*loaded.file, *text, error);
  else error = *loaded.error;
  if (!recording) {
    std::cerr << "poolcheck record: " << error.to_string() << " (the recorder wrote a malformed file)\n";
    return code != 0 ? code : kBadInput;
  }
  const ProgramBuffers made = program_buffers(*recording);
  std::cerr << "poolcheck record: " << out << ": " << loaded.file->ops.size() << " ops from node " << recording->node
            << ": " << made.buffers << " buffers (" << made.pooled << " pooled), " << recording->inferred_ops
            << " inferred ops, " << recording->collected << " releases (collection-timed)"
            << (recording->stopped ? "; stopped at --max-ops" : "") << "\n";
  return code;
}

}  // namespace poolcheck
