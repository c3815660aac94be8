// An incident as a CAP 1.2 alert (OASIS Common Alerting Protocol, the schema in
// ../shared/data/schemas/CAP-v1.2.xsd), so that any CAP-speaking dispatch, alerting or
// mapping system can take Earshot's incidents without an Earshot-specific client.
//
// One alert per incident version: version 1 is msgType Alert, later versions are Update
// and reference the previous version's alert. The alert carries one <info> (category
// Security) with the dispatch label as the event, the calibrated p(gunfire) mapped to CAP
// certainty and severity, the incident's numbers as <parameter>s, the audio snippets as
// <resource>s and the position as an <area> circle.
//
// Mapping of p_gunfire (calibrated, so the words mean what they say):
//   certainty: Observed  p >= 0.8   (the dispatch threshold for "gunfire")
//              Likely    p >= 0.5   (CAP: "p > ~50%")
//              Possible  p >= 0.1
//              Unlikely  p <  0.1   (CAP: "not expected to occur")
//   severity:  Extreme   p >= 0.8 with automatic fire or more than one shooter
//              Severe    p >= 0.5   (a possible threat to life)
//              Moderate  p >= 0.1
//              Minor     p <  0.1
//
// Audio digests: CAP 1.2 defines <digest> as the SHA-1 of the resource, so that is what
// <digest> holds. The evidence store keys snippets by SHA-256 (DESIGN.md §7); that digest
// is given too, as the parameter "audio_sha256" ("snippet_id sha256hex"), one per
// snippet. The caller supplies both digests (the store has the bytes and computes them
// when it stores a snippet), so this formatter needs no crypto library and never reads
// audio.
//
//   CapOptions options;
//   options.sender = "earshot@pd.example.org";
//   options.snippet_base_url = "https://earshot.example.org/api/v1/snippets/";
//   std::string xml = CapAlertXml(incident, shots, frame, options);
#ifndef EARSHOT_SERVER_CAP_ALERT_H_
#define EARSHOT_SERVER_CAP_ALERT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "earshot/core/incident.h"
#include "earshot/core/local_frame.h"
#include "earshot/core/shot.h"

namespace earshot {

// CAP <status>: Actual for real incidents; Exercise and Test for drills and system tests,
// which recipients must not act on.
enum class CapStatus { kActual, kExercise, kTest };

// CAP <scope>. Restricted (the default) needs a <restriction> text; Private needs
// <addresses>.
enum class CapScope { kPublic, kRestricted, kPrivate };

// One audio snippet of the incident, published as a CAP <resource>.
struct CapAudio {
  std::string snippet_id;               // appended to CapOptions::snippet_base_url for <uri>
  std::string description;              // <resourceDesc>; empty: "audio snippet, sensor ..."
  std::string sensor_id;                // for the default description; may be empty
  std::string mime_type = "audio/wav";  // or "audio/flac"
  int64_t size_bytes = -1;              // <size>; left out when negative
  std::string sha1_hex;                 // <digest> (CAP 1.2: SHA-1); left out when empty
  std::string sha256_hex;               // the store's digest, as parameter audio_sha256
};

struct CapOptions {
  // <sender>: globally unique, e.g. "earshot@pd.example.org". Spaces, commas, '<' and '&'
  // are not allowed in CAP identifiers and become '_'.
  std::string sender = "earshot@localhost";
  std::string sender_name = "Earshot gunfire detection";  // <senderName>
  CapStatus status = CapStatus::kActual;
  CapScope scope = CapScope::kRestricted;
  std::string restriction = "Law enforcement and emergency dispatch only";
  std::string addresses;  // for CapScope::kPrivate: space-separated recipients
  // <sent>. 0: the incident's last change (its last shot, or its disposition if later).
  int64_t sent_ns = 0;
  // When the alert of the previous version was sent, for <references> of an Update.
  // 0: taken as the incident's first shot (exact for version 1 published at that shot).
  int64_t previous_sent_ns = 0;
  // <uri> of each audio resource is snippet_base_url + the snippet id (percent-encoded).
  std::string snippet_base_url = "http://localhost:8080/api/v1/snippets/";
  std::vector<CapAudio> audio;  // empty: the alert has no <resource>
  // <web>: incident_base_url + the incident id (percent-encoded), e.g. the console's page
  // for it. Empty: no <web>.
  std::string incident_base_url;
  // The <area> circle's radius is the 95 % radius of the position (2.4477 sigma for a
  // circular 2D normal), at least this: a pin is never more certain than a street corner.
  double min_radius_m = 25.0;
};

// The CAP identifier of one incident version: "<incident id>.v<version>", with characters
// CAP forbids in identifiers replaced by '_'.
std::string CapIdentifier(const std::string& incident_id, int version);

// The CAP 1.2 <alert> document (UTF-8, with the XML declaration) for `incident`. `shots`
// are the incident's shots (any order; others are ignored) and are listed in the
// description; `frame` places the position (in a metric frame there is no lat/lon, so the
// area has a description and no circle). All text is XML-escaped; control characters
// become spaces and bytes that are not UTF-8 become U+FFFD, so the document always parses.
std::string CapAlertXml(const Incident& incident, const std::vector<Shot>& shots,
                        const LocalFrame& frame, const CapOptions& options);

}  // namespace earshot

#endif  // EARSHOT_SERVER_CAP_ALERT_H_
