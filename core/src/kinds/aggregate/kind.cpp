// The parse half of the DMARC aggregate kind: XML payloads, read by the
// streaming Xerces stage (xml_report.cpp). Registered in kinds/registry.cpp.
#include "kinds/kind.hpp"

#include "kinds/aggregate/fingerprint.hpp"
#include "kinds/aggregate/xml_report.hpp"
#include "kinds/kinds.hpp"

namespace rua {

std::string AggregateReport::fingerprint() const {
    return fingerprint_bytes(*this);
}

namespace detail {
namespace {

class AggregateKind final : public Kind {
public:
    std::string_view name() const override { return "aggregate"; }

    bool accepts(const Payload& payload) const override { return payload.format == Format::xml; }

    ReportPtr parse(Payload& payload, const Limits& limits) const override {
        return std::make_unique<AggregateReport>(parse_report_xml(payload.source, limits));
    }

    ReportPtr parse_streaming(Payload& payload, const Limits& limits,
                              ItemStream& stream) const override {
        return std::make_unique<AggregateReport>(parse_report_xml(payload.source, limits, &stream));
    }
};

} // namespace

const Kind& aggregate_kind() {
    static const AggregateKind k_kind;
    return k_kind;
}

} // namespace detail
} // namespace rua
