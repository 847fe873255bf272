// SAX2 events to a draft Report. Elements are matched by local name and
// position (so no-namespace, draft and RFC 9990 documents read alike);
// elements in a foreign namespace and unknown elements are skipped whole.
// Every bound (depth, records, field size) is checked as the events arrive,
// so a hostile document stops early; nothing here recurses.
#include "xml_handler.hpp"

#include "kinds/aggregate/fields.hpp"

#include <rua/errors.hpp>

#include <fmt/format.h>
#include <xercesc/sax/Locator.hpp>
#include <xercesc/sax/SAXParseException.hpp>

#include <algorithm>
#include <array>
#include <string_view>

namespace rua::detail {

namespace {

using Node = ReportHandler::Node;

struct Rule {
    Node parent;
    std::string_view name;
    Node node;
};

// Where each known element may appear. <identities> is an old alias of
// <identifiers> (seen from junc.org and in parsers' workarounds).
constexpr std::array<Rule, 50> k_rules{{
    {Node::feedback, "version", Node::version},
    {Node::feedback, "report_metadata", Node::metadata},
    {Node::feedback, "policy_published", Node::policy},
    {Node::feedback, "record", Node::record},
    {Node::metadata, "org_name", Node::org_name},
    {Node::metadata, "email", Node::email},
    {Node::metadata, "extra_contact_info", Node::extra_contact_info},
    {Node::metadata, "report_id", Node::report_id},
    {Node::metadata, "error", Node::error},
    {Node::metadata, "generator", Node::generator},
    {Node::metadata, "date_range", Node::date_range},
    {Node::date_range, "begin", Node::begin},
    {Node::date_range, "end", Node::end},
    {Node::policy, "domain", Node::p_domain},
    {Node::policy, "adkim", Node::adkim},
    {Node::policy, "aspf", Node::aspf},
    {Node::policy, "p", Node::p},
    {Node::policy, "sp", Node::sp},
    {Node::policy, "np", Node::np},
    {Node::policy, "pct", Node::pct},
    {Node::policy, "fo", Node::fo},
    {Node::policy, "testing", Node::testing},
    {Node::policy, "discovery_method", Node::discovery_method},
    {Node::record, "row", Node::row},
    {Node::record, "identifiers", Node::identifiers},
    {Node::record, "identities", Node::identifiers},
    {Node::record, "auth_results", Node::auth_results},
    {Node::row, "source_ip", Node::source_ip},
    {Node::row, "count", Node::count},
    {Node::row, "policy_evaluated", Node::policy_evaluated},
    {Node::policy_evaluated, "disposition", Node::disposition},
    {Node::policy_evaluated, "dkim", Node::pe_dkim},
    {Node::policy_evaluated, "spf", Node::pe_spf},
    {Node::policy_evaluated, "reason", Node::reason},
    {Node::reason, "type", Node::reason_type},
    {Node::reason, "comment", Node::reason_comment},
    {Node::identifiers, "header_from", Node::header_from},
    {Node::identifiers, "envelope_from", Node::envelope_from},
    {Node::identifiers, "envelope_to", Node::envelope_to},
    {Node::auth_results, "dkim", Node::auth_dkim},
    {Node::auth_results, "spf", Node::auth_spf},
    {Node::auth_dkim, "domain", Node::dkim_domain},
    {Node::auth_dkim, "selector", Node::dkim_selector},
    {Node::auth_dkim, "result", Node::dkim_result},
    {Node::auth_dkim, "human_result", Node::dkim_human_result},
    {Node::auth_spf, "domain", Node::spf_domain},
    {Node::auth_spf, "scope", Node::spf_scope},
    {Node::auth_spf, "result", Node::spf_result},
    {Node::auth_spf, "human_result", Node::spf_human_result},
    {Node::unknown, "", Node::unknown},
}};

bool is_container(Node node) {
    switch (node) {
    case Node::unknown:
    case Node::feedback:
    case Node::metadata:
    case Node::date_range:
    case Node::policy:
    case Node::record:
    case Node::row:
    case Node::policy_evaluated:
    case Node::reason:
    case Node::identifiers:
    case Node::auth_results:
    case Node::auth_dkim:
    case Node::auth_spf:
        return true;
    default:
        return false;
    }
}

// An element name (UTF-16 from Xerces) equals an ASCII rule name.
bool name_is(const XMLCh* name, std::string_view ascii) {
    std::size_t i = 0;
    for (; i < ascii.size(); ++i) {
        if (name[i] != static_cast<XMLCh>(ascii[i])) {
            return false;
        }
    }
    return name[i] == 0;
}

// k_rules lists each parent's children together; this finds where.
struct RuleRange {
    std::size_t begin = 0;
    std::size_t end = 0;
};

RuleRange rules_of(Node parent) {
    static const auto k_ranges = [] {
        std::array<RuleRange, static_cast<std::size_t>(Node::spf_human_result) + 1> ranges{};
        for (std::size_t i = 0; i < k_rules.size(); ++i) {
            RuleRange& r = ranges[static_cast<std::size_t>(k_rules[i].parent)];
            if (r.begin == r.end) {
                r.begin = i;
            }
            r.end = i + 1;
        }
        return ranges;
    }();
    return k_ranges[static_cast<std::size_t>(parent)];
}

Node child_of(Node parent, const XMLCh* name) {
    if (parent == Node::unknown) {
        return Node::unknown;
    }
    const RuleRange range = rules_of(parent);
    for (std::size_t i = range.begin; i < range.end; ++i) {
        if (k_rules[i].parent == parent && name_is(name, k_rules[i].name)) {
            return k_rules[i].node;
        }
    }
    return Node::unknown;
}

std::u16string_view view(const XMLCh* text) {
    return text == nullptr ? std::u16string_view() : std::u16string_view(text);
}

std::string utf8(const XMLCh* text) {
    std::string out;
    if (text != nullptr) {
        std::size_t length = 0;
        while (text[length] != 0) {
            ++length;
        }
        append_utf8(out, text, length);
    }
    return out;
}

} // namespace

// A <record> with the elements a report needs is rarely under 300 bytes,
// so this over-estimates the count; the unused tail of a large reservation
// is address space the process never touches, not resident memory.
constexpr std::size_t k_min_record_bytes = 256;

void ReportHandler::reserve_records(std::vector<Record>& records) const {
    const std::size_t most = m_stream != nullptr ? m_limits.stream_items + 1 : m_limits.max_records;
    records.reserve(std::min<std::size_t>(most, m_expected_bytes / k_min_record_bytes + 1));
}

namespace {

// The head of a report (metadata and policy, no count, no records) in the
// fingerprint encoding: what must not change once it was streamed.
std::string head_encoding(const AggregateReport& report) {
    FingerprintEncoder e;
    fingerprint_fields(e, aggregate_report_fields(), report);
    fingerprint_fields(e, aggregate_policy_fields(), report.policy);
    return e.take();
}

} // namespace

// Runs a call into the stream from inside Xerces: bad input fails the
// parse as the handler's own errors do; anything else is kept and rethrown
// after the parse (never unwound through Xerces).
template <typename Fn> void ReportHandler::streaming(Fn&& fn) {
    try {
        fn();
    } catch (const LimitExceeded& e) {
        fail(true, e.what());
    } catch (const BadInput& e) {
        fail(false, e.what());
    } catch (...) {
        m_foreign = std::current_exception();
        throw ParseStopped{};
    }
}

void ReportHandler::add_record() {
    if (!m_live) {
        m_draft.report.records.push_back(std::move(m_record));
        if (m_stream != nullptr && m_draft.report.records.size() >= m_limits.stream_items &&
            !m_draft.report.report_id.empty() && !m_draft.report.policy.domain.empty() &&
            m_draft.begin && m_draft.end) {
            // A head that is still incomplete here (records before the
            // metadata) keeps the report whole, as without a stream.
            begin_stream();
        }
        return;
    }
    m_live->records.push_back(std::move(m_record));
    if (m_live->records.size() >= m_limits.stream_items) {
        streaming([&] {
            m_stream->items(*m_live);
            m_live->release_records();
        });
    }
}

void ReportHandler::begin_stream() {
    streaming([&] {
        ReportDraft head;
        head.begin = m_draft.begin;
        head.end = m_draft.end;
        head.version = m_draft.version;
        head.policy_published_seen = m_draft.policy_published_seen;
        head.report = m_draft.report; // the batch is copied once, then dropped here
        m_draft.report.records.clear();
        m_draft.report.records.shrink_to_fit();
        m_live = std::make_unique<AggregateReport>(finish_report(std::move(head)));
        m_live_head = head_encoding(*m_live);
        m_stream->begin(*m_live);
        m_live->release_records();
    });
}

AggregateReport ReportHandler::finish() {
    if (!m_live) {
        return finish_report(std::move(m_draft));
    }
    // The head again, from everything the document said: it must be the
    // one streamed (metadata after the records would be lost otherwise).
    const AggregateReport final_head = finish_report(std::move(m_draft));
    if (head_encoding(final_head) != m_live_head) {
        throw BadInput(fmt::format("report_metadata or policy_published changed after the "
                                   "first {} records",
                                   m_limits.stream_items));
    }
    m_live->warnings = final_head.warnings;
    m_stream->end(*m_live);
    m_live->release_records();
    return std::move(*m_live);
}

ReportHandler::ReportHandler(const Limits& limits)
    : m_limits(limits), m_warnings(m_draft.report.warnings) {}

void ReportHandler::fail(bool limit, std::string message) {
    if (!m_failure) {
        m_failure = ParseFailure{limit, std::move(message)};
    }
    throw ParseStopped{};
}

std::string ReportHandler::position() const {
    if (m_locator == nullptr) {
        return {};
    }
    return " at line " + std::to_string(m_locator->getLineNumber()) + ", column " +
           std::to_string(m_locator->getColumnNumber());
}

std::string ReportHandler::record_label() const {
    const std::size_t seen = m_live ? m_live->items() : m_draft.report.records.size();
    return "record " + std::to_string(seen + 1);
}

void ReportHandler::setDocumentLocator(const xercesc::Locator* locator) {
    m_locator = locator;
}

void ReportHandler::startElement(const XMLCh* uri, const XMLCh* localname, const XMLCh* qname,
                                 const xercesc::Attributes& /*attrs*/) {
    if (m_stack.size() + 1 > m_limits.max_xml_depth) {
        fail(true, "XML nesting deeper than " + std::to_string(m_limits.max_xml_depth) +
                       " elements" + position());
    }
    Node node = Node::unknown;
    if (m_stack.empty()) {
        if (!name_is(localname, "feedback")) {
            // The name is the sender's: cut it short like any quoted value.
            fail(false, "root element is <" + utf8(qname).substr(0, 64) + ">, not <feedback>");
        }
        node = Node::feedback;
        m_root_uri = view(uri);
        if (!m_root_uri.empty()) {
            m_draft.report.xml_namespace = utf8(uri);
        }
    } else {
        // Children are in the root's namespace or in none (AOL prefixed only
        // the root); anything else is an extension and is skipped.
        const std::u16string_view element_uri = view(uri);
        if (element_uri.empty() || element_uri == m_root_uri) {
            node = child_of(m_stack.back(), localname);
        }
    }
    m_stack.push_back(node);
    if (is_container(node)) {
        start_container(node); // may demote a duplicate to Node::unknown
    } else {
        m_name = utf8(localname); // leaf names are short: no allocation
        m_text.clear();
    }
}

void ReportHandler::characters(const XMLCh* chars, XMLSize_t length) {
    if (m_stack.empty() || is_container(m_stack.back())) {
        return;
    }
    append_utf8(m_text, chars, length);
    if (m_text.size() > m_limits.max_field_bytes) {
        fail(true, "<" + m_name + "> text longer than " + std::to_string(m_limits.max_field_bytes) +
                       " bytes" + position());
    }
}

void ReportHandler::endElement(const XMLCh* /*uri*/, const XMLCh* /*localname*/,
                               const XMLCh* /*qname*/) {
    const Node node = m_stack.back();
    if (is_container(node)) {
        end_container(node);
    } else {
        store_leaf(node, m_text);
        m_text.clear();
    }
    m_stack.pop_back();
}

void ReportHandler::start_container(Node node) {
    AggregateReport& report = m_draft.report;
    switch (node) {
    case Node::policy:
        if (++m_draft.policy_published_seen > 1) {
            m_warnings.add("more than one <policy_published>; the first is used");
            m_stack.back() = Node::unknown;
        }
        break;
    case Node::record:
        if ((m_live ? m_live->items() : report.records.size()) >= m_limits.max_records) {
            fail(true, "more than " + std::to_string(m_limits.max_records) + " records");
        }
        if (report.records.empty() && !m_live && m_expected_bytes > 0) {
            reserve_records(report.records);
        }
        m_record = Record{};
        m_record_has_ip = false;
        m_record_has_count = false;
        break;
    case Node::reason:
        m_reason = Reason{};
        break;
    case Node::auth_dkim:
        m_dkim = DkimAuth{};
        break;
    case Node::auth_spf:
        m_spf = SpfAuth{};
        break;
    default:
        break;
    }
}

void ReportHandler::end_container(Node node) {
    switch (node) {
    case Node::record:
        if (!m_record_has_ip) {
            fail(false, record_label() + ": missing source_ip");
        }
        if (!m_record_has_count) {
            fail(false, record_label() + ": missing count");
        }
        add_record();
        break;
    case Node::reason:
        if (m_reason.type.empty() && !m_reason.comment) {
            m_warnings.add("empty <reason> ignored");
        } else {
            if (m_reason.type.empty()) {
                m_warnings.add("<reason> without a type");
            }
            m_record.reasons.push_back(std::move(m_reason));
        }
        break;
    case Node::auth_dkim:
        m_record.auth_dkim.push_back(std::move(m_dkim));
        break;
    case Node::auth_spf:
        m_record.auth_spf.push_back(std::move(m_spf));
        break;
    default:
        break;
    }
}

void ReportHandler::warning(const xercesc::SAXParseException& /*exc*/) {}

// With validation off, Xerces reports only well-formedness problems; any of
// them, even the "recoverable" kind, means the document is not trustworthy.
void ReportHandler::error(const xercesc::SAXParseException& exc) {
    fatalError(exc);
}

void ReportHandler::fatalError(const xercesc::SAXParseException& exc) {
    fail(false, "malformed XML at line " + std::to_string(exc.getLineNumber()) + ", column " +
                    std::to_string(exc.getColumnNumber()) + ": " + utf8(exc.getMessage()));
}

void ReportHandler::startDTD(const XMLCh* /*name*/, const XMLCh* /*public_id*/,
                             const XMLCh* /*system_id*/) {
    fail(false, "DOCTYPE not allowed (DTDs and entity declarations are refused)" + position());
}

void ReportHandler::startEntity(const XMLCh* name) {
    fail(false, "entity reference &" + utf8(name) + "; not allowed" + position());
}

xercesc::InputSource* ReportHandler::resolveEntity(const XMLCh* /*public_id*/,
                                                   const XMLCh* system_id) {
    fail(false, "external entity " + quoted(utf8(system_id)) + " refused" + position());
}

} // namespace rua::detail
