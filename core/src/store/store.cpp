// STUB (owned by the store): replaced by the PostgreSQL write path.
#include <rua/errors.hpp>
#include <rua/store.hpp>

namespace rua {

struct ConnectionPool::Impl {
    std::string conninfo;
};

ConnectionPool::ConnectionPool(std::string conninfo, std::size_t /*size*/,
                               std::chrono::milliseconds /*timeout*/)
    : m_impl(std::make_unique<Impl>(Impl{std::move(conninfo)})) {}
ConnectionPool::~ConnectionPool() = default;
const std::string& ConnectionPool::conninfo() const { return m_impl->conninfo; }

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

std::size_t MessageOutcome::stored() const { return 0; }
std::size_t MessageOutcome::duplicates() const { return 0; }
MessageOutcome Store::store(const IngestResult&, const Arrival&) { throw TryLater("store not built yet"); }
std::int64_t Store::quarantine(std::string_view, std::string_view, std::string_view, const Arrival&) {
    throw TryLater("store not built yet");
}
Registry Store::load_registry() { throw TryLater("store not built yet"); }

} // namespace rua
