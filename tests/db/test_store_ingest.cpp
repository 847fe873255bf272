// The store fed by the real parser: a small aggregate report written here,
// through rua::ingest, into the database, with the values checked in SQL.
// Guards the seam between the model the parser fills and the columns.
#include "db/db_fixture.hpp"

#include <rua/ingest.hpp>
#include <rua/store.hpp>

using rua::test::ScratchDb;

namespace {

constexpr const char* k_report_xml = R"(<?xml version="1.0" encoding="UTF-8"?>
<feedback>
  <report_metadata>
    <org_name>receiver.example</org_name>
    <email>dmarc-noreply@receiver.example</email>
    <report_id>18446744073709551617</report_id>
    <date_range><begin>1700000000</begin><end>1700086399</end></date_range>
  </report_metadata>
  <policy_published>
    <domain>sender.example</domain><adkim>r</adkim><aspf>s</aspf>
    <p>quarantine</p><sp>none</sp><pct>50</pct>
  </policy_published>
  <record>
    <row>
      <source_ip>2001:DB8:0:0:0:0:0:1</source_ip><count>7</count>
      <policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>fail</spf>
        <reason><type>forwarded</type><comment>list</comment></reason>
      </policy_evaluated>
    </row>
    <identifiers><header_from>sender.example</header_from></identifiers>
    <auth_results>
      <dkim><domain>sender.example</domain><selector>k1</selector><result>pass</result></dkim>
      <spf><domain>bounce.sender.example</domain><result>softfail</result></spf>
    </auth_results>
  </record>
  <record>
    <row>
      <source_ip>198.51.100.9</source_ip><count>3</count>
      <policy_evaluated><disposition>quarantine</disposition><dkim>fail</dkim><spf>fail</spf>
      </policy_evaluated>
    </row>
    <identifiers><header_from>sender.example</header_from></identifiers>
    <auth_results><spf><domain>sender.example</domain><result>fail</result></spf></auth_results>
  </record>
</feedback>
)";

} // namespace

TEST_CASE("a report parsed by rua::ingest is stored with every value in place") {
    ScratchDb db;
    const auto result = rua::ingest(k_report_xml, rua::Limits{}, "report.xml");
    REQUIRE(result.reports.size() == 1);
    REQUIRE(result.attachments.size() == 1);

    rua::ConnectionPool pool(db.url(), 1);
    rua::Arrival arrival;
    arrival.via = "import";
    arrival.file = "report.xml";
    const auto outcome = rua::Store(pool).store(result, arrival);
    CHECK(outcome.stored() == 1);
    CHECK(outcome.items_stored == 2);

    CHECK(db.scalar("SELECT concat_ws('|', org_name, report_id, domain, p, sp, pct, adkim, aspf, "
                    "extract(epoch FROM date_begin)::bigint, extract(epoch FROM date_end)::bigint, "
                    "via, file, "
                    "record_count, message_count) FROM aggregate_report") ==
          "receiver.example|18446744073709551617|sender.example|quarantine|none|50|r|s|"
          "1700000000|1700086399|import|report.xml|2|10");
    CHECK(db.scalar("SELECT string_agg(concat_ws('|', source_ip, count, disposition, dkim, spf, "
                    "dmarc_pass, header_from), ' ' ORDER BY ordinal) FROM aggregate_record") ==
          "2001:db8::1|7|none|pass|fail|t|sender.example "
          "198.51.100.9|3|quarantine|fail|fail|f|sender.example");
    CHECK(db.scalar("SELECT concat_ws('|', reasons->0->>'type', reasons->0->>'comment', "
                    "auth_dkim->0->>'selector', auth_spf->0->>'result') FROM aggregate_record "
                    "WHERE ordinal = 0") == "forwarded|list|k1|softfail");
    CHECK(db.scalar("SELECT format FROM raw_report") == "xml");
    CHECK(db.scalar("SELECT concat_ws('|', messages, pass, fail) FROM v_report_summary") ==
          "10|7|3");
    CHECK(db.scalar("SELECT concat_ws('|', messages, disposition_none, disposition_quarantine) "
                    "FROM v_daily_domain WHERE domain = 'sender.example'") == "10|7|3");
}
