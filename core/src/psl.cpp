// registrable_domain over libpsl. The context is loaded once and only read
// afterwards (libpsl's lookups are read-only on a loaded context), so every
// thread shares it.
#include "rua/psl.hpp"

#include <libpsl.h>

namespace rua {
namespace {

const psl_ctx_t* context() {
    // psl_latest() picks the newer of the built-in list and the system's
    // dafsa/text file; the built-in list is the fallback when that fails.
    static const psl_ctx_t* const ctx = [] {
        const psl_ctx_t* latest = psl_latest(nullptr);
        return latest != nullptr ? latest : psl_builtin();
    }();
    return ctx;
}

} // namespace

std::optional<std::string> registrable_domain(std::string_view domain) {
    if (domain.empty() || domain.front() == '.' || domain.back() == '.') {
        return std::nullopt;
    }
    const psl_ctx_t* ctx = context();
    if (ctx == nullptr) {
        return std::nullopt;
    }
    const std::string name(domain);
    const char* found = psl_registrable_domain(ctx, name.c_str());
    if (found == nullptr) {
        return std::nullopt;
    }
    return std::string(found);
}

bool same_organisation(std::string_view a, std::string_view b) {
    const auto left = registrable_domain(a);
    if (!left) {
        return false;
    }
    const auto right = registrable_domain(b);
    return right && *left == *right;
}

} // namespace rua
