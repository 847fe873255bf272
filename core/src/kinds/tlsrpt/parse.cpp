// The JSON stage of the tlsrpt kind: nlohmann-json's SAX parser reads the
// ByteSource through a small std::streambuf and feeds ReportHandler one
// event at a time; no DOM is built and the document is never held whole.
//
// Why nlohmann rather than simdjson: a streaming SAX parse lets every bound
// (depth, policies, failure details, field length) be checked at the event
// that breaks it, and needs no copy of the document. simdjson's on-demand
// API wants the whole input in memory, padded, before it starts. The one
// thing nlohmann does hold is the token being read (a string, a number or a
// run of white space), which the decompression Budget bounds.
#include "kinds/tlsrpt/parse.hpp"

#include "kinds/tlsrpt/handler.hpp"

#include <rua/errors.hpp>

#include <fmt/format.h>

#include <istream>
#include <memory>
#include <nlohmann/json.hpp>
#include <streambuf>
#include <string>

namespace rua::detail {

namespace {

using json = nlohmann::json;
using tlsrpt::ReportHandler;
using tlsrpt::Scalar;

constexpr std::size_t k_buffer_bytes = 16u << 10;

// A read-only streambuf over a ByteSource. What the source throws (a bound,
// corrupt gzip) passes through nlohmann untouched: it calls sbumpc()
// directly, outside any istream sentry that would swallow it.
class SourceBuffer final : public std::streambuf {
public:
    explicit SourceBuffer(ByteSource& source)
        : m_source(source), m_buffer(std::make_unique<char[]>(k_buffer_bytes)) {}

protected:
    int_type underflow() override {
        const std::size_t n = m_source.read(m_buffer.get(), k_buffer_bytes);
        if (n == 0) {
            return traits_type::eof();
        }
        setg(m_buffer.get(), m_buffer.get(), m_buffer.get() + n);
        return traits_type::to_int_type(m_buffer[0]);
    }

private:
    ByteSource& m_source;
    std::unique_ptr<char[]> m_buffer;
};

// nlohmann's reason without its prefix ("[json.exception.parse_error.101]
// parse error at line 1, column 7: ") and without "; last read: '...'",
// which quotes sender bytes; what is left is nlohmann's own text (and a
// number's digits), kept printable all the same.
std::string reason(const std::string& what) {
    std::string text = what;
    if (const auto bracket = text.find("] "); bracket != std::string::npos) {
        text.erase(0, bracket + 2);
    }
    if (text.rfind("parse error", 0) == 0) {
        if (const auto colon = text.find(": "); colon != std::string::npos) {
            text.erase(0, colon + 2);
        }
    }
    if (const auto last = text.find("; last read: "); last != std::string::npos) {
        const auto expected = text.rfind("; expected ");
        text = text.substr(0, last) +
               (expected != std::string::npos && expected > last ? text.substr(expected) : "");
    }
    for (char& c : text) {
        if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
            c = '?';
        }
    }
    return text;
}

// The SAX interface nlohmann expects, forwarding to ReportHandler.
class Sax {
public:
    explicit Sax(ReportHandler& handler) : m_handler(handler) {}

    bool null() { return scalar(Scalar{}); }
    bool boolean(bool value) {
        Scalar s;
        s.type = Scalar::Type::boolean;
        s.boolean = value;
        return scalar(s);
    }
    bool number_integer(json::number_integer_t value) {
        Scalar s;
        s.type = value < 0 ? Scalar::Type::negative : Scalar::Type::number;
        s.negative = value;
        s.number = value < 0 ? 0 : static_cast<std::uint64_t>(value);
        return scalar(s);
    }
    bool number_unsigned(json::number_unsigned_t value) {
        Scalar s;
        s.type = Scalar::Type::number;
        s.number = value;
        return scalar(s);
    }
    bool number_float(json::number_float_t /*value*/, const json::string_t& text) {
        Scalar s;
        s.type = Scalar::Type::other_number;
        s.text = text;
        return scalar(s);
    }
    bool string(json::string_t& value) {
        Scalar s;
        s.type = Scalar::Type::string;
        s.text = value;
        m_handler.scalar(s, &value);
        return true;
    }
    bool binary(json::binary_t& /*value*/) { return true; } // never produced for JSON text
    bool start_object(std::size_t /*elements*/) {
        m_handler.start_container(true);
        return true;
    }
    bool key(json::string_t& name) {
        m_handler.key(name);
        return true;
    }
    bool end_object() {
        m_handler.end_container();
        return true;
    }
    bool start_array(std::size_t /*elements*/) {
        m_handler.start_container(false);
        return true;
    }
    bool end_array() {
        m_handler.end_container();
        return true;
    }
    [[noreturn]] bool parse_error(std::size_t position, const std::string& /*last_token*/,
                                  const nlohmann::detail::exception& error) {
        // `position` counts the bytes read, the offending one included.
        throw BadInput(fmt::format("invalid JSON at byte offset {}: {}",
                                   position > 0 ? position - 1 : 0, reason(error.what())));
    }

private:
    bool scalar(const Scalar& value) {
        m_handler.scalar(value, nullptr);
        return true;
    }

    ReportHandler& m_handler;
};

} // namespace

std::unique_ptr<TlsReport> parse_tlsrpt(ByteSource& source, const Limits& limits) {
    ReportHandler handler(limits);
    Sax sax(handler);
    SourceBuffer buffer(source);
    std::istream stream(&buffer);
    try {
        if (!json::sax_parse(stream, &sax, json::input_format_t::json, true, false)) {
            throw BadInput("invalid JSON");
        }
    } catch (const tlsrpt::NotTlsReport&) {
        return nullptr;
    } catch (const json::exception& error) {
        throw BadInput("invalid JSON: " + reason(error.what()));
    }
    return handler.finish();
}

} // namespace rua::detail
