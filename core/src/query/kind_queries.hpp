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

// A breakdown over the records themselves (store_analytics.cpp), where the
// rollup has no column for the key: each record's count spread over days
// as the rollup spreads it, summed per key over the last `days` UTC days.
// Rows: key, messages, pass, fail, total (the number of groups), most
// messages first, at most `limit` (nullopt: all).
enum class RecordKey { dkim_domain, spf_domain };
Table dmarc_record_breakdown(pqxx::transaction_base& tx, std::optional<std::int64_t> account,
                             const std::vector<std::string>& domains, int days, RecordKey key,
                             bool failing_only, std::optional<std::int64_t> limit);

// The same by provider (sql/0016's rua_source_provider of each record's
// source address, the domain of its first passing DKIM signature and of its
// first passing SPF check; NULL when nothing names one).
Table dmarc_provider_breakdown(pqxx::transaction_base& tx, std::optional<std::int64_t> account,
                               const std::vector<std::string>& domains, int days, bool failing_only,
                               std::optional<std::int64_t> limit);

// The sources of `domain` with messages failing DMARC in the window that
// its account has not approved (sql/0016's rua_source_approved, by network
// or provider), and those messages: {sources, messages}.
std::pair<std::int64_t, std::int64_t> dmarc_unapproved(pqxx::transaction_base& tx,
                                                       std::optional<std::int64_t> account,
                                                       const std::string& domain, int days);

// SMTP TLS reports (the TLS kind's store_query.cpp).
std::vector<Table> tls_tables(pqxx::transaction_base& tx, std::optional<std::int64_t> account,
                              const std::string& domain, int days);

// DMARC failure reports, redacted (the failure kind's store_query.cpp).
// `account` as for the aggregate reads: NULL for the operator; a report that
// reached another account's rua address is not shown (sql/0019).
Table ruf_list(pqxx::transaction_base& tx, std::optional<std::int64_t> account,
               const std::string& domain, int days, const Page& page);
// The report and its domain (for the caller's visibility check); nullopt
// when there is no such report or it is another account's.
std::optional<std::pair<std::string, Table>>
ruf_detail(pqxx::transaction_base& tx, std::optional<std::int64_t> account, std::int64_t id);

} // namespace rua::query::detail
