// The SAX2 handler that turns a stream of Xerces events into a draft Report.
// Internal to the XML stage (only xml_handler.cpp and xml_report.cpp see
// Xerces). It must never build a DOM, resolve an entity, or accept a DTD:
// every such event stops the parse with a precise reason.
#pragma once

#include "kinds/kind.hpp"
#include "validate.hpp"
#include "xml_values.hpp"

#include <rua/kinds/aggregate.hpp>
#include <rua/limits.hpp>

#include <xercesc/sax2/DefaultHandler.hpp>

#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace rua::detail {

// Thrown through Xerces to abandon a parse; the reason is kept in the
// handler (or the input stream), never in this object.
struct ParseStopped {};

// Why a parse was abandoned: `limit` selects LimitExceeded over BadInput.
struct ParseFailure {
    bool limit = false;
    std::string message;
};

class ReportHandler final : public xercesc::DefaultHandler {
public:
    explicit ReportHandler(const Limits& limits);

    // Bytes of XML expected (ByteSource::size_hint, 0 when unknown): the
    // record list is reserved from it once, so that a 20,000-record report
    // never holds two copies of the list while it grows.
    void expect_bytes(std::size_t bytes) { m_expected_bytes = bytes; }

    // Hand records over to `stream` in batches of Limits::stream_items once
    // a report has more (kinds/kind.hpp); null: hold every record.
    void stream_to(ItemStream* stream) { m_stream = stream; }

    const std::optional<ParseFailure>& failure() const { return m_failure; }
    // An exception other than bad input thrown by the stream (TryLater, a
    // database error): the parse stopped; the caller rethrows it.
    std::exception_ptr foreign_error() const { return m_foreign; }
    ReportDraft& draft() { return m_draft; }

    // The finished report: finish_report(draft()) when nothing was streamed;
    // else the streamed report, after checking that its head did not change
    // since it began and handing its last batch to the stream (end()).
    // Throws BadInput as finish_report does.
    AggregateReport finish();

    void startElement(const XMLCh* uri, const XMLCh* localname, const XMLCh* qname,
                      const xercesc::Attributes& attrs) override;
    void endElement(const XMLCh* uri, const XMLCh* localname, const XMLCh* qname) override;
    void characters(const XMLCh* chars, XMLSize_t length) override;
    void setDocumentLocator(const xercesc::Locator* locator) override;

    void warning(const xercesc::SAXParseException& exc) override;
    void error(const xercesc::SAXParseException& exc) override;
    void fatalError(const xercesc::SAXParseException& exc) override;

    void startDTD(const XMLCh* name, const XMLCh* public_id, const XMLCh* system_id) override;
    void startEntity(const XMLCh* name) override;
    xercesc::InputSource* resolveEntity(const XMLCh* public_id, const XMLCh* system_id) override;

    // Element kinds; public only so the lookup table in the .cpp can name them.
    enum class Node {
        unknown,
        feedback,
        version,
        metadata,
        org_name,
        email,
        extra_contact_info,
        report_id,
        error,
        generator,
        date_range,
        begin,
        end,
        policy,
        p_domain,
        adkim,
        aspf,
        p,
        sp,
        np,
        pct,
        fo,
        testing,
        discovery_method,
        record,
        row,
        source_ip,
        count,
        policy_evaluated,
        disposition,
        pe_dkim,
        pe_spf,
        reason,
        reason_type,
        reason_comment,
        identifiers,
        header_from,
        envelope_from,
        envelope_to,
        auth_results,
        auth_dkim,
        dkim_domain,
        dkim_selector,
        dkim_result,
        dkim_human_result,
        auth_spf,
        spf_domain,
        spf_scope,
        spf_result,
        spf_human_result,
    };

private:
    [[noreturn]] void fail(bool limit, std::string message);
    void start_container(Node node);
    void end_container(Node node);
    void reserve_records(std::vector<Record>& records) const;
    void store_leaf(Node node, const std::string& text);
    void store_record_leaf(Node node, const std::string& text);
    std::string record_label() const;
    void add_record();
    void begin_stream();
    template <typename Fn> void streaming(Fn&& fn);
    std::string position() const;

    const Limits& m_limits;
    const xercesc::Locator* m_locator = nullptr;
    std::optional<ParseFailure> m_failure;
    ReportDraft m_draft;
    Warnings m_warnings;
    std::vector<Node> m_stack;
    std::u16string m_root_uri;
    std::string m_text; // text of the innermost element, when it is a leaf
    std::string m_name; // scratch: the current element's local name
    std::size_t m_leaf_depth = 0;
    std::size_t m_expected_bytes = 0;
    ItemStream* m_stream = nullptr;
    std::exception_ptr m_foreign;
    // The report being streamed (after begin()), holding the current batch,
    // and its head's fingerprint encoding at begin().
    std::unique_ptr<AggregateReport> m_live;
    std::string m_live_head;
    Record m_record;
    bool m_record_has_ip = false;
    bool m_record_has_count = false;
    Reason m_reason;
    DkimAuth m_dkim;
    SpfAuth m_spf;
};

} // namespace rua::detail
