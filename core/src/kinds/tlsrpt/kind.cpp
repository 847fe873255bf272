// The parse half of the SMTP TLS report kind (RFC 8460): JSON payloads
// (application/tlsrpt+json, +gzip once unpacked, bare .json/.json.gz files),
// read by the streaming SAX stage (parse.cpp). Registered in
// kinds/registry.cpp. Decides by content, never by declared type or name.
#include "kinds/kind.hpp"

#include "kinds/kinds.hpp"
#include "kinds/tlsrpt/parse.hpp"

#include <rua/kinds/tlsrpt.hpp>

namespace rua::detail {
namespace {

class TlsKind final : public Kind {
public:
    std::string_view name() const override { return "tlsrpt"; }

    bool accepts(const Payload& payload) const override { return payload.format == Format::json; }

    ReportPtr parse(Payload& payload, const Limits& limits) const override {
        return parse_tlsrpt(payload.source, limits);
    }
};

} // namespace

const Kind& tlsrpt_kind() {
    static const TlsKind k_kind;
    return k_kind;
}

} // namespace rua::detail

namespace rua {

std::string TlsReport::reporter_domain() const {
    if (!contact_info) {
        return {};
    }
    std::string_view text = *contact_info;
    const auto scheme = text.find("://");
    if (scheme != std::string_view::npos && text.find('@') == std::string_view::npos) {
        text.remove_prefix(scheme + 3);
        text = text.substr(0, text.find_first_of("/:?#"));
    }
    return std::string(text);
}

} // namespace rua
