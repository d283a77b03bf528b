// An allocator library loaded at run time, so that it does not replace
// malloc in the process (docs/ADAPTERS.md, "mimalloc and jemalloc"):
// dlopen with RTLD_LOCAL keeps its exported malloc and free out of the
// global symbol scope, so every other malloc in the process stays glibc's,
// and the adapter calls the library's own entry points (mi_malloc_aligned,
// mallocx, ...) through dlsym.
//
// Debian's libjemalloc.so.2 keeps its thread-local state in the static TLS
// block (its dynamic section has STATIC_TLS: 2632 bytes), more than glibc
// leaves free for libraries loaded later, so dlopen fails with "cannot
// allocate memory in static TLS block". glibc sets that room only when a
// process starts (the tunable glibc.rtld.optional_static_tls), so the
// process then runs itself again, once, with the tunable raised: the same
// program and arguments (/proc/self/exe, /proc/self/cmdline).
#pragma once

#include <dlfcn.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace poolcheck::adapters {

namespace loaded_detail {
inline constexpr const char* kRerunMark = "POOLCHECK_STATIC_TLS_RERUN";
inline constexpr const char* kTunable = "glibc.rtld.optional_static_tls=65536";

// Runs this program again with more static TLS; returns only if it cannot.
inline void rerun_with_static_tls() {
  if (std::getenv(kRerunMark) != nullptr) return;  // already did: give up
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  const std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::string> words;
  for (std::size_t at = 0; at < cmdline.size();) {
    const std::size_t end = cmdline.find('\0', at);
    words.push_back(cmdline.substr(at, end - at));
    if (end == std::string::npos) break;
    at = end + 1;
  }
  if (words.empty()) return;
  std::vector<char*> argv;
  for (std::string& word : words) argv.push_back(word.data());
  argv.push_back(nullptr);
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  const std::string value = tunables && *tunables ? std::string(tunables) + ":" + kTunable : std::string(kTunable);
  setenv("GLIBC_TUNABLES", value.c_str(), 1);
  setenv(kRerunMark, "1", 1);
  // Output still buffered is dropped, not flushed: the run again writes it.
  // (A tool should load the library before it writes anything: lines
  // already written would be written twice.)
  execv("/proc/self/exe", argv.data());
}
}  // namespace loaded_detail

// The library's handle, loaded on first use (once per process). A library
// that cannot be loaded ends the program with a message and exit status 2.
inline void* load_allocator_library(const char* soname) {
  void* handle = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const std::string error = dlerror();
    if (error.find("static TLS") != std::string::npos) {
      loaded_detail::rerun_with_static_tls();
      handle = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    }
    if (handle == nullptr) {
      const bool missing = error.find("No such file") != std::string::npos;
      std::fprintf(stderr, "poolcheck: cannot load %s: %s%s\n", soname, error.c_str(),
                   missing ? " (scripts/install-deps.sh installs it)" : "");
      std::exit(2);
    }
  }
  return handle;
}

// One entry point of a loaded library, as a function pointer of type F.
template <class F>
F library_symbol(void* library, const char* name) {
  void* address = dlsym(library, name);
  if (address == nullptr) {
    std::fprintf(stderr, "poolcheck: the loaded allocator library has no %s\n", name);
    std::exit(2);
  }
  return reinterpret_cast<F>(address);
}

}  // namespace poolcheck::adapters
