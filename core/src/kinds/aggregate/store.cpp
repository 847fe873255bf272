// The store half of the DMARC aggregate kind: one aggregate_report row per
// report (ON CONFLICT DO NOTHING on its exactly-once key), then every record
// of the message's stored reports through one COPY. The columns come from
// the field tables (fields.cpp). Must never build SQL from report data.
#include "kinds/aggregate/fields.hpp"
#include "kinds/kinds.hpp"
#include "kinds/store_copy.hpp"
#include "kinds/writer.hpp"
#include "store/pg_errors.hpp"

#include <rua/errors.hpp>
#include <rua/json.hpp>
#include <rua/kinds/aggregate.hpp>

#include <fmt/format.h>

#include <ctime>
#include <limits>

namespace rua::detail {

// store_summary.cpp
std::vector<SummaryTable> aggregate_summary(pqxx::work& tx, const std::string& domain,
                                            std::optional<std::int64_t> since);

namespace {

// The monthly partition of aggregate_record that holds the inserted report's
// records (named by rua_partition_name, sql/0012), or NULL when the month has
// none (its records then go through the parent into the default partition).
// COPY straight into the partition skips the parent's statement trigger that
// checks each record's report (sql/0003): with it, PostgreSQL inserts rows
// into a partitioned table one by one instead of in batches. The check is
// not needed here, as the report was inserted by the same transaction just
// before; any other writer through the parent is still checked.
constexpr const char* k_record_leaf =
    "(SELECT c.relname::text FROM pg_catalog.pg_inherits i "
    "JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid "
    "WHERE i.inhparent = 'aggregate_record'::regclass "
    "AND c.oid = to_regclass(rua_partition_name('aggregate_record', "
    "date_trunc('month', date_begin AT TIME ZONE 'UTC')::date)))";

// The INSERT of one report: the field tables' columns, then how it arrived
// and what the store computes. Built once from the tables. A report
// inserted is queued for the daily rollup in the same statement (what
// rua_rollup_report does, sql/0013: its rollup is read from its records
// until rua_rollup_fold folds it) and for the enrichment worker (sql/0020),
// saving two round trips per report.
const std::string& insert_report_sql() {
    static const std::string k_sql = [] {
        int n = 1;
        const std::string fields = param_list(aggregate_report_fields(), n);
        const std::string policy = param_list(aggregate_policy_fields(), n);
        const int via = n;
        return fmt::format(
            "WITH ins AS (INSERT INTO aggregate_report ({}, {}, via, rua, file, queue_id, "
            "fingerprint, "
            "record_count, message_count, raw_report_id, raw_sha256, account_id) "
            "VALUES ({}, {}, ${}, ${}, ${}, ${}, sha256(${}::bytea), ${}::integer, ${}::bigint, "
            "${}::bigint, (SELECT sha256 FROM raw_report WHERE id = ${}::bigint), "
            "coalesce((SELECT account_id FROM rua_address WHERE address = ${}), "
            "(SELECT min(account_id) FROM account_domain WHERE domain = lower(${}::text)))) "
            "ON CONFLICT (reporter, report_id, lower(domain), date_begin, date_end) DO NOTHING "
            "RETURNING id, account_id, date_begin, date_end, {} AS leaf), "
            "queued AS (INSERT INTO rollup_pending (report_id, date_begin, one_day) "
            "SELECT id, date_begin, rua_one_day(date_begin, date_end) FROM ins), "
            "sources AS (INSERT INTO source_pending (kind, report_id) "
            "SELECT 'aggregate', id FROM ins) "
            "SELECT id, account_id, leaf FROM ins",
            column_list(aggregate_report_fields()), column_list(aggregate_policy_fields()), fields,
            policy, via, via + 1, via + 2, via + 3, via + 4, via + 5, via + 6, via + 7, via + 7,
            via + 1, via + 8, k_record_leaf);
    }();
    return k_sql;
}

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

// The sum of the record counts as decimal text: the database, not this code,
// decides whether it fits in a bigint (it refuses with 22003 otherwise).
std::string message_count_text(const AggregateReport& report) {
    std::uint64_t sum = report.released_messages;
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
    std::string date_begin; // the report's, as timestamptz text
    OptString account_id;
    std::string table; // where its records go (record_table())
};

// The table to COPY a stored report's records into: its month's partition
// when the INSERT's RETURNING named one (k_record_leaf), else the parent.
// The name comes from the server; it is checked against the partitions'
// naming rule all the same, as it becomes part of a statement.
std::string record_table(const pqxx::field& leaf) {
    if (leaf.is_null()) {
        return "aggregate_record";
    }
    const std::string_view name = leaf.c_str();
    constexpr std::string_view k_prefix = "aggregate_record_";
    const bool digits = name.size() == k_prefix.size() + 7 &&
                        name.substr(0, k_prefix.size()) == k_prefix &&
                        name[k_prefix.size() + 4] == '_' && [&] {
                            for (std::size_t i = k_prefix.size(); i < name.size(); ++i) {
                                if (i != k_prefix.size() + 4 && (name[i] < '0' || name[i] > '9')) {
                                    return false;
                                }
                            }
                            return true;
                        }();
    return digits ? std::string(name) : std::string("aggregate_record");
}

// UTC seconds as timestamptz input text ("2026-11-30 00:00:00+00").
std::string timestamptz_text(std::int64_t seconds) {
    const auto t = static_cast<std::time_t>(seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}+00", tm.tm_year + 1900, tm.tm_mon + 1,
                       tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

// The records' COPY columns: the key, the partition key, the account, then
// the field table's.
std::vector<std::string> record_columns() {
    std::vector<std::string> columns = {"report_id", "ordinal", "date_begin", "account_id"};
    for (auto& column : column_names(aggregate_record_fields())) {
        columns.push_back(std::move(column));
    }
    return columns;
}

// One record's COPY row (record_columns()).
void copy_record(CopyRows& copy, const std::string& id, std::size_t ordinal,
                 const std::string& date_begin, const OptString& account, const Record& record) {
    copy.text(id).number(ordinal).text(date_begin).value(opt_value(account));
    copy.fields(aggregate_record_fields(), record).end_row();
}

// A few records go in one INSERT (one round trip; COPY takes two and costs
// the server more to set up), more through COPY.
constexpr std::size_t k_insert_rows = 64;

// `text` as a JSON string with its bytes as they are: only '"', '\\' and
// control characters are escaped. Unlike json_quote (which writes U+FFFD for
// a byte that is not UTF-8), bytes the database cannot hold reach it and are
// refused there, with the same message as through COPY.
void raw_json_string(std::string& out, std::string_view text) {
    static constexpr char k_hex[] = "0123456789abcdef";
    out += '"';
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (u < 0x20 || u == 0x7F) {
            out += "\\u00";
            out += k_hex[u >> 4];
            out += k_hex[u & 0xf];
        } else {
            out += c;
        }
    }
    out += '"';
}

// One record as a JSON object of its record_columns() (their text, a json
// column's value as it is), for json_populate_recordset.
void record_json(std::string& out, const std::string& id, std::size_t ordinal,
                 const std::string& date_begin, const OptString& account, const Record& record) {
    out += out.empty() ? "[" : ",";
    out += R"({"report_id":)" + id + R"(,"ordinal":)" + std::to_string(ordinal) +
           R"(,"date_begin":")" + date_begin + R"(","account_id":)" +
           (account ? *account : std::string("null"));
    for (const auto& f : aggregate_record_fields()) {
        if (f.column == nullptr) {
            continue;
        }
        out += ",\"";
        out += f.column;
        out += "\":";
        if (f.list_stored) {
            f.list_stored(out, record);
        } else if (const OptString text = param_text(f.get(record))) {
            raw_json_string(out, *text);
        } else {
            out += "null";
        }
    }
    out += "}";
}

// Every record of every report stored by this message, in one statement
// whose columns are the record table's: into their month's partition when
// they all have the same, else through the parent.
void copy_records(pqxx::work& tx, const std::vector<Pending>& stored) {
    std::string table = stored.front().table;
    std::size_t rows = 0;
    for (const auto& s : stored) {
        if (s.table != table) {
            table = "aggregate_record";
        }
        rows += s.report->records.size();
    }
    if (rows == 0) {
        return;
    }
    if (rows <= k_insert_rows) {
        std::string json;
        for (const auto& s : stored) {
            const std::string id = std::to_string(s.id);
            std::size_t ordinal = 0;
            for (const auto& r : s.report->records) {
                record_json(json, id, ordinal++, s.date_begin, s.account_id, r);
            }
        }
        json += "]";
        std::string columns;
        for (const auto& column : record_columns()) {
            columns += columns.empty() ? "" : ", ";
            columns += column;
        }
        tx.exec_params(fmt::format("INSERT INTO {} ({}) SELECT {} FROM "
                                   "json_populate_recordset(NULL::aggregate_record, $1::json)",
                                   table, columns, columns),
                       json);
        return;
    }
    CopyRows records(tx, table, record_columns());
    for (const auto& s : stored) {
        const std::string id = std::to_string(s.id);
        std::size_t ordinal = 0;
        for (const auto& r : s.report->records) {
            copy_record(records, id, ordinal++, s.date_begin, s.account_id, r);
        }
    }
    records.complete();
}

class AggregateBatch final : public WriteBatch {
public:
    explicit AggregateBatch(pqxx::work& tx) : m_tx(tx) {}

    StoredReport add(const Report& any, std::optional<std::int64_t> raw_id, const Arrival& arrival,
                     Privacy /*privacy*/) override {
        const auto& r = report_as<AggregateReport>(any);
        const auto& p = r.policy;
        const std::string fingerprint_text = r.fingerprint();
        const pqxx::binarystring fingerprint(fingerprint_text.data(), fingerprint_text.size());
        const std::string raw_text = raw_id ? std::to_string(*raw_id) : std::string();
        std::vector<OptString> values;
        param_fields(values, aggregate_report_fields(), r);
        param_fields(values, aggregate_policy_fields(), p);
        const std::vector<const char*> params = text_pointers(values);
        const auto rows = m_tx.exec_prepared(
            "rua_insert_report", pqxx::prepare::make_dynamic_params(params), arrival.via,
            opt(arrival.rua), opt(arrival.file), opt(arrival.queue_id), fingerprint,
            r.records.size(), message_count_text(r), raw_id ? raw_text.c_str() : nullptr, p.domain);
        const StoredReport outcome = insert_outcome(rows, [&] {
            return m_tx.exec_prepared("rua_find_report", opt(r.org_name), opt(r.email), r.report_id,
                                      p.domain, r.begin, r.end, fingerprint);
        });
        if (outcome.outcome == ReportOutcome::stored) {
            const auto& account = rows[0][1];
            m_stored.push_back(Pending{&r, outcome.id, timestamptz_text(r.begin),
                                       account.is_null() ? OptString() : OptString(account.c_str()),
                                       record_table(rows[0][2])});
        }
        return outcome;
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

// The key's existing row, when a streamed report's INSERT found one.
constexpr const char* k_find_streamed =
    "SELECT id, fingerprint FROM aggregate_report "
    "WHERE reporter = lower(coalesce(nullif(btrim($1), ''), split_part($2, '@', 2), '')) "
    "AND report_id = $3 AND lower(domain) = lower($4) "
    "AND date_begin = to_timestamp($5::bigint) AND date_end = to_timestamp($6::bigint)";
// What only the end of a streamed report tells.
constexpr const char* k_finish_streamed =
    "UPDATE aggregate_report SET fingerprint = $2, record_count = $3::integer, "
    "message_count = $4::bigint, warnings = $5::text[] WHERE id = $1";

// The warnings column's value of a report, as the INSERT sends it.
OptString warnings_param(const AggregateReport& report) {
    std::vector<OptString> values;
    param_fields(values, aggregate_report_fields(), report);
    std::size_t i = 0;
    for (const auto& f : aggregate_report_fields()) {
        if (f.column == nullptr) {
            continue;
        }
        if (std::string_view(f.column) == "warnings") {
            return values.at(i);
        }
        ++i;
    }
    throw std::logic_error("aggregate_report_fields has no warnings column");
}

// One aggregate report written while it is parsed: its row first (the
// exactly-once key decides at once whether its records are written), the
// records through one COPY as the batches come, and at the end what only
// the end tells (fingerprint, counts, warnings). A report whose key exists
// writes no record; its fingerprint then tells a duplicate from a conflict.
class AggregateStream final : public StreamBatch {
public:
    AggregateStream(pqxx::dbtransaction& tx, const AggregateReport& r,
                    std::optional<std::int64_t> raw_id, const Arrival& arrival)
        : m_tx(tx), m_date_begin(timestamptz_text(r.begin)) {
        const auto& p = r.policy;
        check_fields(aggregate_report_fields(), r);
        check_fields(aggregate_policy_fields(), p);
        std::vector<OptString> values;
        param_fields(values, aggregate_report_fields(), r);
        param_fields(values, aggregate_policy_fields(), p);
        const std::vector<const char*> params = text_pointers(values);
        const std::string raw_text = raw_id ? std::to_string(*raw_id) : std::string();
        const pqxx::binarystring none("", 0);
        const auto rows = m_tx.exec_prepared(
            "rua_insert_report", pqxx::prepare::make_dynamic_params(params), arrival.via,
            opt(arrival.rua), opt(arrival.file), opt(arrival.queue_id), none, 0, "0",
            raw_id ? raw_text.c_str() : nullptr, p.domain);
        if (!rows.empty()) {
            m_id = rows[0][0].as<std::int64_t>();
            m_inserted = true;
            if (!rows[0][1].is_null()) {
                m_account = rows[0][1].c_str();
            }
            m_copy.emplace(m_tx, record_table(rows[0][2]), record_columns());
            return;
        }
        const auto found = m_tx.exec_prepared("rua_find_streamed", opt(r.org_name), opt(r.email),
                                              r.report_id, p.domain, r.begin, r.end);
        if (found.empty()) {
            throw TryLater("stored report vanished while storing a copy of it");
        }
        m_id = found[0][0].as<std::int64_t>();
        const pqxx::binarystring existing(found[0][1]);
        m_existing = existing.str();
    }

    std::optional<std::int64_t> existing() const override {
        return m_inserted ? std::nullopt : std::optional(m_id);
    }

    void items(const Report& any) override {
        if (!m_inserted) {
            return;
        }
        const auto& r = report_as<AggregateReport>(any);
        const std::string id = std::to_string(m_id);
        for (const auto& record : r.records) {
            check_fields(aggregate_record_fields(), record);
            copy_record(*m_copy, id, m_ordinal++, m_date_begin, m_account, record);
        }
    }

    StoredReport end(const Report& any) override {
        const auto& r = report_as<AggregateReport>(any);
        items(r);
        const std::string digest = r.fingerprint_sha256();
        if (!m_inserted) {
            return StoredReport{
                digest == m_existing ? ReportOutcome::duplicate : ReportOutcome::conflict, m_id};
        }
        m_copy->complete();
        m_copy.reset();
        const pqxx::binarystring fingerprint(digest.data(), digest.size());
        const OptString warnings = warnings_param(r);
        m_tx.exec_prepared("rua_finish_streamed", m_id, fingerprint, r.items(),
                           message_count_text(r), opt(warnings));
        return StoredReport{ReportOutcome::stored, m_id};
    }

    bool close() noexcept override {
        if (!m_copy) {
            return true;
        }
        try {
            m_copy->complete();
            m_copy.reset();
            return true;
        } catch (...) {
            return false;
        }
    }

private:
    pqxx::dbtransaction& m_tx;
    std::string m_date_begin;
    std::int64_t m_id = 0;
    bool m_inserted = false;
    OptString m_account;
    std::string m_existing; // the stored fingerprint, when the key existed
    std::optional<CopyRows> m_copy;
    std::size_t m_ordinal = 0;
};

class AggregateWriter final : public Writer {
public:
    std::string_view name() const override { return "aggregate"; }

    void check(const Report& any) const override {
        const auto& report = report_as<AggregateReport>(any);
        check_fields(aggregate_report_fields(), report);
        check_fields(aggregate_policy_fields(), report.policy);
        for (const auto& record : report.records) {
            check_fields(aggregate_record_fields(), record);
        }
        (void)message_count_text(report);
    }

    void prepare(pqxx::connection& conn) const override {
        // pqxx accepts a repeated, identical definition: cheap after the first call.
        conn.prepare("rua_insert_report", insert_report_sql());
        conn.prepare("rua_find_report", k_find_report);
        conn.prepare("rua_find_streamed", k_find_streamed);
        conn.prepare("rua_finish_streamed", k_finish_streamed);
    }

    std::unique_ptr<StreamBatch> stream(pqxx::dbtransaction& tx, const Report& head,
                                        std::optional<std::int64_t> raw_id,
                                        const Arrival& arrival) const override {
        return std::make_unique<AggregateStream>(tx, report_as<AggregateReport>(head), raw_id,
                                                 arrival);
    }

    std::string conflict_key(const Report& any) const override {
        const auto& r = report_as<AggregateReport>(any);
        const auto text = [](const OptString& value) {
            return value ? json_quote(*value) : std::string("null");
        };
        return fmt::format("{{\"org_name\":{},\"email\":{},\"report_id\":{},\"domain\":{},"
                           "\"begin\":{},\"end\":{}}}",
                           text(r.org_name), text(r.email), json_quote(r.report_id),
                           json_quote(r.policy.domain), r.begin, r.end);
    }

    std::unique_ptr<WriteBatch> begin(pqxx::work& tx) const override {
        return std::make_unique<AggregateBatch>(tx);
    }

    std::vector<SummaryTable> summary(pqxx::work& tx, const std::string& domain,
                                      std::optional<std::int64_t> since) const override {
        return aggregate_summary(tx, domain, since);
    }

    std::string authenticity_sql() const override {
        return "SELECT a.authenticity, count(*), sum(a.message_count)::numeric "
               "FROM aggregate_report a WHERE lower(a.domain) = $1 AND ($2::bigint IS NULL OR "
               "a.date_end >= now() - $2::bigint * interval '1 second') GROUP BY 1";
    }
};

} // namespace

const Writer& aggregate_writer() {
    static const AggregateWriter k_writer;
    return k_writer;
}

} // namespace rua::detail
