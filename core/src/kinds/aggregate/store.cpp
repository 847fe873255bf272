// The store half of the DMARC aggregate kind: one aggregate_report row per
// report (ON CONFLICT DO NOTHING on its exactly-once key), then every record
// of the message's stored reports through one COPY. Columns mirror
// sql/0003_reports.sql. Must never build SQL from report data.
#include "kinds/aggregate/fingerprint.hpp"
#include "kinds/kinds.hpp"
#include "kinds/writer.hpp"
#include "store/pg_errors.hpp"

#include <rua/errors.hpp>
#include <rua/kinds/aggregate.hpp>

#include <limits>
#include <tuple>

namespace rua::detail {

// store_summary.cpp
std::vector<SummaryTable> aggregate_summary(pqxx::work& tx, const std::string& domain,
                                            std::optional<std::int64_t> since);

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

void check_report(const AggregateReport& report) {
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
std::string message_count_text(const AggregateReport& report) {
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
    const AggregateReport* report;
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

class AggregateBatch final : public WriteBatch {
public:
    explicit AggregateBatch(pqxx::work& tx) : m_tx(tx) {}

    StoredReport add(const Report& any, std::optional<std::int64_t> raw_id,
                     const Arrival& arrival, Privacy /*privacy*/) override {
        const auto& r = report_as<AggregateReport>(any);
        const auto& p = r.policy;
        const std::string fingerprint_text = r.fingerprint();
        const pqxx::binarystring fingerprint(fingerprint_text.data(), fingerprint_text.size());
        const std::string pct = p.pct ? std::to_string(*p.pct) : std::string();
        const std::string raw_text = raw_id ? std::to_string(*raw_id) : std::string();
        const auto rows = m_tx.exec_prepared(
            "rua_insert_report", opt(r.org_name), opt(r.email), opt(r.extra_contact_info),
            r.report_id, r.begin, r.end, array_literal(r.errors), opt(r.generator), p.domain,
            opt(p.adkim), opt(p.aspf), opt(p.p), opt(p.sp), opt(p.np),
            p.pct ? pct.c_str() : nullptr, opt(p.fo), opt(p.testing), opt(p.discovery_method),
            r.schema, opt(r.xml_namespace), array_literal(r.warnings), arrival.via,
            opt(arrival.rua), opt(arrival.file), opt(arrival.queue_id), fingerprint,
            r.records.size(), message_count_text(r), raw_id ? raw_text.c_str() : nullptr);
        if (!rows.empty()) {
            const auto id = rows[0][0].as<std::int64_t>();
            m_stored.push_back(Pending{&r, id});
            return StoredReport{ReportOutcome::stored, id};
        }
        // The key exists (maybe stored a moment ago by a concurrent ingester,
        // whose commit ON CONFLICT waited for): duplicate or conflict.
        const auto existing = m_tx.exec_prepared("rua_find_report", opt(r.org_name), opt(r.email),
                                                 r.report_id, p.domain, r.begin, r.end, fingerprint);
        if (existing.empty()) {
            throw TryLater("report key conflict but no stored report found (deleted meanwhile?)");
        }
        return StoredReport{existing[0][1].as<bool>() ? ReportOutcome::duplicate
                                                      : ReportOutcome::conflict,
                            existing[0][0].as<std::int64_t>()};
    }

    void finish() override {
        if (!m_stored.empty()) {
            copy_records(m_tx, m_stored);
        }
    }

private:
    pqxx::work& m_tx;
    std::vector<Pending> m_stored;
};

class AggregateWriter final : public Writer {
public:
    std::string_view name() const override { return "aggregate"; }

    void check(const Report& any) const override {
        const auto& report = report_as<AggregateReport>(any);
        check_report(report);
        (void)message_count_text(report);
    }

    void prepare(pqxx::connection& conn) const override {
        // pqxx accepts a repeated, identical definition: cheap after the first call.
        conn.prepare("rua_insert_report", k_insert_report);
        conn.prepare("rua_find_report", k_find_report);
    }

    std::unique_ptr<WriteBatch> begin(pqxx::work& tx) const override {
        return std::make_unique<AggregateBatch>(tx);
    }

    std::vector<SummaryTable> summary(pqxx::work& tx, const std::string& domain,
                                      std::optional<std::int64_t> since) const override {
        return aggregate_summary(tx, domain, since);
    }
};

} // namespace

const Writer& aggregate_writer() {
    static const AggregateWriter k_writer;
    return k_writer;
}

} // namespace rua::detail
