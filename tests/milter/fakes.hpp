// Test doubles for the filter's two seams: a MilterApi that records every
// smfi_* call, and a Backend with a settable registry and verdict that
// records what it was asked to process (and can be held at a gate).
#pragma once

#include "backend.hpp"
#include "milter_api.hpp"

#include <rua/kinds/aggregate.hpp>

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
    return to;
}

class FakeApi final : public MilterApi {
public:
    void* get_private(SMFICTX* ctx) override { return m_private[ctx]; }
    void set_private(SMFICTX* ctx, void* data) override { m_private[ctx] = data; }
    std::optional<std::string> symbol(SMFICTX* /*ctx*/, const char* name) override {
        auto it = symbols.find(name);
        return it == symbols.end() ? std::nullopt : std::optional<std::string>(it->second);
    }
    bool set_reply(SMFICTX* /*ctx*/, const char* rcode, const char* xcode,
                   const std::string& text) override {
        replies.push_back(std::string(rcode) + " " + xcode + " " + text);
        return true;
    }
    bool add_header(SMFICTX* /*ctx*/, const std::string& name, const std::string& value) override {
        headers.push_back(name + ": " + value);
        return true;
    }
    bool delete_recipient(SMFICTX* /*ctx*/, const std::string& recipient) override {
        deleted.push_back(recipient);
        return true;
    }
    bool progress(SMFICTX* /*ctx*/) override { return true; }

    std::map<std::string, std::string> symbols{{"i", "3F2A1C9"}};
    std::vector<std::string> replies;
    std::vector<std::string> headers;
    std::vector<std::string> deleted;

private:
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
        rua_address = options.ruas.empty() ? "" : options.ruas.front().address;
        rua_addresses.clear();
        for (const auto& entry : options.ruas) {
            rua_addresses.push_back(entry.address);
        }
        m_changed.notify_all();
        m_changed.wait(lock, [this] { return !hold; });
        finished = true;
        m_changed.notify_all();
        if (throw_error) {
            throw std::runtime_error("backend exploded");
        }
        return copy_of(result);
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
    std::string rua_address;                // the first of options.ruas
    std::vector<std::string> rua_addresses; // every one, in order

private:
    std::mutex m_mutex;
    std::condition_variable m_changed;
};

} // namespace rua::milter::test
