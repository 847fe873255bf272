// `ruactl summary`: every registered kind's sections for one domain, from
// its writer (kinds/<kind>/store*.cpp). Read-only; never names a kind.
#include "kinds/writer.hpp"
#include "store/admin_detail.hpp"

#include <algorithm>
#include <cctype>

namespace rua {

DomainSummary Admin::summary(std::string_view raw_domain,
                             std::optional<std::int64_t> since_seconds_ago,
                             const std::vector<std::string>& kinds) {
    DomainSummary summary;
    summary.domain.assign(raw_domain.begin(), raw_domain.end());
    std::transform(summary.domain.begin(), summary.domain.end(), summary.domain.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    while (!summary.domain.empty() && summary.domain.back() == '.') {
        summary.domain.pop_back();
    }
    return detail::in_transaction(*m_impl, [&](pqxx::work& tx) {
        if (since_seconds_ago) {
            summary.since = tx.exec_params1("SELECT extract(epoch FROM now() - $1::bigint * "
                                            "interval '1 second')::bigint",
                                            *since_seconds_ago)[0]
                                .as<std::int64_t>();
        }
        for (const auto* writer : detail::writers()) {
            if (!kinds.empty() &&
                std::find(kinds.begin(), kinds.end(), writer->name()) == kinds.end()) {
                continue;
            }
            auto tables = writer->summary(tx, summary.domain, since_seconds_ago);
            for (auto& t : tables) {
                summary.tables.push_back(std::move(t));
            }
            summary.tables.push_back(
                detail::authenticity_summary(tx, *writer, summary.domain, since_seconds_ago));
        }
        return summary;
    });
}

std::vector<std::string> Admin::kinds() {
    std::vector<std::string> out;
    for (const auto* writer : detail::writers()) {
        out.emplace_back(writer->name());
    }
    return out;
}

} // namespace rua
