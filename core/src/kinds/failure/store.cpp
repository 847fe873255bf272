// The store half of the DMARC failure kind: one failure_report row per
// report, holding what the Privacy setting keeps (redact.cpp), inserted with
// ON CONFLICT (fingerprint) DO NOTHING so that a report is stored exactly
// once; an existing row is always a duplicate (the key is the content).
// The column list is the field tables' (table.cpp) plus the writer's own
// columns below. Must never build SQL from report data.
#include "kinds/failure/redact.hpp"
#include "kinds/failure/table.hpp"
#include "kinds/kinds.hpp"
#include "kinds/writer.hpp"
#include "text.hpp"

#include <rua/errors.hpp>
#include <rua/kinds/failure.hpp>

#include <fmt/format.h>

#include <array>

namespace rua::detail {

// store_summary.cpp
std::vector<SummaryTable> failure_summary(pqxx::work& tx, const std::string& domain,
                                          std::optional<std::int64_t> since);

namespace {

// The writer's own columns, after the field tables', with their value
// expressions ({} is the parameter).
struct OwnColumn {
    const char* column;
    const char* sql_param;
};
constexpr std::array<OwnColumn, 8> k_own_columns = {{{"original_body", "{}::bytea"},
                                                     {"privacy", "{}"},
                                                     {"via", "{}"},
                                                     {"rua", "{}"},
                                                     {"file", "{}"},
                                                     {"queue_id", "{}"},
                                                     {"raw_report_id", "{}::bigint"},
                                                     {"fingerprint", "sha256({}::bytea)"}}};

std::string insert_sql() {
    std::string columns =
        column_list(failure::report_fields()) + ", " + column_list(failure::original_fields());
    int n = 1;
    // Two statements: the numbering must follow the column order.
    std::string values = param_list(failure::report_fields(), n);
    values += ", " + param_list(failure::original_fields(), n);
    for (const auto& own : k_own_columns) {
        columns += std::string(", ") + own.column;
        std::string expr = own.sql_param;
        expr.replace(expr.find("{}"), 2, "$" + std::to_string(n++));
        values += ", " + expr;
    }
    // A stored report that names its source is queued for enrichment in
    // the same statement (sql/0020).
    return fmt::format("WITH ins AS (INSERT INTO failure_report ({}) VALUES ({}) "
                       "ON CONFLICT (fingerprint) DO NOTHING RETURNING id, source_ip), "
                       "queued AS (INSERT INTO source_pending (kind, report_id) "
                       "SELECT 'failure', id FROM ins WHERE source_ip IS NOT NULL) "
                       "SELECT id FROM ins",
                       columns, values);
}

constexpr const char* k_find =
    "SELECT id FROM failure_report WHERE fingerprint = sha256($1::bytea)";

// Bytes as bytea's hex input form.
std::string bytea_text(std::string_view bytes) {
    return "\\x" + hex(bytes);
}

class FailureBatch final : public WriteBatch {
public:
    explicit FailureBatch(pqxx::work& tx) : m_tx(tx) {}

    StoredReport add(const Report& any, std::optional<std::int64_t> raw_id, const Arrival& arrival,
                     Privacy privacy) override {
        const auto& report = report_as<FailureReport>(any);
        const std::string key = bytea_text(report.fingerprint());
        const FailureReport kept = failure::kept_form(report, privacy);
        std::vector<OptString> values;
        param_fields(values, failure::report_fields(), kept);
        param_fields(values, failure::original_fields(), kept.original);
        const bool with_body = privacy == Privacy::full && !kept.original.headers_only;
        values.push_back(with_body ? OptString(bytea_text(kept.original.body)) : std::nullopt);
        values.emplace_back(to_string(privacy));
        values.emplace_back(arrival.via);
        values.push_back(arrival.rua);
        values.push_back(arrival.file);
        values.push_back(arrival.queue_id);
        values.push_back(raw_id ? OptString(std::to_string(*raw_id)) : std::nullopt);
        values.emplace_back(key);
        std::vector<const char*> pointers;
        pointers.reserve(values.size());
        for (const auto& value : values) {
            pointers.push_back(value ? value->c_str() : nullptr);
        }
        const auto rows =
            m_tx.exec_prepared("rua_failure_insert", pqxx::prepare::make_dynamic_params(pointers));
        if (!rows.empty()) {
            return StoredReport{ReportOutcome::stored, rows[0][0].as<std::int64_t>()};
        }
        // The content is there already (maybe committed a moment ago by a
        // concurrent ingester, whose commit ON CONFLICT waited for).
        const auto existing = m_tx.exec_prepared("rua_failure_find", key);
        if (existing.empty()) {
            throw TryLater("failure report key conflict but no stored report found");
        }
        return StoredReport{ReportOutcome::duplicate, existing[0][0].as<std::int64_t>()};
    }

    void finish() override {}

private:
    pqxx::work& m_tx;
};

class FailureWriter final : public Writer {
public:
    std::string_view name() const override { return "failure"; }

    void check(const Report& any) const override {
        const auto& report = report_as<FailureReport>(any);
        check_fields(failure::report_fields(), report);
        check_fields(failure::original_fields(), report.original);
    }

    void prepare(pqxx::connection& conn) const override {
        static const std::string k_insert = insert_sql();
        conn.prepare("rua_failure_insert", k_insert);
        conn.prepare("rua_failure_find", k_find);
    }

    std::unique_ptr<WriteBatch> begin(pqxx::work& tx) const override {
        return std::make_unique<FailureBatch>(tx);
    }

    std::vector<SummaryTable> summary(pqxx::work& tx, const std::string& domain,
                                      std::optional<std::int64_t> since) const override {
        return failure_summary(tx, domain, since);
    }

    // One message per report.
    std::string authenticity_sql() const override {
        return "SELECT r.authenticity, count(*), count(*) FROM failure_report r "
               "WHERE r.domain = $1 AND ($2::bigint IS NULL OR "
               "coalesce(r.arrival_date, r.received_at) >= now() - $2::bigint * "
               "interval '1 second') GROUP BY 1";
    }
};

} // namespace

const Writer& failure_writer() {
    static const FailureWriter k_writer;
    return k_writer;
}

} // namespace rua::detail
