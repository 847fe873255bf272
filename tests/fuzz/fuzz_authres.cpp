// libFuzzer target: the Authentication-Results parser and the choice of
// trusted fields on arbitrary bytes. Both promise never to throw for bad
// input and to stay within their bounds; any exception, crash, leak or UB is
// a finding, and so is a parsed field past the bounds or with an empty
// authserv-id, method or result.
#include <rua/authres.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace {

void check(const rua::AuthResults& parsed) {
    if (parsed.authserv_id.empty() || parsed.results.size() > rua::k_authres_max_results) {
        __builtin_trap();
    }
    for (const auto& result : parsed.results) {
        if (result.method.empty() || result.result.empty() ||
            result.properties.size() > rua::k_authres_max_properties) {
            __builtin_trap();
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    if (const auto parsed = rua::parse_authentication_results(input)) {
        check(*parsed);
        static_cast<void>(rua::judge_authenticity({*parsed}, "reports@example.com"));
    }
    // The same bytes as a message header: the first byte's parity says
    // whether this host's name is known.
    rua::AuthenticityPolicy policy;
    policy.trusted_ids = {"mx.example.org", "a"};
    policy.own_host = size > 0 && (data[0] & 1) != 0 ? "rua.example.net" : "";
    const auto trusted = rua::trusted_authentication_results(input, policy);
    if (trusted.size() > rua::k_authres_max_results) {
        __builtin_trap();
    }
    for (const auto& fields : trusted) {
        check(fields);
    }
    static_cast<void>(rua::judge_authenticity(trusted, "example.com"));
    return 0;
}
