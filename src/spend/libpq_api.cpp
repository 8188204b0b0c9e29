#include "meshgate/spend/libpq_api.hpp"

#include <dlfcn.h>

namespace meshgate::spend {

namespace {

struct loaded {
  libpq_api api;
  std::string error;  // empty when every function was found
};

loaded load() {
  loaded out;
  // The runtime name of the library (package libpq5); the unversioned libpq.so exists only
  // where the development package is installed.
  void* lib = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
  if (lib == nullptr) {
    const char* why = dlerror();
    out.error = std::string("cannot load libpq (install libpq5): ") + (why ? why : "unknown error");
    return out;
  }
#define MESHGATE_LIBPQ_LOOKUP(name)                                                             \
  out.api.name = reinterpret_cast<decltype(&::name)>(dlsym(lib, #name));                        \
  if (out.api.name == nullptr && out.error.empty()) out.error = "libpq has no " #name " (too old?)";
  MESHGATE_LIBPQ_FUNCTIONS(MESHGATE_LIBPQ_LOOKUP)
#undef MESHGATE_LIBPQ_LOOKUP
  return out;
}

}  // namespace

const libpq_api* load_libpq(std::string& error) {
  static const loaded lib = load();
  if (!lib.error.empty()) {
    error = lib.error;
    return nullptr;
  }
  return &lib.api;
}

}  // namespace meshgate::spend
