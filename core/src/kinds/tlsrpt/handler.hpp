// The TLS report builder behind the SAX parse (parse.cpp): takes JSON events
// one at a time and builds a TlsReport, enforcing every bound (depth,
// policies, failure details, string and list lengths, counts) at the event
// that would break it. Knows nothing of nlohmann: parse.cpp adapts its
// events. Must never hold more of the document than the report it builds.
#pragma once

#include "kinds/tlsrpt/members.hpp"
#include "kinds/tlsrpt/values.hpp"

#include <rua/kinds/tlsrpt.hpp>
#include <rua/limits.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace rua::detail::tlsrpt {

// Thrown when the first member of the top-level object shows the JSON is
// something else than a TLS report; parse_tlsrpt then returns null.
struct NotTlsReport {};

class ReportHandler {
public:
    explicit ReportHandler(const Limits& limits);

    // Every method throws BadInput (LimitExceeded for a bound) or NotTlsReport.
    void start_container(bool object);
    void end_container();
    void key(std::string_view name);
    // `text` holds a string value (Scalar::Type::string) and may be moved from.
    void scalar(const Scalar& value, std::string* text);

    // After the whole document: the report, or null when it was an empty
    // object (no member told it was a TLS report).
    std::unique_ptr<TlsReport> finish();

private:
    struct Frame {
        Ctx ctx = Ctx::skip;
        Member member = Member::none; // objects: the member whose value comes next
        std::uint32_t seen = 0;       // objects: a bit per Member met
        std::size_t list_bytes = 0;   // lists: bytes of the items so far
        Member list_member = Member::none;
        std::vector<std::string>* list = nullptr;
    };

    // handler.cpp: the frames.
    void push(Ctx ctx);
    void open_member(Frame& top, bool object);
    void apply_list_item(Frame& top, const Scalar& value, std::string* text);
    // fill.cpp: what values become, what closed objects must hold.
    void apply(Member member, const Scalar& value, std::string* text);
    void close_report(std::uint32_t seen);
    void close_policy(std::uint32_t seen);
    void close_policy_entry(std::uint32_t seen);
    void close_summary(std::uint32_t seen);
    void close_failure(std::uint32_t seen);

    std::string where() const; // "", "policy 2: ", "policy 2, failure detail 3: "
    std::string label(Member member) const;
    std::string take_string(Member member, const Scalar& value, std::string* text) const;
    OptString take_optional(Member member, const Scalar& value, std::string* text) const;
    void check_length(std::size_t size, const std::string& what) const;
    TlsPolicy& policy() { return m_report->policies.back(); }
    TlsFailureDetail& failure() { return policy().failure_details.back(); }

    const Limits& m_limits;
    std::unique_ptr<TlsReport> m_report;
    Warnings m_warnings;
    std::vector<Frame> m_stack;
    bool m_is_report = false; // a first member told it is a TLS report
    bool m_in_policy = false;
    bool m_in_failure = false;
    std::size_t m_failure_total = 0;
};

} // namespace rua::detail::tlsrpt
