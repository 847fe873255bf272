// The canonical encoding behind aggregate_report.fingerprint: the field
// tables' fingerprint fields in their order. Independent of the JSON output
// on purpose (the tables mark which fields count); never include arrival
// data. Must stay stable across releases: tests pin it. A streamed report
// keeps its released records' encoding aside (ReleasedRecords) so that its
// fingerprint is the same bytes as if it had been held whole.
#include "kinds/aggregate/fingerprint.hpp"

#include "kinds/aggregate/fields.hpp"
#include "sha256.hpp"

#include <rua/spill.hpp>

#include <stdexcept>

namespace rua {

// The released records' encoding, in memory up to 1 MiB and then in an
// unlinked temporary file (SpillBuffer).
class ReleasedRecords {
public:
    void append(std::string_view bytes) { m_bytes.append(bytes); }
    // Calls fn(std::string_view) for every byte kept, in order.
    template <typename Fn> void read(Fn&& fn) const { m_bytes.for_each_chunk(fn); }

private:
    SpillBuffer m_bytes;
};

namespace {

void encode_head(detail::FingerprintEncoder& e, const AggregateReport& report) {
    e.text(std::string_view("rua-fingerprint-1"));
    detail::fingerprint_fields(e, detail::aggregate_report_fields(), report);
    detail::fingerprint_fields(e, detail::aggregate_policy_fields(), report.policy);
    e.number(report.items());
}

void encode_held(detail::FingerprintEncoder& e, const AggregateReport& report) {
    for (const auto& record : report.records) {
        detail::fingerprint_fields(e, detail::aggregate_record_fields(), record);
    }
}

// Calls fn(std::string_view) with the fingerprint's bytes in order: the
// head, the released records' encoding, the records held.
template <typename Fn> void each_piece(const AggregateReport& report, Fn&& fn) {
    detail::FingerprintEncoder head;
    encode_head(head, report);
    fn(head.take());
    if (report.released_fingerprint) {
        report.released_fingerprint->read(fn);
    }
    detail::FingerprintEncoder held;
    encode_held(held, report);
    fn(held.take());
}

} // namespace

std::string fingerprint_bytes(const AggregateReport& report) {
    std::string out;
    each_piece(report, [&out](std::string_view bytes) { out.append(bytes); });
    return out;
}

std::string AggregateReport::fingerprint_sha256() const {
    detail::Sha256 hash;
    each_piece(*this, [&hash](std::string_view bytes) { hash.add(bytes); });
    return hash.digest();
}

std::unique_ptr<Report> AggregateReport::take_batch() {
    if (!released_fingerprint) {
        released_fingerprint = std::make_shared<ReleasedRecords>();
    }
    // The parser fills the next batch into as much room as this one had.
    std::vector<Record> held;
    held.reserve(records.capacity());
    held.swap(records);
    auto batch = std::make_unique<AggregateReport>(*this); // the head: no records now
    for (const auto& record : held) {
        released_messages += record.count;
    }
    released += held.size();
    batch->records = std::move(held);
    return batch;
}

void AggregateReport::keep_released() const {
    if (!released_fingerprint) {
        throw std::logic_error("keep_released: not a batch taken from a streamed report");
    }
    detail::FingerprintEncoder e;
    encode_held(e, *this);
    released_fingerprint->append(e.take());
}

void AggregateReport::release_records() {
    if (records.empty()) {
        return;
    }
    if (!released_fingerprint) {
        released_fingerprint = std::make_shared<ReleasedRecords>();
    }
    detail::FingerprintEncoder e;
    encode_held(e, *this);
    released_fingerprint->append(e.take());
    for (const auto& record : records) {
        released_messages += record.count;
    }
    released += records.size();
    records.clear();
}

} // namespace rua
