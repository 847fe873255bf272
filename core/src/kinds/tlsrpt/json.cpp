// What a parsed TLS report shows of itself: the `ruactl parse` JSON line
// (keys in the field tables' order, absent values null, lists never null),
// the content fingerprint and the domains it is about. Both walk the field
// tables (fields.cpp); the fingerprint never sees source, warnings or arrival.
#include "kinds/tlsrpt/fields.hpp"
#include "kinds/tlsrpt/values.hpp"

#include <rua/kinds/tlsrpt.hpp>

#include <algorithm>
#include <string>

namespace rua {

namespace {

// Changing the encoding needs a new tag: old fingerprints then differ.
constexpr std::string_view k_fingerprint_tag = "rua-tlsrpt-fingerprint-1";

} // namespace

std::vector<std::string> TlsReport::domains() const {
    std::vector<std::string> out;
    for (const auto& policy : policies) {
        std::string domain = detail::tlsrpt::lower(policy.policy_domain);
        if (std::find(out.begin(), out.end(), domain) == out.end()) {
            out.push_back(std::move(domain));
        }
    }
    return out;
}

std::string TlsReport::to_json() const {
    std::string out;
    out.reserve(512 + policies.size() * 400);
    out += '{';
    detail::json_key(out, "kind", true);
    out += "\"tlsrpt\"";
    detail::json_fields(out, detail::tlsrpt::report_fields(), *this, false);
    detail::json_source_and_warnings(out, *this);
    out += '}';
    return out;
}

std::string TlsReport::fingerprint() const {
    detail::FingerprintEncoder encoder;
    encoder.text(k_fingerprint_tag);
    detail::fingerprint_fields(encoder, detail::tlsrpt::report_fields(), *this);
    return encoder.take();
}

} // namespace rua
