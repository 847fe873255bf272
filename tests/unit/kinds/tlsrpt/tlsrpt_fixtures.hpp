// Helpers for the tlsrpt kind's unit tests: reading the JSON fixtures of
// tests/fixtures/tlsrpt, parsing through the Kind interface (accepts +
// parse over a memory ByteSource), and hostile inputs generated at test
// time without ever being held whole. Never reads third-party samples.
#pragma once

#include "byte_source.hpp"

#include <rua/kinds/tlsrpt.hpp>
#include <rua/limits.hpp>

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace tlsrpt_test {

// tests/fixtures/tlsrpt/<name>, whole.
std::string fixture(const std::string& name);

// Through rua::detail::tlsrpt_kind(): REQUIREs accepts(), returns parse()'s
// report (null when it is not a TLS report). Throws what parse() throws.
std::unique_ptr<rua::TlsReport> parse(std::string_view json, const rua::Limits& limits = {});
std::unique_ptr<rua::TlsReport> parse(rua::detail::ByteSource& source,
                                      const rua::Limits& limits = {});

// The message of the BadInput parse() throws; "parsed" when it does not.
std::string refusal(std::string_view json, const rua::Limits& limits = {});

// A one-policy report around `policy` (the JSON object of one "policies"
// entry), with valid top-level members.
std::string report_with_policy(std::string_view policy);

// gzip of prefix + `spaces` spaces + suffix, deflated in 1 MiB pieces, so a
// gigabyte of white space never exists in memory.
std::string gzip_with_spaces(std::string_view prefix, std::size_t spaces, std::string_view suffix);

// A ByteSource that produces head, then `count` times item(i) (joined by
// commas), then tail, one piece at a time; counts the bytes it handed out.
class GeneratedSource final : public rua::detail::ByteSource {
public:
    GeneratedSource(std::string head, std::size_t count,
                    std::function<std::string(std::size_t)> item, std::string tail);
    std::size_t read(char* buffer, std::size_t max) override;
    std::size_t produced() const { return m_produced; }

private:
    std::string m_head;
    std::size_t m_count;
    std::function<std::string(std::size_t)> m_item;
    std::string m_tail;
    std::size_t m_next = 0; // items generated so far
    bool m_tail_queued = false;
    std::string m_pending;
    std::size_t m_offset = 0;
    std::size_t m_produced = 0;
};

} // namespace tlsrpt_test
