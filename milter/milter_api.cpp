// LibmilterApi: the only place that calls smfi_* functions on a context.
// libmilter's prototypes take non-const char*, although it does not write
// through them; copies are passed so no const_cast is needed. Never throws
// into libmilter: callers run inside the callback guard.
#include "milter_api.hpp"

#include <vector>

namespace rua::milter {

namespace {

// A writable NUL-terminated copy for libmilter's `char*` parameters.
std::vector<char> c_copy(const std::string& text) {
    std::vector<char> out(text.begin(), text.end());
    out.push_back('\0');
    return out;
}

} // namespace

void* LibmilterApi::get_private(SMFICTX* ctx) {
    return smfi_getpriv(ctx);
}

void LibmilterApi::set_private(SMFICTX* ctx, void* data) {
    smfi_setpriv(ctx, data);
}

std::optional<std::string> LibmilterApi::symbol(SMFICTX* ctx, const char* name) {
    auto copy = c_copy(name);
    const char* value = smfi_getsymval(ctx, copy.data());
    if (value == nullptr) {
        return std::nullopt;
    }
    return std::string(value);
}

bool LibmilterApi::set_reply(SMFICTX* ctx, const char* rcode, const char* xcode,
                             const std::string& text) {
    auto r = c_copy(rcode);
    auto x = c_copy(xcode);
    auto t = c_copy(text);
    return smfi_setreply(ctx, r.data(), x.data(), t.data()) == MI_SUCCESS;
}

bool LibmilterApi::add_header(SMFICTX* ctx, const std::string& name, const std::string& value) {
    auto n = c_copy(name);
    auto v = c_copy(value);
    return smfi_addheader(ctx, n.data(), v.data()) == MI_SUCCESS;
}

bool LibmilterApi::delete_recipient(SMFICTX* ctx, const std::string& recipient) {
    auto r = c_copy(recipient);
    return smfi_delrcpt(ctx, r.data()) == MI_SUCCESS;
}

bool LibmilterApi::progress(SMFICTX* ctx) {
    return smfi_progress(ctx) == MI_SUCCESS;
}

} // namespace rua::milter
