// Plain functions for libmilter's callback table. They only translate C
// arguments (char**, unsigned char*) into string views and forward to the
// installed Filter, whose methods are noexcept; nothing here may throw,
// allocate state or decide anything about a message.
#include "callbacks.hpp"

#include <atomic>
#include <string_view>

namespace rua::milter {

namespace {

std::atomic<Filter*> g_filter{nullptr};

constexpr unsigned long k_actions = SMFIF_ADDHDRS | SMFIF_DELRCPT;

std::string_view view(const char* text) {
    return text == nullptr ? std::string_view() : std::string_view(text);
}

sfsistat on_negotiate(SMFICTX* ctx, unsigned long f0, unsigned long f1, unsigned long /*f2*/,
                      unsigned long /*f3*/, unsigned long* pf0, unsigned long* pf1,
                      unsigned long* pf2, unsigned long* pf3) {
    const Negotiation granted = negotiate(f0, f1);
    *pf0 = granted.actions;
    *pf1 = granted.steps;
    *pf2 = 0;
    *pf3 = 0;
    Filter* filter = g_filter.load();
    if (filter == nullptr) {
        return SMFIS_CONTINUE;
    }
    const sfsistat status = filter->negotiated(ctx, (*pf1 & SMFIP_HDR_LEADSPC) != 0);
    return status == SMFIS_CONTINUE ? SMFIS_CONTINUE : SMFIS_REJECT;
}

sfsistat on_connect(SMFICTX* ctx, char* /*host*/, _SOCK_ADDR* /*addr*/) {
    Filter* filter = g_filter.load();
    return filter == nullptr ? SMFIS_TEMPFAIL : filter->connect(ctx);
}

sfsistat on_envfrom(SMFICTX* ctx, char** /*argv*/) {
    Filter* filter = g_filter.load();
    return filter == nullptr ? SMFIS_TEMPFAIL : filter->envfrom(ctx);
}

sfsistat on_envrcpt(SMFICTX* ctx, char** argv) {
    Filter* filter = g_filter.load();
    if (filter == nullptr) {
        return SMFIS_TEMPFAIL;
    }
    return filter->envrcpt(ctx, argv == nullptr ? std::string_view() : view(argv[0]));
}

sfsistat on_data(SMFICTX* ctx) {
    Filter* filter = g_filter.load();
    return filter == nullptr ? SMFIS_TEMPFAIL : filter->data(ctx);
}

sfsistat on_header(SMFICTX* ctx, char* name, char* value) {
    Filter* filter = g_filter.load();
    return filter == nullptr ? SMFIS_TEMPFAIL : filter->header(ctx, view(name), view(value));
}

sfsistat on_eoh(SMFICTX* ctx) {
    Filter* filter = g_filter.load();
    return filter == nullptr ? SMFIS_TEMPFAIL : filter->eoh(ctx);
}

sfsistat on_body(SMFICTX* ctx, unsigned char* chunk, size_t size) {
    Filter* filter = g_filter.load();
    if (filter == nullptr) {
        return SMFIS_TEMPFAIL;
    }
    const auto* bytes = reinterpret_cast<const char*>(chunk);
    return filter->body(ctx, bytes == nullptr ? std::string_view() : std::string_view(bytes, size));
}

sfsistat on_eom(SMFICTX* ctx) {
    Filter* filter = g_filter.load();
    return filter == nullptr ? SMFIS_TEMPFAIL : filter->eom(ctx);
}

sfsistat on_abort(SMFICTX* ctx) {
    Filter* filter = g_filter.load();
    return filter == nullptr ? SMFIS_CONTINUE : filter->abort(ctx);
}

sfsistat on_close(SMFICTX* ctx) {
    Filter* filter = g_filter.load();
    return filter == nullptr ? SMFIS_CONTINUE : filter->close(ctx);
}

char k_name[] = "rua-milter";

} // namespace

Negotiation negotiate(unsigned long offered_actions, unsigned long offered_steps) noexcept {
    return Negotiation{offered_actions & k_actions, offered_steps & k_wanted_steps};
}

void install_filter(Filter* filter) noexcept {
    g_filter.store(filter);
}

smfiDesc make_description() noexcept {
    smfiDesc desc{};
    desc.xxfi_name = k_name;
    desc.xxfi_version = SMFI_VERSION;
    desc.xxfi_flags = k_actions;
    desc.xxfi_connect = on_connect;
    desc.xxfi_helo = nullptr;
    desc.xxfi_envfrom = on_envfrom;
    desc.xxfi_envrcpt = on_envrcpt;
    desc.xxfi_header = on_header;
    desc.xxfi_eoh = on_eoh;
    desc.xxfi_body = on_body;
    desc.xxfi_eom = on_eom;
    desc.xxfi_abort = on_abort;
    desc.xxfi_close = on_close;
    desc.xxfi_unknown = nullptr;
    desc.xxfi_data = on_data;
    desc.xxfi_negotiate = on_negotiate;
    return desc;
}

} // namespace rua::milter
