// report_sender: sends distinct DMARC aggregate-report mails over SMTP from
// several threads, one connection per message, and prints the rate. A
// benchmark tool for tests/bench/wire/run.sh, never a test: it fails (exit 1)
// only when a message is not accepted. It must never send anywhere but the
// loopback address it is given.
//
// Usage: report_sender PORT RCPT PREFIX MESSAGES THREADS [RECORDS]
//   report ids are PREFIX-0 .. PREFIX-(MESSAGES-1), policy domain example.com
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

constexpr std::size_t k_line_width = 76;

std::string base64(const std::string& in) {
    static constexpr char k_alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::size_t column = 0;
    for (std::size_t i = 0; i < in.size(); i += 3) {
        const auto byte = [&](std::size_t at) {
            return at < in.size() ? static_cast<unsigned>(static_cast<unsigned char>(in[at])) : 0U;
        };
        const unsigned triple = (byte(i) << 16U) | (byte(i + 1) << 8U) | byte(i + 2);
        out += k_alphabet[(triple >> 18U) & 63U];
        out += k_alphabet[(triple >> 12U) & 63U];
        out += i + 1 < in.size() ? k_alphabet[(triple >> 6U) & 63U] : '=';
        out += i + 2 < in.size() ? k_alphabet[triple & 63U] : '=';
        column += 4;
        if (column >= k_line_width) {
            out += "\r\n";
            column = 0;
        }
    }
    if (column != 0) {
        out += "\r\n";
    }
    return out;
}

// One aggregate report: a distinct report id, `records` records.
std::string report_xml(const std::string& report_id, int records) {
    std::string xml =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feedback>\n"
        "  <report_metadata>\n    <org_name>wire-bench.example</org_name>\n"
        "    <email>noreply-dmarc@wire-bench.example</email>\n"
        "    <report_id>" +
        report_id +
        "</report_id>\n"
        "    <date_range><begin>1763683200</begin><end>1763769599</end></date_range>\n"
        "  </report_metadata>\n"
        "  <policy_published><domain>example.com</domain><adkim>r</adkim>"
        "<aspf>r</aspf><p>reject</p><sp>reject</sp><pct>100</pct>"
        "</policy_published>\n";
    for (int i = 0; i < records; ++i) {
        const std::string ip = "198.51.100." + std::to_string(i % 250 + 1);
        xml += "  <record>\n    <row><source_ip>" + ip + "</source_ip><count>" +
               std::to_string(i + 1) +
               "</count><policy_evaluated><disposition>none</disposition><dkim>pass</dkim>"
               "<spf>pass</spf></policy_evaluated></row>\n"
               "    <identifiers><header_from>example.com</header_from></identifiers>\n"
               "    <auth_results><dkim><domain>example.com</domain><selector>s1</selector>"
               "<result>pass</result></dkim><spf><domain>example.com</domain>"
               "<result>pass</result></spf></auth_results>\n  </record>\n";
    }
    xml += "</feedback>\n";
    return xml;
}

std::string report_mail(const std::string& rcpt, const std::string& report_id, int records) {
    const std::string boundary = "=_wire_" + report_id;
    const std::string name =
        "wire-bench.example!example.com!1763683200!1763769599!" + report_id + ".xml";
    return "From: noreply-dmarc@wire-bench.example\r\n"
           "To: " +
           rcpt +
           "\r\nSubject: Report Domain: example.com Submitter: wire-bench.example Report-ID: " +
           report_id + "\r\nMessage-ID: <" + report_id +
           "@wire-bench.example>\r\nMIME-Version: 1.0\r\n"
           "Content-Type: multipart/mixed; boundary=\"" +
           boundary + "\"\r\n\r\n--" + boundary +
           "\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nDMARC aggregate report.\r\n--" +
           boundary + "\r\nContent-Type: text/xml; name=\"" + name +
           "\"\r\nContent-Disposition: attachment; filename=\"" + name +
           "\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
           base64(report_xml(report_id, records)) + "--" + boundary + "--\r\n";
}

class Connection {
public:
    explicit Connection(int port) : m_fd(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
        if (m_fd < 0) {
            throw std::runtime_error("socket failed");
        }
        timeval timeout{60, 0};
        setsockopt(m_fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
        setsockopt(m_fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
        const int on = 1;
        setsockopt(m_fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(static_cast<std::uint16_t>(port));
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (connect(m_fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
            ::close(m_fd);
            throw std::runtime_error("connect failed");
        }
    }
    ~Connection() { ::close(m_fd); }
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    void send(const std::string& text) {
        std::size_t done = 0;
        while (done < text.size()) {
            const ssize_t n = ::send(m_fd, text.data() + done, text.size() - done, MSG_NOSIGNAL);
            if (n <= 0) {
                throw std::runtime_error("send failed");
            }
            done += static_cast<std::size_t>(n);
        }
    }

    // The last line of the next (possibly multi-line) reply; throws unless
    // its code starts with `expect`.
    std::string expect(char expect) {
        for (;;) {
            std::string line = read_line();
            if (line.size() >= 4 && line[3] == '-') {
                continue;
            }
            if (line.empty() || line[0] != expect) {
                throw std::runtime_error("unexpected reply: " + line);
            }
            return line;
        }
    }

private:
    std::string read_line() {
        for (;;) {
            const auto eol = m_pending.find("\r\n");
            if (eol != std::string::npos) {
                std::string line = m_pending.substr(0, eol);
                m_pending.erase(0, eol + 2);
                return line;
            }
            char buffer[4096];
            const ssize_t n = ::recv(m_fd, buffer, sizeof(buffer), 0);
            if (n <= 0) {
                throw std::runtime_error("connection closed or timed out");
            }
            m_pending.append(buffer, static_cast<std::size_t>(n));
        }
    }

    int m_fd;
    std::string m_pending;
};

void send_one(int port, const std::string& rcpt, const std::string& mail) {
    Connection smtp(port);
    smtp.expect('2');
    smtp.send("EHLO wire-bench.example\r\n");
    smtp.expect('2');
    smtp.send("MAIL FROM:<noreply-dmarc@wire-bench.example>\r\n");
    smtp.expect('2');
    smtp.send("RCPT TO:<" + rcpt + ">\r\n");
    smtp.expect('2');
    smtp.send("DATA\r\n");
    smtp.expect('3');
    smtp.send(mail + ".\r\n");
    smtp.expect('2');
    smtp.send("QUIT\r\n");
    smtp.expect('2');
}

// A decimal argument in [low, high], else -1.
int number(const char* text, int low, int high) {
    const std::string_view view(text);
    int value = 0;
    const auto [ptr, ec] = std::from_chars(view.data(), view.data() + view.size(), value);
    if (ec != std::errc() || ptr != view.data() + view.size() || value < low || value > high) {
        return -1;
    }
    return value;
}

} // namespace

int main(int argc, char** argv) {
    const int port = argc >= 6 ? number(argv[1], 1, 65535) : -1;
    const int messages = argc >= 6 ? number(argv[4], 0, 1000000) : -1;
    const int threads = argc >= 6 ? number(argv[5], 1, 256) : -1;
    const int records = argc > 6 ? number(argv[6], 1, 100000) : 10;
    if (port < 0 || messages < 0 || threads < 0 || records < 0) {
        static_cast<void>(std::fprintf(
            stderr, "usage: report_sender PORT RCPT PREFIX MESSAGES THREADS [RECORDS]\n"));
        return 2;
    }
    const std::string rcpt = argv[2];
    const std::string prefix = argv[3];

    std::vector<std::string> mails;
    mails.reserve(static_cast<std::size_t>(messages));
    for (int i = 0; i < messages; ++i) {
        mails.push_back(report_mail(rcpt, prefix + "-" + std::to_string(i), records));
    }
    std::atomic<int> next{0};
    std::atomic<int> failed{0};
    std::vector<double> latency_ms(static_cast<std::size_t>(messages), 0.0);
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> workers;
    workers.reserve(static_cast<std::size_t>(threads));
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back([&] {
            for (int i = next++; i < messages; i = next++) {
                const auto begin = std::chrono::steady_clock::now();
                try {
                    send_one(port, rcpt, mails[static_cast<std::size_t>(i)]);
                } catch (const std::exception& e) {
                    if (failed++ < 5) {
                        static_cast<void>(std::fprintf(stderr, "report_sender: %s-%d: %s\n",
                                                       prefix.c_str(), i, e.what()));
                    }
                }
                latency_ms[static_cast<std::size_t>(i)] =
                    std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() -
                                                              begin)
                        .count();
            }
        });
    }
    for (auto& worker : workers) {
        worker.join();
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::sort(latency_ms.begin(), latency_ms.end());
    const double median = messages > 0 ? latency_ms[static_cast<std::size_t>(messages / 2)] : 0.0;
    std::printf("sent=%d failed=%d seconds=%.3f msg_per_s=%.1f median_ms=%.2f\n", messages,
                failed.load(), seconds, seconds > 0 ? messages / seconds : 0.0, median);
    return failed.load() == 0 ? 0 : 1;
}
