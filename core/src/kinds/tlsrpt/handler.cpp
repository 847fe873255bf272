// The TLS report builder (handler.hpp): a stack of frames, one per open JSON
// container, each knowing which part of the report it fills. Bounds are
// checked when a container opens or a value arrives, so a hostile document
// is refused at the first event past a bound, never after being read whole.
// What each value and each closed object means for the report: fill.cpp.
#include "kinds/tlsrpt/handler.hpp"

#include <rua/errors.hpp>

#include <fmt/format.h>

namespace rua::detail::tlsrpt {

ReportHandler::ReportHandler(const Limits& limits)
    : m_limits(limits), m_report(std::make_unique<TlsReport>()), m_warnings(m_report->warnings) {}

std::string ReportHandler::where() const {
    if (m_in_failure) {
        return fmt::format("policy {}, failure detail {}: ", m_report->policies.size(),
                           m_report->policies.back().failure_details.size());
    }
    if (m_in_policy) {
        return fmt::format("policy {}: ", m_report->policies.size());
    }
    return {};
}

std::string ReportHandler::label(Member member) const {
    return where() + std::string(member_name(member));
}

void ReportHandler::check_length(std::size_t size, const std::string& what) const {
    if (size > m_limits.max_field_bytes) {
        throw LimitExceeded(fmt::format("{} longer than {} bytes", what, m_limits.max_field_bytes));
    }
}

void ReportHandler::push(Ctx ctx) {
    Frame frame;
    frame.ctx = ctx;
    m_stack.push_back(frame);
}

void ReportHandler::start_container(bool object) {
    if (m_stack.size() >= m_limits.max_json_depth) {
        throw LimitExceeded(
            fmt::format("JSON nesting deeper than {} levels", m_limits.max_json_depth));
    }
    if (m_stack.empty()) {
        if (!object) {
            throw BadInput("JSON top-level value is not an object");
        }
        push(Ctx::report);
        return;
    }
    Frame& top = m_stack.back();
    switch (top.ctx) {
    case Ctx::skip:
        push(Ctx::skip);
        return;
    case Ctx::list:
        throw BadInput(label(top.list_member) + " item is not a string");
    case Ctx::policies:
        if (!object) {
            throw BadInput(
                fmt::format("policy {} is not an object", m_report->policies.size() + 1));
        }
        if (m_report->policies.size() >= m_limits.max_policies) {
            throw LimitExceeded(fmt::format("more than {} policies", m_limits.max_policies));
        }
        m_report->policies.emplace_back();
        m_in_policy = true;
        push(Ctx::policy_entry);
        return;
    case Ctx::failures:
        if (!object) {
            throw BadInput(fmt::format("{}failure detail {} is not an object", where(),
                                       policy().failure_details.size() + 1));
        }
        if (m_failure_total >= m_limits.max_failure_details) {
            throw LimitExceeded(
                fmt::format("more than {} failure details", m_limits.max_failure_details));
        }
        ++m_failure_total;
        policy().failure_details.emplace_back();
        m_in_failure = true;
        push(Ctx::failure);
        return;
    default:
        open_member(top, object);
    }
}

// A container as the value of the member `top` is waiting for.
void ReportHandler::open_member(Frame& top, bool object) {
    const Member member = top.member;
    top.member = Member::none;
    if (member == Member::unknown || member == Member::none) {
        push(Ctx::skip);
        return;
    }
    Ctx ctx = Ctx::skip;
    switch (member) {
    case Member::date_range:
        ctx = object ? Ctx::date_range : Ctx::skip;
        break;
    case Member::policies:
        ctx = object ? Ctx::skip : Ctx::policies;
        break;
    case Member::policy:
        ctx = object ? Ctx::policy : Ctx::skip;
        break;
    case Member::summary:
        ctx = object ? Ctx::summary : Ctx::skip;
        break;
    case Member::failure_details:
        ctx = object ? Ctx::skip : Ctx::failures;
        break;
    case Member::policy_string:
    case Member::mx_host:
        ctx = object ? Ctx::skip : Ctx::list;
        break;
    default:
        break;
    }
    if (ctx == Ctx::skip) {
        throw BadInput(fmt::format("{} is not {}", label(member), expected_type(member)));
    }
    push(ctx);
    if (ctx == Ctx::list) {
        Frame& list = m_stack.back();
        list.list_member = member;
        list.list = member == Member::mx_host ? &policy().mx_host : &policy().policy_string;
        list.list->clear();
    }
}

void ReportHandler::key(std::string_view name) {
    check_length(name.size(), where() + "member name");
    Frame& top = m_stack.back();
    if (top.ctx == Ctx::skip) {
        return;
    }
    const MemberName* found = find_member(top.ctx, name);
    const Member member = found == nullptr ? Member::unknown : found->member;
    if (top.ctx == Ctx::report && !m_is_report) {
        if (member == Member::unknown) {
            throw NotTlsReport{};
        }
        m_is_report = true;
    }
    if (member != Member::unknown) {
        if (has_member(top.seen, member)) {
            throw BadInput(where() + "duplicate member " + std::string(member_name(member)));
        }
        top.seen |= member_bit(member);
        if (found->alias) {
            m_warnings.add(fmt::format("{}{} read as {}", where(), name, member_name(member)));
        }
    }
    top.member = member;
}

void ReportHandler::scalar(const Scalar& value, std::string* text) {
    if (m_stack.empty()) {
        throw BadInput("JSON top-level value is not an object");
    }
    Frame& top = m_stack.back();
    switch (top.ctx) {
    case Ctx::skip:
        check_length(value.text.size(), where() + "a string");
        return;
    case Ctx::list:
        apply_list_item(top, value, text);
        return;
    case Ctx::policies:
        throw BadInput(fmt::format("policy {} is not an object", m_report->policies.size() + 1));
    case Ctx::failures:
        throw BadInput(fmt::format("{}failure detail {} is not an object", where(),
                                   policy().failure_details.size() + 1));
    default: {
        const Member member = top.member;
        top.member = Member::none;
        if (member == Member::unknown || member == Member::none) {
            check_length(value.text.size(), where() + "a string");
            return;
        }
        if (value.type == Scalar::Type::null &&
            (member == Member::failure_details || member == Member::policy_string ||
             member == Member::mx_host)) {
            top.seen &= ~member_bit(member); // null: as if absent
            return;
        }
        apply(member, value, text);
    }
    }
}

void ReportHandler::apply_list_item(Frame& top, const Scalar& value, std::string* text) {
    if (value.type != Scalar::Type::string) {
        throw BadInput(label(top.list_member) + " item is not a string");
    }
    // Each item costs its bytes plus one, so a list of empty strings is bounded too.
    top.list_bytes += value.text.size() + 1;
    check_length(top.list_bytes, label(top.list_member));
    top.list->push_back(std::move(*text));
}

void ReportHandler::end_container() {
    const Frame frame = m_stack.back();
    switch (frame.ctx) {
    case Ctx::report:
        close_report(frame.seen);
        break;
    case Ctx::date_range:
        if (!has_member(frame.seen, Member::start_datetime)) {
            throw BadInput("missing date-range/start-datetime");
        }
        if (!has_member(frame.seen, Member::end_datetime)) {
            throw BadInput("missing date-range/end-datetime");
        }
        break;
    case Ctx::policy_entry:
        close_policy_entry(frame.seen);
        m_in_policy = false;
        break;
    case Ctx::policy:
        close_policy(frame.seen);
        break;
    case Ctx::summary:
        close_summary(frame.seen);
        break;
    case Ctx::failure:
        close_failure(frame.seen);
        m_in_failure = false;
        break;
    default:
        break;
    }
    m_stack.pop_back();
}

std::unique_ptr<TlsReport> ReportHandler::finish() {
    if (!m_is_report) {
        return nullptr;
    }
    m_warnings.close();
    return std::move(m_report);
}

} // namespace rua::detail::tlsrpt
