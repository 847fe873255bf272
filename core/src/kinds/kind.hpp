// The parse half of a report kind: how ingest finds and reads reports of
// one kind. One implementation per folder under kinds/, registered once in
// kinds/registry.cpp; ingest asks every registered kind and never names
// one. Must never touch a database (the store half is writer.hpp).
#pragma once

#include "decompress.hpp"
#include "mime.hpp"

#include <rua/limits.hpp>
#include <rua/model.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace rua::detail {

// A report made of several MIME entities (an ARF failure report), found by
// looking at the message's structure rather than at one attachment.
struct MessageFinding {
    std::vector<int> parts;  // leaves (MimeLeaf::part) it consumed: ingest skips them
    int part = 0;            // the leaf that labels it in diagnostics
    OptString content_type;  // that leaf's declared type
    ReportPtr report;        // null when recognised but refused
    std::string error;       // why it was refused (one line), when report is null
    bool over_limit = false; // the refusal is a bound (LimitExceeded), not bad input
    std::string bytes;       // the report as received, archived as its attachment
    std::string format;      // raw_report.format of `bytes` ("arf", "text", ...)
};

// How a kind that streams hands a report over while parsing it (ingest's
// adapter around the caller's ReportSink, rua/ingest.hpp): begin() once the
// head is complete and the first batch of items is held, items() for each
// further batch, end() after validation. Each may throw (BadInput fails the
// report).
class ItemStream {
public:
    virtual ~ItemStream() = default;
    ItemStream() = default;
    ItemStream(const ItemStream&) = delete;
    ItemStream& operator=(const ItemStream&) = delete;

    virtual void begin(Report& report) = 0;
    virtual void items(Report& report) = 0;
    virtual void end(Report& report) = 0;
};

class Kind {
public:
    virtual ~Kind() = default;
    Kind() = default;
    Kind(const Kind&) = delete;
    Kind& operator=(const Kind&) = delete;

    // The registered name, as Report::kind() gives it.
    virtual std::string_view name() const = 0;

    // Message level, once per message before its leaves are read: appends
    // the reports this kind finds in the MIME structure. Never throws for
    // bad input (a refused report is a finding with an error).
    virtual void scan_message(const MimeTree& /*tree*/, const Limits& /*limits*/,
                              std::vector<MessageFinding>& /*out*/) const {}

    // Payload level: true when this kind reads an unpacked payload of this
    // format (decided by content; payload.head holds its first bytes).
    virtual bool accepts(const Payload& /*payload*/) const { return false; }

    // Parses one accepted payload to its end. Fills everything but
    // Report::source and Report::attachment. Returns null when the payload
    // turns out not to be this kind's after all (JSON that is no TLS
    // report): ingest then notes it as "not a report". Throws BadInput (with
    // a precise reason) or LimitExceeded.
    virtual ReportPtr parse(Payload& payload, const Limits& limits) const;

    // The same, handing a report with more than Limits::stream_items items
    // to `stream` in batches (the returned report then has streamed set).
    // The default, for kinds that never stream, is parse().
    virtual ReportPtr parse_streaming(Payload& payload, const Limits& limits,
                                      ItemStream& /*stream*/) const {
        return parse(payload, limits);
    }
};

// Every registered kind, in the order ingest asks them.
const std::vector<const Kind*>& kinds();

} // namespace rua::detail
