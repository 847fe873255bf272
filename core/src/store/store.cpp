// Store::store: one message, one transaction. The attachment is inserted (or
// found, once per sha256) first, then its reports with ON CONFLICT DO NOTHING
// on the exactly-once key, pointing at it; records (auth results as json) go
// through one COPY; an attachment none of whose reports was stored is not
// kept. Must never build SQL from report data, never store part of a
// message, and never let a pqxx exception escape.
#include "fingerprint.hpp"
#include "pg_errors.hpp"
#include "pool.hpp"

#include <rua/errors.hpp>
#include <rua/store.hpp>

#include <pqxx/pqxx>

#include <limits>
#include <map>
#include <tuple>

namespace rua {
namespace {

// Columns mirror sql/0003_reports.sql.
constexpr const char* k_insert_report =
    "INSERT INTO aggregate_report (org_name, email, extra_contact_info, report_id, date_begin, "
    "date_end, errors, generator, domain, adkim, aspf, p, sp, np, pct, fo, testing, "
    "discovery_method, schema_flavour, xml_namespace, warnings, via, rua, file, queue_id, "
    "fingerprint, record_count, message_count, raw_report_id, raw_sha256) "
    "VALUES ($1, $2, $3, $4, to_timestamp($5::bigint), to_timestamp($6::bigint), $7::text[], $8, "
    "$9, $10, $11, $12, $13, $14, $15::integer, $16, $17, $18, $19, $20, $21::text[], $22, $23, "
    "$24, $25, sha256($26::bytea), $27::integer, $28::bigint, $29::bigint, "
    "(SELECT sha256 FROM raw_report WHERE id = $29::bigint)) "
    "ON CONFLICT (reporter, report_id, lower(domain), date_begin, date_end) DO NOTHING "
    "RETURNING id";

// The exactly-once key of an existing row. The reporter expression repeats the
// generated column aggregate_report.reporter (sql/0003_reports.sql): keep the
// two identical.
constexpr const char* k_find_report =
    "SELECT id, fingerprint = sha256($7::bytea) FROM aggregate_report "
    "WHERE reporter = lower(coalesce(nullif(btrim($1), ''), split_part($2, '@', 2), '')) "
    "AND report_id = $3 AND lower(domain) = lower($4) "
    "AND date_begin = to_timestamp($5::bigint) AND date_end = to_timestamp($6::bigint)";

// Insert-or-find an attachment before its reports, which then point at it
// as they are inserted (no UPDATE). It finds nothing when a concurrent
// transaction committed the same attachment after this statement's
// snapshot: then rua_find_raw, a new statement, sees it. The third column
// says whether this call inserted the row.
constexpr const char* k_insert_raw =
    "WITH ins AS (INSERT INTO raw_report (data, content_type, filename, format) "
    "VALUES ($1, $2, $3, $4) ON CONFLICT (sha256) DO NOTHING RETURNING id) "
    "SELECT id, true FROM ins "
    "UNION ALL SELECT id, false FROM raw_report WHERE sha256 = sha256($1::bytea) LIMIT 1";
constexpr const char* k_find_raw = "SELECT id, false FROM raw_report WHERE sha256 = sha256($1)";
// An attachment this transaction inserted but none of whose reports was
// stored (all duplicates sent in new bytes) is not kept.
constexpr const char* k_drop_raw = "DELETE FROM raw_report WHERE id = $1";

const char* opt(const OptString& value) {
    return value ? value->c_str() : nullptr;
}

// PostgreSQL cannot hold a NUL byte in text; libpq would silently cut the
// value there. The report is refused rather than stored altered.
void check_text(const char* field, const std::string& value) {
    if (value.find('\0') != std::string::npos) {
        throw BadInput(std::string("database refused the report: NUL byte in ") + field);
    }
}
void check_text(const char* field, const OptString& value) {
    if (value) {
        check_text(field, *value);
    }
}

void check_report(const Report& report) {
    check_text("org_name", report.org_name);
    check_text("email", report.email);
    check_text("extra_contact_info", report.extra_contact_info);
    check_text("report_id", report.report_id);
    check_text("generator", report.generator);
    check_text("xml_namespace", report.xml_namespace);
    for (const auto& text : report.errors) {
        check_text("error", text);
    }
    for (const auto& text : report.warnings) {
        check_text("warning", text);
    }
    const auto& p = report.policy;
    check_text("domain", p.domain);
    for (const auto* field :
         {&p.adkim, &p.aspf, &p.p, &p.sp, &p.np, &p.fo, &p.testing, &p.discovery_method}) {
        check_text("policy_published", *field);
    }
    for (const auto& r : report.records) {
        for (const auto* field :
             {&r.disposition, &r.dkim, &r.spf, &r.header_from, &r.envelope_from, &r.envelope_to}) {
            check_text("record", *field);
        }
        for (const auto& reason : r.reasons) {
            check_text("reason", reason.type);
            check_text("reason", reason.comment);
        }
        for (const auto& a : r.auth_dkim) {
            check_text("auth_results/dkim", a.domain);
            check_text("auth_results/dkim", a.selector);
            check_text("auth_results/dkim", a.result);
            check_text("auth_results/dkim", a.human_result);
        }
        for (const auto& a : r.auth_spf) {
            check_text("auth_results/spf", a.domain);
            check_text("auth_results/spf", a.scope);
            check_text("auth_results/spf", a.result);
            check_text("auth_results/spf", a.human_result);
        }
    }
}

// A text[] literal: every element double-quoted, \ and " escaped.
std::string array_literal(const std::vector<std::string>& items) {
    std::string out = "{";
    for (const auto& item : items) {
        if (out.size() > 1) {
            out.push_back(',');
        }
        out.push_back('"');
        for (char c : item) {
            if (c == '"' || c == '\\') {
                out.push_back('\\');
            }
            out.push_back(c);
        }
        out.push_back('"');
    }
    out.push_back('}');
    return out;
}

// The sum of the record counts as decimal text: the database, not this code,
// decides whether it fits in a bigint (it refuses with 22003 otherwise).
std::string message_count_text(const Report& report) {
    std::uint64_t sum = 0;
    for (const auto& r : report.records) {
        if (r.count > std::numeric_limits<std::uint64_t>::max() - sum) {
            throw BadInput("database refused the report: message count exceeds 2^64");
        }
        sum += r.count;
    }
    return std::to_string(sum);
}

struct Pending {
    const Report* report;
    std::int64_t id;
};

// A JSON string (or null) for the json lists. Bytes pass through unchanged,
// so text PostgreSQL cannot accept (invalid UTF-8) is refused, as it is in
// the text columns, rather than silently altered.
void json_text(std::string& out, const std::string& value) {
    out.push_back('"');
    for (char c : value) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out.push_back('\\');
            out.push_back(c);
        } else if (u < 0x20) {
            static constexpr char k_hex[] = "0123456789abcdef";
            out += "\\u00";
            out.push_back(k_hex[u >> 4]);
            out.push_back(k_hex[u & 0xf]);
        } else {
            out.push_back(c);
        }
    }
    out.push_back('"');
}
void json_text(std::string& out, const OptString& value) {
    if (value) {
        json_text(out, *value);
    } else {
        out += "null";
    }
}

// [{"k1": v1, "k2": v2, ...}, ...] for a list of auth results or reasons.
template <typename Item, typename Fields>
std::string json_list(const std::vector<Item>& items, Fields fields) {
    std::string out = "[";
    for (const auto& item : items) {
        if (out.size() > 1) {
            out.push_back(',');
        }
        out.push_back('{');
        fields(out, item);
        out.push_back('}');
    }
    out.push_back(']');
    return out;
}

std::string reasons_json(const Record& r) {
    return json_list(r.reasons, [](std::string& out, const Reason& reason) {
        out += "\"type\":";
        json_text(out, reason.type);
        out += ",\"comment\":";
        json_text(out, reason.comment);
    });
}

std::string dkim_json(const Record& r) {
    return json_list(r.auth_dkim, [](std::string& out, const DkimAuth& a) {
        out += "\"domain\":";
        json_text(out, a.domain);
        out += ",\"selector\":";
        json_text(out, a.selector);
        out += ",\"result\":";
        json_text(out, a.result);
        out += ",\"human_result\":";
        json_text(out, a.human_result);
    });
}

std::string spf_json(const Record& r) {
    return json_list(r.auth_spf, [](std::string& out, const SpfAuth& a) {
        out += "\"domain\":";
        json_text(out, a.domain);
        out += ",\"scope\":";
        json_text(out, a.scope);
        out += ",\"result\":";
        json_text(out, a.result);
        out += ",\"human_result\":";
        json_text(out, a.human_result);
    });
}

// Every record of every report stored by this message, in one COPY.
void copy_records(pqxx::work& tx, const std::vector<Pending>& stored) {
    pqxx::stream_to records(tx, "aggregate_record",
                            std::vector<std::string>{"report_id", "ordinal", "source_ip", "count",
                                                     "disposition", "dkim", "spf", "header_from",
                                                     "envelope_from", "envelope_to", "dmarc_pass",
                                                     "reasons", "auth_dkim", "auth_spf"});
    for (const auto& s : stored) {
        std::size_t ordinal = 0;
        for (const auto& r : s.report->records) {
            records << std::make_tuple(s.id, ordinal++, r.source_ip.text(), r.count,
                                       opt(r.disposition), opt(r.dkim), opt(r.spf),
                                       opt(r.header_from), opt(r.envelope_from), opt(r.envelope_to),
                                       r.dmarc_pass(), reasons_json(r), dkim_json(r), spf_json(r));
        }
    }
    records.complete();
}

// The raw_report row of one attachment, kept or found.
struct RawRow {
    std::int64_t id = 0;
    bool inserted = false; // by this transaction
    bool used = false;     // by a report stored in this transaction
};

RawRow put_raw(pqxx::work& tx, const Attachment& a) {
    const pqxx::binarystring data(a.bytes.data(), a.bytes.size());
    auto rows =
        tx.exec_prepared("rua_insert_raw", data, opt(a.content_type), opt(a.filename), a.format);
    if (rows.empty()) {
        rows = tx.exec_prepared("rua_find_raw", data);
    }
    if (rows.empty()) {
        throw TryLater("raw attachment vanished while storing");
    }
    return RawRow{rows[0][0].as<std::int64_t>(), rows[0][1].as<bool>(), false};
}

void prepare(pqxx::connection& conn) {
    // pqxx accepts a repeated, identical definition: this is cheap after the first call.
    conn.prepare("rua_insert_report", k_insert_report);
    conn.prepare("rua_find_report", k_find_report);
    conn.prepare("rua_insert_raw", k_insert_raw);
    conn.prepare("rua_find_raw", k_find_raw);
    conn.prepare("rua_drop_raw", k_drop_raw);
}

MessageOutcome store_in(pqxx::connection& conn, const IngestResult& result, const Arrival& arrival,
                        const std::vector<std::string>& fingerprints,
                        const std::vector<std::string>& message_counts) {
    prepare(conn);
    pqxx::work tx(conn);
    MessageOutcome outcome;
    std::vector<Pending> stored;
    std::map<std::size_t, RawRow> raws; // by attachment index
    for (std::size_t i = 0; i < result.reports.size(); ++i) {
        const Report& r = result.reports[i];
        const auto& p = r.policy;
        RawRow* raw = nullptr;
        if (r.attachment < result.attachments.size()) {
            auto found = raws.find(r.attachment);
            if (found == raws.end()) {
                found =
                    raws.emplace(r.attachment, put_raw(tx, result.attachments[r.attachment])).first;
            }
            raw = &found->second;
        }
        const std::string raw_id = raw != nullptr ? std::to_string(raw->id) : std::string();
        const pqxx::binarystring fingerprint(fingerprints[i].data(), fingerprints[i].size());
        const std::string pct = p.pct ? std::to_string(*p.pct) : std::string();
        const auto rows = tx.exec_prepared(
            "rua_insert_report", opt(r.org_name), opt(r.email), opt(r.extra_contact_info),
            r.report_id, r.begin, r.end, array_literal(r.errors), opt(r.generator), p.domain,
            opt(p.adkim), opt(p.aspf), opt(p.p), opt(p.sp), opt(p.np),
            p.pct ? pct.c_str() : nullptr, opt(p.fo), opt(p.testing), opt(p.discovery_method),
            r.schema, opt(r.xml_namespace), array_literal(r.warnings), arrival.via,
            opt(arrival.rua), opt(arrival.file), opt(arrival.queue_id), fingerprint,
            r.records.size(), message_counts[i], raw != nullptr ? raw_id.c_str() : nullptr);
        if (!rows.empty()) {
            if (raw != nullptr) {
                raw->used = true;
            }
            const auto id = rows[0][0].as<std::int64_t>();
            outcome.reports.push_back(StoredReport{ReportOutcome::stored, id});
            stored.push_back(Pending{&r, id});
            outcome.records_stored += r.records.size();
            continue;
        }
        // The key exists (maybe stored a moment ago by a concurrent ingester,
        // whose commit ON CONFLICT waited for): duplicate or conflict.
        const auto existing = tx.exec_prepared("rua_find_report", opt(r.org_name), opt(r.email),
                                               r.report_id, p.domain, r.begin, r.end, fingerprint);
        if (existing.empty()) {
            throw TryLater("report key conflict but no stored report found (deleted meanwhile?)");
        }
        outcome.reports.push_back(StoredReport{existing[0][1].as<bool>() ? ReportOutcome::duplicate
                                                                         : ReportOutcome::conflict,
                                               existing[0][0].as<std::int64_t>()});
    }
    if (!stored.empty()) {
        copy_records(tx, stored);
    }
    for (const auto& [index, raw] : raws) {
        if (raw.inserted && !raw.used) {
            tx.exec_prepared("rua_drop_raw", raw.id);
        }
    }
    tx.commit();
    return outcome;
}

} // namespace

const char* to_string(ReportOutcome outcome) {
    switch (outcome) {
    case ReportOutcome::stored:
        return "stored";
    case ReportOutcome::duplicate:
        return "duplicate";
    case ReportOutcome::conflict:
        return "conflict";
    }
    return "?";
}

std::size_t MessageOutcome::stored() const {
    std::size_t n = 0;
    for (const auto& r : reports) {
        n += r.outcome == ReportOutcome::stored ? 1 : 0;
    }
    return n;
}

std::size_t MessageOutcome::duplicates() const {
    return reports.size() - stored();
}

MessageOutcome Store::store(const IngestResult& result, const Arrival& arrival) {
    std::vector<std::string> fingerprints;
    std::vector<std::string> message_counts;
    for (const auto& report : result.reports) {
        check_report(report);
        fingerprints.push_back(fingerprint_bytes(report));
        message_counts.push_back(message_count_text(report));
    }
    check_text("rua", arrival.rua);
    check_text("file", arrival.file);
    check_text("queue_id", arrival.queue_id);
    if (result.reports.empty()) {
        return MessageOutcome{};
    }
    return with_connection(m_pool, [&](pqxx::connection& conn) {
        return store_in(conn, result, arrival, fingerprints, message_counts);
    });
}

} // namespace rua
