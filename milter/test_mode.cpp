// Test mode: a MilterApi that prints instead of talking to an MTA, and a
// tiny "MTA" that splits a message file into header fields and body
// chunks. Line ends are made CRLF first, as they are on the wire.
#include "test_mode.hpp"

#include "config_store.hpp"
#include "config_values.hpp"
#include "filter.hpp"
#include "log.hpp"
#include "store_backend.hpp"

#include <rua/address.hpp>

#include <fmt/format.h>

#include <fstream>
#include <sstream>
#include <vector>

namespace rua::milter {

namespace {

constexpr int k_ex_noinput = 66;
constexpr int k_ex_unavailable = 69;
constexpr int k_ex_tempfail = 75;
constexpr std::size_t k_chunk = 65535; // MILTER_CHUNK_SIZE

class PrintingApi final : public MilterApi {
public:
    explicit PrintingApi(std::ostream& out) : m_out(out) {}

    void* get_private(SMFICTX* /*ctx*/) override { return m_private; }
    void set_private(SMFICTX* /*ctx*/, void* data) override { m_private = data; }
    std::optional<std::string> symbol(SMFICTX* /*ctx*/, const char* name) override {
        if (std::string_view(name) == "i") {
            return std::string("TESTMODE");
        }
        return std::nullopt;
    }
    bool set_reply(SMFICTX* /*ctx*/, const char* rcode, const char* xcode,
                   const std::string& text) override {
        m_reply = fmt::format("{} {} {}", rcode, xcode, text);
        return true;
    }
    bool add_header(SMFICTX* /*ctx*/, const std::string& name, const std::string& value) override {
        m_out << "add header: " << name << ": " << value << '\n';
        return true;
    }
    bool delete_recipient(SMFICTX* /*ctx*/, const std::string& recipient) override {
        m_out << "remove recipient: " << recipient << '\n';
        return true;
    }
    bool progress(SMFICTX* /*ctx*/) override { return true; }

    // The reply the MTA would give for `status`, then forgets any set reply.
    std::string reply(sfsistat status) {
        std::string text = std::move(m_reply);
        m_reply.clear();
        if (!text.empty() && (status == SMFIS_REJECT || status == SMFIS_TEMPFAIL)) {
            return text;
        }
        switch (status) {
        case SMFIS_REJECT:
            return "550 5.7.1 Command rejected";
        case SMFIS_TEMPFAIL:
            return "451 4.7.1 Service unavailable - try again later";
        case SMFIS_DISCARD:
            return "250 2.0.0 Ok (message discarded)";
        default:
            return "250 2.0.0 Ok";
        }
    }

private:
    std::ostream& m_out;
    void* m_private = nullptr;
    std::string m_reply;
};

std::string to_crlf(const std::string& text) {
    std::string out;
    out.reserve(text.size() + text.size() / 40);
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) {
            out += '\r';
        }
        out += text[i];
    }
    return out;
}

struct Field {
    std::string name;
    std::string value; // after the colon, leading space kept, folds as CRLF
};

// Splits "Name: value\r\n folded\r\n" lines; stops at the empty line.
std::vector<Field> split_header(std::string_view head) {
    std::vector<Field> fields;
    while (!head.empty()) {
        auto end = head.find("\r\n");
        auto line = head.substr(0, end);
        head.remove_prefix(end == std::string_view::npos ? head.size() : end + 2);
        if (!line.empty() && (line.front() == ' ' || line.front() == '\t') && !fields.empty()) {
            fields.back().value += "\r\n";
            fields.back().value += line;
            continue;
        }
        auto colon = line.find(':');
        if (colon == std::string_view::npos) {
            continue; // not a header field; an MTA would not pass it either
        }
        fields.push_back(
            Field{std::string(line.substr(0, colon)), std::string(line.substr(colon + 1))});
    }
    return fields;
}

std::string first_to(const std::vector<Field>& fields) {
    for (const auto& field : fields) {
        if (to_lower(field.name) == "to") {
            const auto& v = field.value;
            auto open = v.find('<');
            auto close = v.find('>', open == std::string::npos ? 0 : open);
            if (open != std::string::npos && close != std::string::npos) {
                return v.substr(open + 1, close - open - 1);
            }
            auto comma = v.find(',');
            auto first = v.substr(0, comma);
            return normalize_address(first).value_or(first);
        }
    }
    return {};
}

int exit_status(const std::string& reply) {
    if (!reply.empty() && reply.front() == '5') {
        return k_ex_unavailable;
    }
    if (!reply.empty() && reply.front() == '4') {
        return k_ex_tempfail;
    }
    return 0;
}

} // namespace

int run_test_mode(const ConfigPtr& config, const std::string& file,
                  const std::optional<std::string>& rcpt, std::ostream& out) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream buffer;
    buffer << in.rdbuf();
    if (!in) {
        out << "rua-milter: cannot read " << file << '\n';
        return k_ex_noinput;
    }
    const std::string raw = to_crlf(buffer.str());
    auto split = raw.find("\r\n\r\n");
    const std::string_view head = split == std::string::npos
                                      ? std::string_view(raw)
                                      : std::string_view(raw).substr(0, split + 2);
    const std::string_view body =
        split == std::string::npos ? std::string_view() : std::string_view(raw).substr(split + 4);
    const auto fields = split_header(head);
    const std::string recipient = rcpt ? *rcpt : first_to(fields);
    if (recipient.empty()) {
        out << "rua-milter: no recipient: give -r RCPT\n";
        return k_ex_noinput;
    }

    // The outcome lines (what was stored) go with the replies, in order.
    log_set_sink([&out](LogLevel level, std::string_view line) {
        out << "log " << to_string(level) << ": " << line << '\n';
    });
    struct SinkReset {
        ~SinkReset() { log_set_sink(nullptr); }
    } sink_reset;
    ConfigStore store(config);
    auto backend =
        std::make_shared<StoreBackend>(config->database_uri, 1, config->registry_refresh);
    backend->start(false);
    PrintingApi api(out);
    Filter filter(api, backend, store);
    SMFICTX* ctx = nullptr; // PrintingApi ignores the context
    filter.negotiated(ctx, true);
    filter.connect(ctx);
    filter.envfrom(ctx);
    const std::string rcpt_arg = "<" + recipient + ">";
    auto status = filter.envrcpt(ctx, rcpt_arg);
    std::string reply = api.reply(status);
    out << "RCPT TO:" << rcpt_arg << " -> " << reply << '\n';
    if (status == SMFIS_CONTINUE) {
        status = filter.data(ctx);
        for (const auto& field : fields) {
            if (status != SMFIS_CONTINUE) {
                break;
            }
            status = filter.header(ctx, field.name, field.value);
        }
        if (status == SMFIS_CONTINUE) {
            status = filter.eoh(ctx);
        }
        for (std::size_t at = 0; status == SMFIS_CONTINUE && at < body.size(); at += k_chunk) {
            status = filter.body(ctx, body.substr(at, k_chunk));
        }
        if (status == SMFIS_CONTINUE) {
            status = filter.eom(ctx);
        }
        reply = api.reply(status);
        out << "end of data -> " << reply << '\n';
    }
    filter.close(ctx);
    return exit_status(reply);
}

} // namespace rua::milter
