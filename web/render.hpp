// A query Table as the API sends it: JSON (objects keyed by column) or CSV
// (RFC 4180, a header line, formula-leading cells neutralised). Pure
// functions of the Table; they never see the request.
#pragma once

#include <rua/query.hpp>

#include <string>
#include <vector>

namespace rua::web {

// [{"col": value, ...}, ...]
std::string json_rows(const query::Table& table);

// {"items": [...], "total": N, "limit": L, "offset": O}
std::string json_page(const query::Table& table, std::int64_t limit, std::int64_t offset);

// {"<name>": [...], ...} for tables returned together (an overview).
std::string json_tables(const std::vector<query::Table>& tables);

// Header line and rows, CRLF line ends. A text cell starting with =, +, -,
// @, tab or CR gets a leading ' so a spreadsheet never runs it.
std::string csv(const query::Table& table);

// {"error": "<message>"}
std::string json_error(std::string_view message);

} // namespace rua::web
