// CopyRows (store_copy.hpp): rows formatted here, sent through libpqxx 6.4's
// tablewriter, whose write_raw_line is the one public way to hand it COPY
// text as it is (stream_to's is private). The class is marked deprecated in
// favour of stream_to, which always escapes each field itself; libpqxx 7's
// stream_to::write_raw_line is the replacement when Debian ships it. Its
// own escaping (which its header warns about for multibyte encodings) is
// never used here.
#include "kinds/store_copy.hpp"

namespace rua::detail {

namespace {

// Rows are sent once the buffer holds this much.
constexpr std::size_t k_send_bytes = std::size_t{1} << 18;

} // namespace

CopyRows::CopyRows(pqxx::transaction_base& tx, const std::string& table,
                   const std::vector<std::string>& columns) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    m_writer = std::make_unique<pqxx::tablewriter>(tx, table, columns.begin(), columns.end());
#pragma GCC diagnostic pop
    m_rows.reserve(k_send_bytes + k_send_bytes / 4);
}

// tablewriter's own destructor ends the COPY, catching what it throws.
CopyRows::~CopyRows() = default;

void CopyRows::end_row() {
    m_rows.push_back('\n');
    m_first = true;
    if (m_rows.size() >= k_send_bytes) {
        send();
    }
}

void CopyRows::send() {
    if (m_rows.empty()) {
        return;
    }
    // write_raw_line adds the last row's newline itself.
    m_rows.pop_back();
    m_writer->write_raw_line(m_rows);
    m_rows.clear();
}

void CopyRows::complete() {
    if (!m_first) {
        throw std::logic_error("CopyRows::complete: a row was not ended");
    }
    send();
    m_writer->complete();
}

} // namespace rua::detail
