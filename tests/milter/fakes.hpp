// Test doubles for the filter's two seams: a MilterApi that records every
// smfi_* call, and a Backend with a settable registry and verdict that
// records what it was asked to process (and can be held at a gate).
#pragma once

#include "backend.hpp"
#include "milter_api.hpp"
#include "worker_pool.hpp"

#include <rua/budget.hpp>
#include <rua/kinds/aggregate.hpp>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace rua::milter::test {

// ProcessResult owns its reports and cannot be copied; the fake hands out a
// copy of the same canned result on every call. The tests' reports are all
// aggregate reports.
inline ProcessResult copy_of(const ProcessResult& from) {
    ProcessResult to;
    to.verdict = from.verdict;
    to.reason = from.reason;
    to.foreign_domain = from.foreign_domain;
    to.ingest.attachments = from.ingest.attachments;
    to.ingest.diagnostics = from.ingest.diagnostics;
    for (const auto& report : from.ingest.reports) {
        to.ingest.reports.push_back(
            std::make_unique<AggregateReport>(report_as<AggregateReport>(*report)));
    }
    to.outcome = from.outcome;
    to.quarantine_id = from.quarantine_id;
    to.reason_code = from.reason_code;
    to.bad_parts = from.bad_parts;
    return to;
}

class FakeApi final : public MilterApi {
public:
    // Every call takes m_mutex: several connections may run at once.
    void* get_private(SMFICTX* ctx) override {
        std::lock_guard<std::mutex> lock(m_mutex);
        return m_private[ctx];
    }
    void set_private(SMFICTX* ctx, void* data) override {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_private[ctx] = data;
    }
    std::optional<std::string> symbol(SMFICTX* /*ctx*/, const char* name) override {
        std::lock_guard<std::mutex> lock(m_mutex);
        auto it = symbols.find(name);
        return it == symbols.end() ? std::nullopt : std::optional<std::string>(it->second);
    }
    bool set_reply(SMFICTX* /*ctx*/, const char* rcode, const char* xcode,
                   const std::string& text) override {
        std::lock_guard<std::mutex> lock(m_mutex);
        replies.push_back(std::string(rcode) + " " + xcode + " " + text);
        return true;
    }
    // Records the header line as the MTA writes it: like Postfix and
    // Sendmail, the value right after the colon when SMFIP_HDR_LEADSPC was
    // negotiated (`leading_space`), else after a space the MTA adds.
    bool add_header(SMFICTX* /*ctx*/, const std::string& name, const std::string& value) override {
        std::lock_guard<std::mutex> lock(m_mutex);
        headers.push_back(name + ":" + (leading_space ? "" : " ") + value);
        return true;
    }
    bool delete_recipient(SMFICTX* /*ctx*/, const std::string& recipient) override {
        std::lock_guard<std::mutex> lock(m_mutex);
        deleted.push_back(recipient);
        return true;
    }
    bool progress(SMFICTX* /*ctx*/) override { return true; }

    bool leading_space = true; // what the Harness negotiates
    std::map<std::string, std::string> symbols{{"i", "3F2A1C9"}};
    std::vector<std::string> replies;
    std::vector<std::string> headers;
    std::vector<std::string> deleted;

private:
    std::mutex m_mutex;
    std::map<SMFICTX*, void*> m_private;
};

class FakeBackend final : public Backend {
public:
    std::shared_ptr<const Registry> registry() const override { return registry_snapshot; }

    ProcessResult process(std::string_view raw_message, const Limits& limits_given,
                          const Arrival& arrival_given, const ProcessOptions& options) override {
        std::unique_lock<std::mutex> lock(m_mutex);
        ++calls;
        raw = std::string(raw_message);
        limits = limits_given;
        arrival = arrival_given;
        quarantine_bad = options.quarantine_bad;
        authenticity = options.authenticity;
        require_authentic = options.require_authentic;
        rua_address = options.ruas.empty() ? "" : options.ruas.front().address;
        rua_addresses.clear();
        for (const auto& entry : options.ruas) {
            rua_addresses.push_back(entry.address);
        }
        had_deadline = options.deadline != std::chrono::steady_clock::time_point{};
        if (charge_bytes > 0 && limits_given.memory != nullptr &&
            !limits_given.memory->try_reserve(charge_bytes)) {
            charge_refused = true; // as the core's decompression would: try_later
            finished = true;
            m_changed.notify_all();
            ProcessResult later;
            later.verdict = Verdict::try_later;
            later.reason = "memory budget exhausted";
            return later;
        }
        ++running;
        peak_running = std::max(peak_running, running);
        m_changed.notify_all();
        m_changed.wait(lock, [this] { return !hold; });
        --running;
        cancelled = options.cancel && options.cancel->cancelled();
        finished = true;
        m_changed.notify_all();
        if (throw_error) {
            throw std::runtime_error("backend exploded");
        }
        return copy_of(result);
    }

    WorkerPool& workers() override { return pool; }

    // Waits until `n` calls are inside process() at once.
    void wait_running(int n) {
        std::unique_lock<std::mutex> lock(m_mutex);
        m_changed.wait(lock, [this, n] { return running >= n; });
    }

    void release() {
        std::lock_guard<std::mutex> lock(m_mutex);
        hold = false;
        m_changed.notify_all();
    }
    void wait_finished() {
        std::unique_lock<std::mutex> lock(m_mutex);
        m_changed.wait(lock, [this] { return finished; });
    }

    std::shared_ptr<const Registry> registry_snapshot;
    ProcessResult result;
    bool throw_error = false;
    bool hold = false; // process() blocks until release()

    int calls = 0;
    bool finished = false;
    std::string raw;
    Limits limits;
    Arrival arrival;
    bool quarantine_bad = false;
    AuthenticityPolicy authenticity;        // options.authenticity
    bool require_authentic = false;         // options.require_authentic
    std::string rua_address;                // the first of options.ruas
    std::vector<std::string> rua_addresses; // every one, in order
    std::size_t charge_bytes = 0;           // charged to limits.memory, as decompression does
    bool charge_refused = false;            // ... and refused
    bool had_deadline = false;              // options.deadline was set
    bool cancelled = false;                 // options.cancel fired before process() returned
    int running = 0;                        // calls inside process() now
    int peak_running = 0;                   // the most at once

private:
    std::mutex m_mutex;
    std::condition_variable m_changed;

public:
    // Last, so that its workers are joined before the members they use go.
    WorkerPool pool{2, 8};
};

} // namespace rua::milter::test
