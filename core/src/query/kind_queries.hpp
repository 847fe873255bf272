// The query layer's per-kind reads: each report kind answers for its own
// tables in its folder (kinds/<kind>/store_query.cpp), so only the kinds name
// their tables. Declared here for core/src/query; pqxx stays internal.
#pragma once

#include "query/read.hpp"

#include <map>

namespace rua::query::detail {

// The published policy seen in a domain's latest DMARC report.
struct PolicySeen {
    std::optional<std::string> p;
    std::optional<std::string> sp;
    std::optional<std::int64_t> pct;
    std::optional<std::string> last_report; // date_end of the latest report
};

// DMARC aggregate reports (the aggregate kind's store_query.cpp).
std::map<std::string, PolicySeen> dmarc_policies(pqxx::transaction_base& tx,
                                                 std::optional<std::int64_t> account,
                                                 const std::vector<std::string>& domains);
Table dmarc_policy_changes(pqxx::transaction_base& tx, std::optional<std::int64_t> account,
                           const std::string& domain, int days);
Table dmarc_sources(pqxx::transaction_base& tx, std::optional<std::int64_t> account,
                    const std::string& domain, int days, const SourceFilter& filter,
                    const Page& page);
Table dmarc_reports(pqxx::transaction_base& tx, std::optional<std::int64_t> account,
                    const std::string& domain, int days, const Page& page);
std::vector<Table> dmarc_report_detail(pqxx::transaction_base& tx,
                                       std::optional<std::int64_t> account, std::int64_t id,
                                       const Page& records);
// With what enrichment found (the same kind's store_query_hosts.cpp).
Table dmarc_source_hosts(pqxx::transaction_base& tx, std::optional<std::int64_t> account,
                         const std::string& domain, int days, std::int64_t limit);
RawFile dmarc_report_raw(pqxx::transaction_base& tx, std::optional<std::int64_t> account,
                         std::int64_t id);

// SMTP TLS reports (the TLS kind's store_query.cpp).
std::vector<Table> tls_tables(pqxx::transaction_base& tx, const std::string& domain, int days);

// DMARC failure reports, redacted (the failure kind's store_query.cpp).
Table ruf_list(pqxx::transaction_base& tx, const std::string& domain, int days, const Page& page);
// The report and its domain (for the caller's visibility check); nullopt
// when there is no such report.
std::optional<std::pair<std::string, Table>> ruf_detail(pqxx::transaction_base& tx,
                                                        std::int64_t id);

} // namespace rua::query::detail
