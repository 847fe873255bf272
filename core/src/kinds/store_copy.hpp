// Helpers of the kinds' writers (store half only: libpqxx): the outcome of
// an exactly-once INSERT, and COPY rows from a field table.
#pragma once

#include "kinds/fields.hpp"

#include <rua/errors.hpp>
#include <rua/model.hpp>
#include <rua/store.hpp>

#include <pqxx/pqxx>
#include <pqxx/tablewriter>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace rua::detail {

// What an `INSERT ... ON CONFLICT (key) DO NOTHING RETURNING id` did: stored
// when it returned the new id; else the key exists (maybe stored a moment
// ago by a concurrent ingester, whose commit ON CONFLICT waited for) and
// `find()` returns that row as (id, same fingerprint): a duplicate or a
// conflict. Throws TryLater when the row has vanished meanwhile.
template <typename Find> StoredReport insert_outcome(const pqxx::result& inserted, Find&& find) {
    if (!inserted.empty()) {
        return StoredReport{ReportOutcome::stored, inserted[0][0].as<std::int64_t>()};
    }
    const pqxx::result existing = find();
    if (existing.empty()) {
        throw TryLater("report key conflict but no stored report found (deleted meanwhile?)");
    }
    return StoredReport{existing[0][1].as<bool>() ? ReportOutcome::duplicate
                                                  : ReportOutcome::conflict,
                        existing[0][0].as<std::int64_t>()};
}

// Rows of one `COPY table (columns) FROM STDIN`, written in COPY's text
// format here (kinds/fields.hpp copy_text, copy_value, copy_fields) into one
// buffer and sent some 256 KiB at a time: libpqxx 6.4's stream_to builds a
// string per field and per row, which cost more of the client's CPU than
// formatting the rows. Fields of a row are appended in column order; the
// destructor ends a COPY not completed (the transaction then decides, as
// with stream_to).
class CopyRows {
public:
    CopyRows(pqxx::transaction_base& tx, const std::string& table,
             const std::vector<std::string>& columns);
    ~CopyRows();
    CopyRows(const CopyRows&) = delete;
    CopyRows& operator=(const CopyRows&) = delete;

    CopyRows& text(std::string_view value) {
        separate();
        copy_text(m_rows, value);
        return *this;
    }
    CopyRows& number(std::uint64_t value) { return this->value(FieldValue(value)); }
    CopyRows& value(const FieldValue& value) {
        separate();
        copy_value(m_rows, value, m_scratch);
        return *this;
    }
    template <typename T> CopyRows& fields(const Fields<T>& fields, const T& item) {
        if (m_first) {
            throw std::logic_error("CopyRows::fields: a row starts with its key columns");
        }
        copy_fields(m_rows, fields, item, m_scratch);
        return *this;
    }
    // Ends the row; sends the buffer when it is full.
    void end_row();
    // Sends what is left and ends the COPY.
    void complete();

private:
    void separate() {
        if (!m_first) {
            m_rows.push_back('\t');
        }
        m_first = false;
    }
    void send();

    std::unique_ptr<pqxx::tablewriter> m_writer;
    std::string m_rows; // whole rows, each ended by a newline
    std::string m_scratch;
    bool m_first = true;
};

// Pointers into `texts` (nullptr for null), for exec_prepared's dynamic
// parameters.
inline std::vector<const char*> text_pointers(const std::vector<OptString>& texts) {
    std::vector<const char*> out;
    out.reserve(texts.size());
    for (const auto& text : texts) {
        out.push_back(text ? text->c_str() : nullptr);
    }
    return out;
}

} // namespace rua::detail
