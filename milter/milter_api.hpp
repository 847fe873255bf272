// The seam around every smfi_* call the filter makes, so that callbacks can
// be driven by unit tests with a fake. The real implementation only
// forwards to libmilter; it must never hold state of its own.
#pragma once

#include <libmilter/mfapi.h>

#include <optional>
#include <string>
#include <string_view>

namespace rua::milter {

class MilterApi {
public:
    virtual ~MilterApi() = default;

    virtual void* get_private(SMFICTX* ctx) = 0;
    virtual void set_private(SMFICTX* ctx, void* data) = 0;
    // A macro such as "i" (queue id); nullopt when the MTA did not send it.
    virtual std::optional<std::string> symbol(SMFICTX* ctx, const char* name) = 0;
    // `text` must already be safe for the reply (no CR/LF, '%' doubled).
    virtual bool set_reply(SMFICTX* ctx, const char* rcode, const char* xcode,
                           const std::string& text) = 0;
    virtual bool add_header(SMFICTX* ctx, const std::string& name, const std::string& value) = 0;
    virtual bool delete_recipient(SMFICTX* ctx, const std::string& recipient) = 0;
    // Tells the MTA we are still working (resets its timeout).
    virtual bool progress(SMFICTX* ctx) = 0;
};

// Forwards to libmilter. Stateless; one instance serves every thread.
class LibmilterApi final : public MilterApi {
public:
    void* get_private(SMFICTX* ctx) override;
    void set_private(SMFICTX* ctx, void* data) override;
    std::optional<std::string> symbol(SMFICTX* ctx, const char* name) override;
    bool set_reply(SMFICTX* ctx, const char* rcode, const char* xcode,
                   const std::string& text) override;
    bool add_header(SMFICTX* ctx, const std::string& name, const std::string& value) override;
    bool delete_recipient(SMFICTX* ctx, const std::string& recipient) override;
    bool progress(SMFICTX* ctx) override;
};

} // namespace rua::milter
