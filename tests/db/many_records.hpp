// A large aggregate report for the database tests of streamed reports
// (past Limits::stream_items): its records are generated, so a test names
// only how many it wants and which one is bad.
#pragma once

#include <cstddef>
#include <string>

namespace rua::test {

// An aggregate report with `records` records (record i: 198.51.100.(i % 250),
// count i + 1); `bad_at` (1-based) gives that record an unusable count.
inline std::string many_records_xml(const std::string& id, std::size_t records,
                                    std::size_t bad_at = 0,
                                    const std::string& domain = "example.com") {
    std::string xml = "<?xml version=\"1.0\"?>\n<feedback><report_metadata><org_name>Big "
                      "Org</org_name><email>dmarc@big.example</email><report_id>" +
                      id +
                      "</report_id><date_range><begin>1700000000</begin><end>1700086399</end>"
                      "</date_range></report_metadata><policy_published><domain>" +
                      domain + "</domain><p>reject</p></policy_published>";
    for (std::size_t i = 0; i < records; ++i) {
        const std::string count = i + 1 == bad_at ? "many" : std::to_string(i + 1);
        xml += "<record><row><source_ip>198.51.100." + std::to_string(i % 250) +
               "</source_ip><count>" + count +
               "</count><policy_evaluated><disposition>none</disposition><dkim>pass</dkim>"
               "<spf>fail</spf></policy_evaluated></row><identifiers><header_from>" +
               domain + "</header_from></identifiers><auth_results><dkim><domain>" + domain +
               "</domain><result>pass</result></dkim></auth_results></record>";
    }
    return xml + "</feedback>\n";
}

} // namespace rua::test
