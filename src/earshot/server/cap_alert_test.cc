// CAP alerts: the content a dispatcher reads, and validity against the official CAP 1.2
// schema with xmllint (skipped, saying why, when the schema or xmllint is missing).
#include "earshot/server/cap_alert.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "earshot/core/time.h"

namespace earshot {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// The schema from the shared data: EARSHOT_SHARED_DATA (set by CTest), else ../shared/data
// from the working directory, else beside the source tree this test was built from.
std::string CapSchemaPath() {
  std::vector<std::string> bases;
  if (const char* shared = std::getenv("EARSHOT_SHARED_DATA")) bases.emplace_back(shared);
  bases.emplace_back("../shared/data");
  bases.push_back(
      std::filesystem::path(__FILE__).parent_path().string().append("/../../../../shared/data"));
  for (const std::string& base : bases) {
    const std::string path = std::string(base).append("/schemas/CAP-v1.2.xsd");
    if (std::filesystem::is_regular_file(path)) return path;
  }
  return "";
}

// Runs xmllint on `xml`; returns its exit status, or -1 when it could not run at all.
int XmllintValidate(const std::string& xml, const std::string& schema, std::string* output) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path();
  const std::string stem =
      (dir / std::string("earshot_cap_").append(std::to_string(::getpid()))).string();
  const std::string xml_path = std::string(stem).append(".xml");
  const std::string log_path = std::string(stem).append(".log");
  std::ofstream(xml_path) << xml;
  const std::string command = std::string("xmllint --noout --schema '")
                                  .append(schema)
                                  .append("' '")
                                  .append(xml_path)
                                  .append("' > '")
                                  .append(log_path)
                                  .append("' 2>&1");
  const int status = std::system(command.c_str());
  std::ifstream log(log_path);
  output->assign(std::istreambuf_iterator<char>(log), std::istreambuf_iterator<char>());
  std::filesystem::remove(xml_path);
  std::filesystem::remove(log_path);
  if (status == -1) return -1;
  return WEXITSTATUS(status);
}

bool HaveXmllint() { return std::system("xmllint --version > /dev/null 2>&1") == 0; }

void ExpectValidCap(const std::string& xml) {
  const std::string schema = CapSchemaPath();
  if (schema.empty())
    GTEST_SKIP() << "no schemas/CAP-v1.2.xsd in EARSHOT_SHARED_DATA or ../shared/data";
  if (!HaveXmllint()) GTEST_SKIP() << "xmllint not installed (Debian: libxml2-utils)";
  std::string output;
  EXPECT_EQ(XmllintValidate(xml, schema, &output), 0) << output << "\n" << xml;
}

constexpr int64_t kT0Ns = 1'720'149'129'118'204'000;  // 2024-07-05T03:12:09.118204Z

LocalFrame Pittsburgh() { return LocalFrame::Geodetic(40.44062, -79.99591, 250.0); }

Shot MakeShot(const std::string& id, int64_t emission_ns, double p_gunfire) {
  Shot shot;
  shot.id = id;
  shot.fix.emission_ns = emission_ns;
  shot.fix.position_m = {100.0, 200.0, 0.0};
  shot.fix.radius95_m = 6.0;
  shot.p = {p_gunfire, (1.0 - p_gunfire) / 2, (1.0 - p_gunfire) / 2, 0.0};
  shot.label = p_gunfire >= 0.5 ? "gunfire" : "aerial_firework";
  shot.incident_id = "inc-1";
  return shot;
}

Incident GunfireIncident() {
  Incident incident;
  incident.id = "inc-1";
  incident.shot_ids = {"s1", "s2", "s3"};
  incident.first_shot_ns = kT0Ns;
  incident.last_shot_ns = kT0Ns + 240'000'000;
  incident.position_m = {100.0, 200.0, 0.0};
  incident.position_sigma_m = 3.0;
  incident.rounds = 3;
  incident.cadence_s = 0.12;
  incident.automatic_fire = true;
  incident.label = "gunfire";
  incident.p_gunfire = 0.97;
  incident.reasons = {"crack_fraction = 0.83 raises p(gunfire) (+1.21)"};
  return incident;
}

std::vector<Shot> GunfireShots() {
  return {MakeShot("s2", kT0Ns + 120'000'000, 0.96), MakeShot("s1", kT0Ns, 0.95),
          MakeShot("s3", kT0Ns + 240'000'000, 0.97)};
}

CapAudio Snippet() {
  CapAudio audio;
  audio.snippet_id = "snip 7/a";
  audio.sensor_id = "ES-0007";
  audio.size_bytes = 96'044;
  audio.sha1_hex = "a9993e364706816aba3e25717850c26c9cd0d89d";  // SHA-1("abc")
  audio.sha256_hex = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
  return audio;
}

TEST(CapAlertTest, GunfireIncidentIsAValidAlert) {
  CapOptions options;
  options.sender = "earshot@pd.example.org";
  options.snippet_base_url = "https://earshot.example.org/api/v1/snippets/";
  options.audio = {Snippet()};
  const std::string xml = CapAlertXml(GunfireIncident(), GunfireShots(), Pittsburgh(), options);

  EXPECT_THAT(xml, HasSubstr("<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">"));
  EXPECT_THAT(xml, HasSubstr("<identifier>inc-1.v1</identifier>"));
  EXPECT_THAT(xml, HasSubstr("<sender>earshot@pd.example.org</sender>"));
  EXPECT_THAT(xml, HasSubstr("<sent>2024-07-05T03:12:09-00:00</sent>"));  // last shot, whole s
  EXPECT_THAT(xml, HasSubstr("<status>Actual</status>"));
  EXPECT_THAT(xml, HasSubstr("<msgType>Alert</msgType>"));
  EXPECT_THAT(xml, Not(HasSubstr("<references>")));
  EXPECT_THAT(xml, HasSubstr("<scope>Restricted</scope>"));
  EXPECT_THAT(xml, HasSubstr("<restriction>"));
  EXPECT_THAT(xml, HasSubstr("<category>Security</category>"));
  EXPECT_THAT(xml, HasSubstr("<event>Gunfire</event>"));
  EXPECT_THAT(xml, HasSubstr("<urgency>Immediate</urgency>"));
  EXPECT_THAT(xml, HasSubstr("<severity>Extreme</severity>"));  // automatic fire
  EXPECT_THAT(xml, HasSubstr("<certainty>Observed</certainty>"));
  EXPECT_THAT(xml, HasSubstr("<headline>Gunfire: 3 rounds, automatic fire</headline>"));
  EXPECT_THAT(xml, HasSubstr("<valueName>rounds</valueName>\n      <value>3</value>"));
  EXPECT_THAT(xml, HasSubstr("<valueName>automatic_fire</valueName>\n      <value>true</value>"));
  EXPECT_THAT(xml, HasSubstr("<valueName>p_gunfire</valueName>\n      <value>0.9700</value>"));
  EXPECT_THAT(xml, HasSubstr("<value>crack_fraction = 0.83 raises p(gunfire) (+1.21)</value>"));
  // Shots listed in emission order, whatever order they came in.
  EXPECT_LT(xml.find("shot s1 at"), xml.find("shot s2 at"));
  EXPECT_LT(xml.find("shot s2 at"), xml.find("shot s3 at"));
  // The audio: SHA-1 as CAP's digest, the store's SHA-256 as a parameter, the id encoded.
  EXPECT_THAT(xml, HasSubstr("<mimeType>audio/wav</mimeType>"));
  EXPECT_THAT(xml, HasSubstr("<size>96044</size>"));
  EXPECT_THAT(xml,
              HasSubstr("<uri>https://earshot.example.org/api/v1/snippets/snip%207%2Fa</uri>"));
  EXPECT_THAT(xml, HasSubstr("<digest>a9993e364706816aba3e25717850c26c9cd0d89d</digest>"));
  EXPECT_THAT(
      xml, HasSubstr("<value>snip 7/a "
                     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad</value>"));
  EXPECT_THAT(xml, HasSubstr("<resourceDesc>Audio snippet, sensor ES-0007</resourceDesc>"));
  // Area: the position's lat,lon and the 95 % radius, at least 25 m: 2.4477 * 3 m = 7.3 m.
  const GeodeticPoint point = Pittsburgh().Reverse({100.0, 200.0, 0.0});
  char circle[96];
  std::snprintf(circle, sizeof(circle), "<circle>%.6f,%.6f 0.025</circle>", point.lat_deg,
                point.lon_deg);
  EXPECT_THAT(xml, HasSubstr(circle));
  ExpectValidCap(xml);
}

// Guards the guard: a schema violation must make the validation fail.
TEST(CapAlertTest, XmllintRejectsAnInvalidAlert) {
  const std::string schema = CapSchemaPath();
  if (schema.empty() || !HaveXmllint()) GTEST_SKIP() << "no CAP schema or no xmllint";
  std::string xml = CapAlertXml(GunfireIncident(), GunfireShots(), Pittsburgh(), CapOptions{});
  xml.replace(xml.find("<status>Actual"), 14, "<status>Bogus");
  std::string output;
  EXPECT_NE(XmllintValidate(xml, schema, &output), 0) << xml;
  EXPECT_THAT(output, HasSubstr("status"));
}

TEST(CapAlertTest, WideSigmaGivesTheNinetyFivePercentRadius) {
  Incident incident = GunfireIncident();
  incident.position_sigma_m = 40.0;
  const std::string xml = CapAlertXml(incident, {}, Pittsburgh(), CapOptions{});
  EXPECT_THAT(xml, HasSubstr(" 0.098</circle>"));  // 2.4477 * 40 m
}

TEST(CapAlertTest, NotGunfireIsAnImpulsiveSoundAndValid) {
  Incident incident = GunfireIncident();
  incident.label = "not_gunfire";
  incident.p_gunfire = 0.04;
  incident.automatic_fire = false;
  incident.rounds = 1;
  incident.shot_ids = {"s1"};
  incident.cadence_s = Incident::kNaN;
  incident.position_sigma_m = Incident::kNaN;
  CapOptions options;
  options.status = CapStatus::kTest;
  const std::string xml =
      CapAlertXml(incident, {MakeShot("s1", kT0Ns, 0.04)}, Pittsburgh(), options);
  EXPECT_THAT(xml, HasSubstr("<status>Test</status>"));
  EXPECT_THAT(xml, HasSubstr("<event>Impulsive sound</event>"));
  EXPECT_THAT(xml, HasSubstr("<severity>Minor</severity>"));
  EXPECT_THAT(xml, HasSubstr("<certainty>Unlikely</certainty>"));
  EXPECT_THAT(xml, HasSubstr("<headline>Impulsive sound: 1 round</headline>"));
  EXPECT_THAT(xml, Not(HasSubstr("cadence_s")));  // unknown numbers are left out
  EXPECT_THAT(xml, HasSubstr("minimum radius"));
  ExpectValidCap(xml);
}

TEST(CapAlertTest, ProbableGunfireMapsToLikely) {
  Incident incident = GunfireIncident();
  incident.label = "probable_gunfire";
  incident.p_gunfire = 0.6;
  const std::string xml = CapAlertXml(incident, {}, Pittsburgh(), CapOptions{});
  EXPECT_THAT(xml, HasSubstr("<event>Probable gunfire</event>"));
  EXPECT_THAT(xml, HasSubstr("<severity>Severe</severity>"));
  EXPECT_THAT(xml, HasSubstr("<certainty>Likely</certainty>"));
}

TEST(CapAlertTest, LaterVersionIsAnUpdateReferencingThePrevious) {
  Incident incident = GunfireIncident();
  incident.version = 3;
  incident.state = IncidentState::kReviewed;
  incident.disposition =
      Disposition{"evidence_found", "casings", "officer 12", kT0Ns + 600 * kNanosPerSecond};
  CapOptions options;
  options.sender = "earshot@pd.example.org";
  options.previous_sent_ns = kT0Ns + 5 * kNanosPerSecond;
  const std::string xml = CapAlertXml(incident, GunfireShots(), Pittsburgh(), options);
  EXPECT_THAT(xml, HasSubstr("<identifier>inc-1.v3</identifier>"));
  EXPECT_THAT(xml, HasSubstr("<msgType>Update</msgType>"));
  EXPECT_THAT(xml, HasSubstr("<references>earshot@pd.example.org,inc-1.v2,2024-07-05T03:12:14-00:00"
                             "</references>"));
  EXPECT_THAT(xml, HasSubstr("<sent>2024-07-05T03:22:09-00:00</sent>"));  // the disposition
  EXPECT_THAT(xml, HasSubstr("<value>evidence_found</value>"));
  EXPECT_THAT(xml, HasSubstr("<value>reviewed</value>"));
  ExpectValidCap(xml);
}

TEST(CapAlertTest, MarkupInNamesIsEscapedAndTokensSanitised) {
  Incident incident = GunfireIncident();
  incident.id = "a<b>&c, d";
  incident.version = 2;
  incident.reasons = {"x < 3 & y > \"4\" 'z'"};
  CapOptions options;
  options.sender = "ops & <dispatch>, east";
  options.sender_name = "Police <Zone 5> & Co";
  options.restriction = "Only <us> & them";
  CapAudio audio = Snippet();
  audio.description = "Snippet <1> & \"2\"";
  audio.sensor_id = "S<1>";
  options.audio = {audio};
  std::vector<Shot> shots = GunfireShots();
  for (Shot& shot : shots) shot.incident_id = incident.id;
  shots[0].id = "shot<&>";
  const std::string xml = CapAlertXml(incident, shots, Pittsburgh(), options);
  EXPECT_THAT(xml, HasSubstr("<identifier>a_b&gt;_c__d.v2</identifier>"));
  EXPECT_THAT(xml, HasSubstr("<sender>ops____dispatch&gt;__east</sender>"));
  EXPECT_THAT(xml, HasSubstr("<senderName>Police &lt;Zone 5&gt; &amp; Co</senderName>"));
  EXPECT_THAT(xml, HasSubstr("<value>x &lt; 3 &amp; y &gt; &quot;4&quot; &apos;z&apos;</value>"));
  EXPECT_THAT(xml, HasSubstr("<value>a&lt;b&gt;&amp;c, d</value>"));  // incident_id verbatim
  EXPECT_THAT(xml, HasSubstr("shot shot&lt;&amp;&gt; at"));
  EXPECT_THAT(xml, HasSubstr("<resourceDesc>Snippet &lt;1&gt; &amp; &quot;2&quot;</resourceDesc>"));
  EXPECT_THAT(xml, HasSubstr("<references>ops____dispatch&gt;__east,a_b&gt;_c__d.v1,"));
  ExpectValidCap(xml);
}

TEST(CapAlertTest, BadBytesAndControlCharactersStillGiveValidXml) {
  Incident incident = GunfireIncident();
  incident.reasons = {"caf\xC3\xA9 \xF0\x9F\x94\x8A ok", "bad \xFF byte", "bell\x07 here",
                      "cut \xE2\x82", "surrogate \xED\xA0\x80"};
  CapOptions options;
  options.incident_base_url = "https://console.example.org/incidents/";
  const std::string xml = CapAlertXml(incident, GunfireShots(), Pittsburgh(), options);
  EXPECT_THAT(xml, HasSubstr("<value>caf\xC3\xA9 \xF0\x9F\x94\x8A ok</value>"));  // kept
  EXPECT_THAT(xml, HasSubstr("<value>bad \xEF\xBF\xBD byte</value>"));
  EXPECT_THAT(xml, HasSubstr("<value>bell  here</value>"));
  EXPECT_THAT(xml, HasSubstr("<value>cut \xEF\xBF\xBD\xEF\xBF\xBD</value>"));
  EXPECT_THAT(xml, HasSubstr("<web>https://console.example.org/incidents/inc-1</web>"));
  ExpectValidCap(xml);
}

TEST(CapAlertTest, NoAudioHasNoResource) {
  CapOptions options;
  options.scope = CapScope::kPublic;
  const std::string xml = CapAlertXml(GunfireIncident(), GunfireShots(), Pittsburgh(), options);
  EXPECT_THAT(xml, Not(HasSubstr("<resource>")));
  EXPECT_THAT(xml, Not(HasSubstr("audio_sha256")));
  EXPECT_THAT(xml, Not(HasSubstr("<restriction>")));
  ExpectValidCap(xml);
}

TEST(CapAlertTest, MetricFrameHasAreaWithoutCircle) {
  const std::string xml =
      CapAlertXml(GunfireIncident(), GunfireShots(), LocalFrame::Metric(), CapOptions{});
  EXPECT_THAT(xml, HasSubstr("<areaDesc>Local metric frame position x 100.0 m, y 200.0 m"));
  EXPECT_THAT(xml, Not(HasSubstr("<circle>")));
  ExpectValidCap(xml);
}

TEST(CapAlertTest, PrivateScopeHasAddresses) {
  CapOptions options;
  options.scope = CapScope::kPrivate;
  options.addresses = "dispatch-east dispatch-west";
  options.status = CapStatus::kExercise;
  const std::string xml = CapAlertXml(GunfireIncident(), {}, Pittsburgh(), options);
  EXPECT_THAT(xml, HasSubstr("<addresses>dispatch-east dispatch-west</addresses>"));
  EXPECT_THAT(xml, HasSubstr("<status>Exercise</status>"));
  ExpectValidCap(xml);
}

}  // namespace
}  // namespace earshot
