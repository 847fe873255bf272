// The enrichment worker (rua::Enricher): queues the source addresses of
// newly stored reports (sql/0020), takes addresses off source_queue
// with FOR UPDATE SKIP LOCKED, resolves them (resolver.cpp), adds the base
// domain (psl) and the MMDB's ASN and country (geo.cpp), and upserts
// source_host, deleting the queue rows in the same transaction. The
// provider of a confirmed PTR comes from provider_map in SQL
// (rua_provider_row, sql/0016), the one place that rule lives.
#include "enrich/geo.hpp"
#include "enrich/resolver.hpp"
#include "store/admin_detail.hpp"

#include <rua/enrich.hpp>
#include <rua/errors.hpp>
#include <rua/json.hpp>
#include <rua/psl.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

namespace rua {

struct Enricher::Impl {
    EnrichSettings settings;
    std::function<void(std::string_view)> log;
    Admin::Impl admin;
    std::unique_ptr<detail::Resolver> resolver;
    std::unique_ptr<detail::GeoDb> geo;
};

namespace {

// Stored reports waiting to have their source addresses queued (sql/0020),
// expanded in a transaction of their own before the round takes addresses.
constexpr const char* k_expand = "SELECT rua_expand_source_pending($1)";

constexpr const char* k_take =
    "SELECT host(ip) FROM source_queue ORDER BY queued_at, ip LIMIT $1 FOR UPDATE SKIP LOCKED";

// The round's rows in one statement (a JSON array of objects); the provider
// only for a confirmed PTR (anyone can put any name in the reverse zone of
// their own addresses).
constexpr const char* k_upsert =
    "INSERT INTO source_host AS h (ip, ptr, ptr_confirmed, base_domain, asn, as_name, country, "
    "provider, provider_type, status, resolved_at, expires_at) "
    "SELECT x.ip, x.ptr, CASE WHEN x.ptr IS NOT NULL THEN x.confirmed END, x.base, x.asn, "
    "x.as_name, x.country, p.provider, p.provider_type, x.status, now(), "
    "now() + make_interval(secs => x.ttl) "
    "FROM json_to_recordset($1::json) AS x(ip inet, ptr text, confirmed boolean, base text, "
    "asn bigint, as_name text, country text, status text, ttl bigint) "
    "LEFT JOIN LATERAL rua_provider_row('ptr', CASE WHEN x.confirmed THEN x.ptr END) p ON true "
    "ON CONFLICT (ip) DO UPDATE SET ptr = EXCLUDED.ptr, ptr_confirmed = EXCLUDED.ptr_confirmed, "
    "base_domain = EXCLUDED.base_domain, asn = EXCLUDED.asn, as_name = EXCLUDED.as_name, "
    "country = EXCLUDED.country, provider = EXCLUDED.provider, "
    "provider_type = EXCLUDED.provider_type, status = EXCLUDED.status, "
    "resolved_at = EXCLUDED.resolved_at, expires_at = EXCLUDED.expires_at";

constexpr const char* k_dequeue = "DELETE FROM source_queue WHERE ip = ANY ($1::inet[])";

std::string json_text(const std::optional<std::string>& value) {
    return value ? json_quote(*value) : std::string("null");
}

// One host as a JSON object of k_upsert's recordset.
void host_json(std::string& out, const SourceHost& h) {
    out += out.empty() ? "[" : ",";
    out += fmt::format("{{\"ip\":{},\"ptr\":{},\"confirmed\":{},\"base\":{},\"asn\":{},"
                       "\"as_name\":{},\"country\":{},\"status\":{},\"ttl\":{}}}",
                       json_quote(h.ip), json_text(h.ptr), h.ptr_confirmed ? "true" : "false",
                       json_text(h.base_domain), h.asn ? std::to_string(*h.asn) : "null",
                       json_text(h.as_name), json_text(h.country), json_quote(h.status), h.ttl);
}

} // namespace

Enricher::Enricher(ConnectionPool& pool, EnrichSettings settings,
                   std::function<void(std::string_view)> log)
    : m_impl(std::make_unique<Impl>()) {
    m_impl->settings = std::move(settings);
    m_impl->log = log ? std::move(log) : [](std::string_view) {};
    m_impl->admin.conninfo = pool.conninfo();
    m_impl->resolver = std::make_unique<detail::Resolver>(m_impl->settings);
    if (m_impl->settings.mmdb.empty()) {
        m_impl->log("enrich: no MMDB file given (--mmdb): ASN, AS name and country are off");
    } else {
        m_impl->geo = std::make_unique<detail::GeoDb>(m_impl->settings.mmdb);
    }
}

Enricher::~Enricher() = default;

std::vector<SourceHost> Enricher::resolve(const std::vector<std::string>& texts) {
    const EnrichSettings& s = m_impl->settings;
    std::vector<SourceHost> hosts;
    std::vector<IpAddress> ips;
    for (const auto& text : texts) {
        if (auto ip = IpAddress::parse(text)) {
            ips.push_back(*ip);
            SourceHost host;
            host.ip = ip->text();
            hosts.push_back(std::move(host));
        }
    }
    std::size_t queries = 0;
    const auto answers = m_impl->resolver->reverse(ips, queries);
    for (std::size_t i = 0; i < hosts.size(); ++i) {
        SourceHost& h = hosts[i];
        const auto& a = answers[i];
        h.status = a.status;
        h.ptr = a.ptr;
        h.ptr_confirmed = a.confirmed;
        if (h.ptr) {
            h.base_domain = registrable_domain(*h.ptr);
        }
        if (a.status == "ok" || a.status == "nxdomain") {
            h.ttl = std::clamp(a.ttl, s.min_ttl, s.max_ttl);
        } else {
            h.ttl = s.failure_ttl;
        }
        if (m_impl->geo) {
            const auto geo = m_impl->geo->lookup(h.ip);
            h.asn = geo.asn;
            h.as_name = geo.as_name;
            h.country = geo.country;
        }
    }
    m_last_queries = queries;
    return hosts;
}

EnrichStats Enricher::run_once() {
    const auto started = std::chrono::steady_clock::now();
    EnrichStats stats;
    detail::in_transaction(m_impl->admin, [&](pqxx::work& tx) {
        stats.reports = tx.exec_params1(k_expand, static_cast<int>(m_impl->settings.batch))[0]
                            .as<std::size_t>();
    });
    detail::in_transaction(m_impl->admin, [&](pqxx::work& tx) {
        std::vector<std::string> taken;
        for (const auto& row : tx.exec_params(k_take, m_impl->settings.batch)) {
            taken.push_back(row[0].as<std::string>());
        }
        stats.taken = taken.size();
        if (taken.empty()) {
            return;
        }
        const auto hosts = resolve(taken);
        stats.queries = m_last_queries;
        std::string rows;
        for (const auto& h : hosts) {
            host_json(rows, h);
            stats.ok += h.status == "ok" ? 1 : 0;
            stats.confirmed += h.ptr_confirmed ? 1 : 0;
            stats.nxdomain += h.status == "nxdomain" ? 1 : 0;
            stats.servfail += h.status == "servfail" ? 1 : 0;
            stats.timeout += h.status == "timeout" ? 1 : 0;
            stats.with_asn += h.asn ? 1 : 0;
        }
        if (!rows.empty()) {
            tx.exec_params(k_upsert, rows + "]");
        }
        // Every taken row goes, also one that did not parse (never again).
        std::string ips = "{";
        for (const auto& ip : taken) {
            ips += (ips.size() > 1 ? "," : "") + ip;
        }
        tx.exec_params(k_dequeue, ips + "}");
    });
    stats.ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now() - started)
                   .count();
    if (stats.taken > 0 || stats.reports > 0) {
        m_impl->log(
            fmt::format("enrich: reports={} taken={} ok={} confirmed={} nxdomain={} servfail={} "
                        "timeout={} asn={} queries={} ms={}",
                        stats.reports, stats.taken, stats.ok, stats.confirmed, stats.nxdomain,
                        stats.servfail, stats.timeout, stats.with_asn, stats.queries, stats.ms));
    }
    return stats;
}

} // namespace rua
