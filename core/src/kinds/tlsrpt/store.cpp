// The store half of the SMTP TLS report kind: one tlsrpt_report row per
// report (ON CONFLICT DO NOTHING on (organization_name, report_id)), then
// the policies and failure details of the message's stored reports. Every
// column list comes from the field tables (fields.cpp), the same ones the
// JSON form and the fingerprint walk. Must never build SQL from report data.
#include "kinds/kinds.hpp"
#include "kinds/store_copy.hpp"
#include "kinds/tlsrpt/fields.hpp"
#include "kinds/tlsrpt/store_summary.hpp"
#include "kinds/writer.hpp"

#include <rua/errors.hpp>
#include <rua/json.hpp>
#include <rua/kinds/tlsrpt.hpp>

#include <functional>
#include <limits>
#include <string>
#include <vector>

namespace rua::detail {
namespace {

using tlsrpt::failure_fields;
using tlsrpt::policy_fields;
using tlsrpt::report_fields;

// How the report reached us: the arrival columns, after the report's own.
Field<Arrival> arrival_field(const char* column, std::function<FieldValue(const Arrival&)> get) {
    Field<Arrival> f;
    f.column = column;
    f.get = std::move(get);
    return f;
}

const Fields<Arrival>& arrival_fields() {
    static const Fields<Arrival> k_fields = {
        arrival_field("via", [](const Arrival& a) { return FieldValue(std::string_view(a.via)); }),
        arrival_field("rua", [](const Arrival& a) { return opt_value(a.rua); }),
        arrival_field("file", [](const Arrival& a) { return opt_value(a.file); }),
        arrival_field("queue_id", [](const Arrival& a) { return opt_value(a.queue_id); }),
    };
    return k_fields;
}

// $1.. the report's columns, then the arrival's, then raw_report_id and
// the fingerprint bytes. Built once from the tables.
const std::string& insert_report_sql() {
    static const std::string k_sql = [] {
        int n = 1;
        const std::string report = param_list(report_fields(), n);
        const std::string arrival = param_list(arrival_fields(), n);
        const std::string raw = "$" + std::to_string(n) + "::bigint";
        return "INSERT INTO tlsrpt_report (" + column_list(report_fields()) + ", " +
               column_list(arrival_fields()) +
               ", raw_report_id, raw_sha256, fingerprint) VALUES (" + report + ", " + arrival +
               ", " + raw + ", (SELECT sha256 FROM raw_report WHERE id = " + raw + "), sha256($" +
               std::to_string(n + 1) +
               "::bytea)) ON CONFLICT (organization_name, report_id) DO NOTHING RETURNING id";
    }();
    return k_sql;
}

constexpr const char* k_find_report =
    "SELECT id, fingerprint = sha256($3::bytea) FROM tlsrpt_report "
    "WHERE organization_name = $1 AND report_id = $2";

struct Pending {
    const TlsReport* report;
    std::int64_t id;
};

// COPY, not multi-row INSERTs: one streamed statement per table and message
// whatever the report's size (a report may carry up to max_failure_details
// rows, far past the 65,535 parameters one INSERT can take), as aggregate
// records do. Policies first: the failure details' foreign key needs them.
std::vector<std::string> copy_columns(std::vector<std::string> keys,
                                      std::vector<std::string> fields) {
    for (auto& column : fields) {
        keys.push_back(std::move(column));
    }
    return keys;
}

void copy_policies(pqxx::work& tx, const std::vector<Pending>& stored) {
    CopyRows rows(tx, "tlsrpt_policy",
                  copy_columns({"report_id", "ordinal"}, column_names(policy_fields())));
    for (const auto& s : stored) {
        for (std::size_t i = 0; i < s.report->policies.size(); ++i) {
            rows.number(static_cast<std::uint64_t>(s.id)).number(i);
            rows.fields(policy_fields(), s.report->policies[i]).end_row();
        }
    }
    rows.complete();
}

void copy_failures(pqxx::work& tx, const std::vector<Pending>& stored) {
    CopyRows rows(
        tx, "tlsrpt_failure",
        copy_columns({"report_id", "policy_ordinal", "ordinal"}, column_names(failure_fields())));
    for (const auto& s : stored) {
        for (std::size_t i = 0; i < s.report->policies.size(); ++i) {
            const auto& failures = s.report->policies[i].failure_details;
            for (std::size_t j = 0; j < failures.size(); ++j) {
                rows.number(static_cast<std::uint64_t>(s.id)).number(i).number(j);
                rows.fields(failure_fields(), failures[j]).end_row();
            }
        }
    }
    rows.complete();
}

class TlsBatch final : public WriteBatch {
public:
    explicit TlsBatch(pqxx::work& tx) : m_tx(tx) {}

    StoredReport add(const Report& any, std::optional<std::int64_t> raw_id, const Arrival& arrival,
                     Privacy /*privacy*/) override {
        const auto& r = report_as<TlsReport>(any);
        const std::string fingerprint_bytes = r.fingerprint();
        const pqxx::binarystring fingerprint(fingerprint_bytes.data(), fingerprint_bytes.size());
        std::vector<OptString> texts;
        param_fields(texts, report_fields(), r);
        param_fields(texts, arrival_fields(), arrival);
        texts.push_back(raw_id ? OptString(std::to_string(*raw_id)) : std::nullopt);
        const std::vector<const char*> params = text_pointers(texts);
        const auto rows = m_tx.exec_prepared(
            "tlsrpt_insert_report", pqxx::prepare::make_dynamic_params(params), fingerprint);
        const StoredReport outcome = insert_outcome(rows, [&] {
            return m_tx.exec_prepared("tlsrpt_find_report", r.organization_name, r.report_id,
                                      fingerprint);
        });
        if (outcome.outcome == ReportOutcome::stored) {
            m_stored.push_back(Pending{&r, outcome.id});
        }
        return outcome;
    }

    void finish() override {
        if (m_stored.empty()) {
            return;
        }
        copy_policies(m_tx, m_stored);
        copy_failures(m_tx, m_stored);
    }

private:
    pqxx::work& m_tx;
    std::vector<Pending> m_stored;
};

void check_bigint(const char* column, std::uint64_t value) {
    if (value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        throw BadInput(std::string("database refused the report: ") + column + " exceeds bigint");
    }
}

class TlsWriter final : public Writer {
public:
    std::string_view name() const override { return "tlsrpt"; }

    void check(const Report& any) const override {
        const auto& report = report_as<TlsReport>(any);
        check_fields(report_fields(), report);
        for (const auto& policy : report.policies) {
            check_fields(policy_fields(), policy);
            check_bigint("successful", policy.successful);
            check_bigint("failed", policy.failed);
            for (const auto& failure : policy.failure_details) {
                check_fields(failure_fields(), failure);
                check_bigint("failed_session_count", failure.failed_session_count);
            }
        }
    }

    void prepare(pqxx::connection& conn) const override {
        // pqxx accepts a repeated, identical definition: cheap after the first call.
        conn.prepare("tlsrpt_insert_report", insert_report_sql());
        conn.prepare("tlsrpt_find_report", k_find_report);
    }

    std::string conflict_key(const Report& any) const override {
        const auto& r = report_as<TlsReport>(any);
        return "{\"organization_name\":" + json_quote(r.organization_name) +
               ",\"report_id\":" + json_quote(r.report_id) + "}";
    }

    std::unique_ptr<WriteBatch> begin(pqxx::work& tx) const override {
        return std::make_unique<TlsBatch>(tx);
    }

    std::vector<SummaryTable> summary(pqxx::work& tx, const std::string& domain,
                                      std::optional<std::int64_t> since) const override {
        return tlsrpt::summary(tx, domain, since);
    }

    // Messages are sessions, of the policies for the domain.
    std::string authenticity_sql() const override {
        return "SELECT r.authenticity, count(DISTINCT r.id), "
               "sum(p.successful + p.failed)::numeric "
               "FROM tlsrpt_report r JOIN tlsrpt_policy p ON p.report_id = r.id "
               "WHERE lower(p.policy_domain) = $1 AND ($2::bigint IS NULL OR "
               "r.date_end >= now() - $2::bigint * interval '1 second') GROUP BY 1";
    }
};

} // namespace

const Writer& tlsrpt_writer() {
    static const TlsWriter k_writer;
    return k_writer;
}

} // namespace rua::detail
