// Helpers of the kinds' writers (store half only: libpqxx): the outcome of
// an exactly-once INSERT, and COPY rows from a field table. libpqxx 6.4's
// stream_to takes a row as a std::tuple, whose width is fixed at compile
// time, while a field table's width is known at run time: write_copy_row
// picks the tuple width that matches (up to k_max_copy_columns), so adding a
// field to a table stays one edit. Values are plain text (fields.hpp
// param_fields) or null; stream_to escapes them.
#pragma once

#include <rua/errors.hpp>
#include <rua/model.hpp>
#include <rua/store.hpp>

#include <pqxx/pqxx>

#include <cstddef>
#include <stdexcept>
#include <tuple>
#include <utility>
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

constexpr std::size_t k_max_copy_columns = 32;

template <std::size_t... I>
auto copy_tuple(const std::vector<const char*>& values, std::index_sequence<I...> /*unused*/) {
    return std::make_tuple(values[I]...);
}

template <std::size_t N = k_max_copy_columns>
void write_copy_row(pqxx::stream_to& stream, const std::vector<const char*>& values) {
    if constexpr (N == 0) {
        throw std::logic_error("COPY row wider than k_max_copy_columns");
    } else if (values.size() == N) {
        stream << copy_tuple(values, std::make_index_sequence<N>{});
    } else {
        write_copy_row<N - 1>(stream, values);
    }
}

// Pointers into `texts` (nullptr for null), for write_copy_row and for
// exec_prepared's dynamic parameters.
inline std::vector<const char*> text_pointers(const std::vector<OptString>& texts) {
    std::vector<const char*> out;
    out.reserve(texts.size());
    for (const auto& text : texts) {
        out.push_back(text ? text->c_str() : nullptr);
    }
    return out;
}

} // namespace rua::detail
