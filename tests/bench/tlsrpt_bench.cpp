// tlsrpt_bench: how fast the tlsrpt kind parses, through the Kind interface
// as ingest calls it. Generates its reports in memory (a typical one: three
// policies, a few failure details; a large one: 10,000 failure details) and
// prints one line each. A measuring tool, not a test: it asserts nothing
// about speed. Usage: tlsrpt_bench [N] (default 20000 typical reports).
#include "byte_source.hpp"
#include "decompress.hpp"
#include "kinds/kind.hpp"
#include "kinds/kinds.hpp"
#include "sniff.hpp"

#include <rua/errors.hpp>
#include <rua/kinds/tlsrpt.hpp>

#include <fmt/core.h>

#include <sys/resource.h>

#include <chrono>
#include <cstdlib>
#include <exception>
#include <string>

namespace {

using Clock = std::chrono::steady_clock;

std::string failure_detail(std::size_t i) {
    return fmt::format(
        R"({{"result-type":"{}","sending-mta-ip":"198.51.100.{}",)"
        R"("receiving-mx-hostname":"mx{}.example.com","receiving-ip":"203.0.113.{}",)"
        R"("failed-session-count":{}}})",
        i % 3 == 0 ? "certificate-expired" : "starttls-not-supported", i % 250 + 1, i % 4 + 1,
        i % 250 + 1, i % 17 + 1);
}

std::string policy(const std::string& domain, std::size_t failures) {
    std::string out = fmt::format(
        R"({{"policy":{{"policy-type":"sts","policy-string":["version: STSv1","mode: enforce",)"
        R"("mx: *.{}","max_age: 604800"],"policy-domain":"{}","mx-host":["*.{}"]}},)"
        R"("summary":{{"total-successful-session-count":{},"total-failure-session-count":{}}})",
        domain, domain, domain, 1000 + failures, failures);
    if (failures > 0) {
        out += R"(,"failure-details":[)";
        for (std::size_t i = 0; i < failures; ++i) {
            out += (i > 0 ? "," : "") + failure_detail(i);
        }
        out += ']';
    }
    return out + '}';
}

std::string report(std::size_t failures_per_policy, std::size_t policies) {
    std::string out = R"({"organization-name":"Bench Sender Inc.","date-range":)"
                      R"({"start-datetime":"2024-01-09T00:00:00Z","end-datetime":)"
                      R"("2024-01-09T23:59:59Z"},"contact-info":"tlsrpt@sender.example",)"
                      R"("report-id":"2024-01-09T00:00:00Z_bench","policies":[)";
    for (std::size_t i = 0; i < policies; ++i) {
        out += (i > 0 ? "," : "") +
               policy("domain" + std::to_string(i) + ".example", i == 0 ? failures_per_policy : 1);
    }
    return out + "]}";
}

// One parse through the Kind, as ingest does it (sniffed head, accepts, parse).
std::size_t parse_once(const std::string& json, const rua::Limits& limits) {
    rua::detail::MemorySource memory(json);
    rua::detail::PeekSource peek(memory);
    const std::string_view head = peek.head();
    rua::detail::Payload payload{"none", std::nullopt, rua::detail::sniff(head), head, peek};
    const rua::detail::Kind& kind = rua::detail::tlsrpt_kind();
    if (!kind.accepts(payload)) {
        throw std::runtime_error("the tlsrpt kind does not accept the generated report");
    }
    const rua::ReportPtr parsed = kind.parse(payload, limits);
    if (!parsed) {
        throw std::runtime_error("the generated report was not read as a TLS report");
    }
    return parsed->items();
}

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

} // namespace

int main(int argc, char** argv) {
    try {
        const std::size_t n = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 20000;
        const rua::Limits limits;

        const std::string typical = report(4, 3);
        std::size_t items = 0;
        const auto start = Clock::now();
        for (std::size_t i = 0; i < n; ++i) {
            items += parse_once(typical, limits);
        }
        const double elapsed = seconds_since(start);
        fmt::print("tlsrpt: {} reports parsed, {:.0f} reports/s ({} bytes, {} policies each)\n", n,
                   elapsed > 0 ? static_cast<double>(n) / elapsed : 0.0, typical.size(),
                   n > 0 ? items / n : 0);

        const std::string large = report(10000, 1);
        const auto large_start = Clock::now();
        parse_once(large, limits);
        const double large_ms = seconds_since(large_start) * 1000.0;
        rusage usage{};
        getrusage(RUSAGE_SELF, &usage);
        fmt::print("tlsrpt: 10000 failure details ({} bytes) parsed in {:.1f} ms, "
                   "peak RSS {:.1f} MiB\n",
                   large.size(), large_ms, static_cast<double>(usage.ru_maxrss) / 1024.0);
        return 0;
    } catch (const std::exception& error) {
        fmt::print(stderr, "tlsrpt_bench: {}\n", error.what());
        return 1;
    }
}
