// The parse half of the DMARC failure kind: reports found in the message's
// MIME structure (finder.cpp), never in a single payload, so accepts() stays
// false. Also the FailureReport methods that define its identity: the
// content key (fingerprint), the domains checked against the account, and
// what is stored for a report that is ARF but no DMARC failure.
#include "kinds/kind.hpp"

#include "kinds/failure/finder.hpp"
#include "kinds/failure/headers.hpp"
#include "kinds/failure/redact.hpp"
#include "kinds/fields.hpp"
#include "kinds/kinds.hpp"
#include "sha256.hpp"
#include "text.hpp"

#include <rua/address.hpp>
#include <rua/kinds/failure.hpp>

#include <algorithm>

namespace rua {

std::string FailureReport::identifier() const {
    return detail::sha256_hex(fingerprint()).substr(0, 16);
}

std::vector<std::string> FailureReport::domains() const {
    using namespace detail::failure;
    using detail::lower;
    using detail::trim;
    // In the one normal form (rua/address.hpp) when they have one: the
    // account check compares them with the registry's.
    const auto normal = [](std::string domain) {
        return normalize_domain(domain).value_or(std::move(domain));
    };
    if (reported_domain && !trim(*reported_domain).empty()) {
        return {normal(lower(trim(*reported_domain)))};
    }
    if (original.from) {
        auto domain = address_domain(*original.from);
        if (!domain.empty()) {
            return {normal(std::move(domain))};
        }
    }
    return {};
}

// The key is made of what the report says, taken before any redaction:
// the fields (names lower-cased, values unfolded and trimmed, sorted, so
// that their order and folding do not matter), the original's Message-ID
// and the reported domain; the text form adds the original's header fields,
// its notice being too thin to tell two reports apart. The field tables'
// fingerprint flags stay unset: the key is the fields as received, not the
// typed values. Stable across releases: changing it makes every re-sent old
// report a new row.
std::string FailureReport::fingerprint() const {
    using namespace detail::failure;
    using detail::lower;
    using detail::trim;
    const auto sorted = [](const std::vector<ArfField>& list) {
        std::vector<std::pair<std::string, std::string_view>> out;
        out.reserve(list.size());
        for (const auto& f : list) {
            out.emplace_back(lower(f.name), f.value);
        }
        std::sort(out.begin(), out.end());
        return out;
    };
    detail::FingerprintEncoder e;
    e.text(std::string_view("failure/1"));
    e.text(std::string_view(format));
    const auto keyed = sorted(fields);
    e.number(keyed.size());
    for (const auto& [name, value] : keyed) {
        e.text(std::string_view(name));
        e.text(value);
    }
    if (format == "text") {
        e.number(original.headers.size());
        for (const auto& f : original.headers) {
            e.text(std::string_view(lower(f.name)));
            e.text(std::string_view(f.value));
        }
    }
    e.text(original.message_id);
    e.text(reported_domain ? OptString(lower(trim(*reported_domain))) : std::nullopt);
    return e.take();
}

std::optional<NotStorable> FailureReport::not_storable() const {
    const std::string type = feedback_type.value_or("");
    if (type == "auth-failure") {
        return std::nullopt;
    }
    return NotStorable{"not_dmarc_failure", "ARF feedback type " +
                                                (type.empty() ? std::string("(none)") : type) +
                                                " is not a DMARC failure report"};
}

std::optional<std::string> FailureReport::private_form(Privacy privacy) const {
    if (privacy == Privacy::full) {
        return std::nullopt;
    }
    return detail::failure::private_arf(*this, privacy);
}

namespace detail {
namespace {

class FailureKind final : public Kind {
public:
    std::string_view name() const override { return "failure"; }

    void scan_message(const MimeTree& tree, const Limits& limits,
                      std::vector<MessageFinding>& out) const override {
        failure::find_reports(tree, limits, out);
    }
};

} // namespace

const Kind& failure_kind() {
    static const FailureKind k_kind;
    return k_kind;
}

} // namespace detail
} // namespace rua
