#include "earshot/server/cap_alert.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <string_view>

#include "earshot/core/time.h"

namespace earshot {
namespace {

constexpr std::string_view kCapNamespace = "urn:oasis:names:tc:emergency:cap:1.2";

// Radius of the circle holding a circular 2D normal with 95 % probability, in sigmas:
// sqrt(-2 ln 0.05).
constexpr double kRadius95PerSigma = 2.4477;
constexpr double kMetresPerKilometre = 1000.0;

// Length of the well-formed UTF-8 sequence (RFC 3629: no overlong forms, no surrogates,
// at most U+10FFFF) that starts at text[i] and is a character XML 1.0 allows (not U+FFFE
// or U+FFFF), or 0. Names come from sensors and operators: one stray byte must not make
// the whole alert unreadable to a strict XML parser.
size_t XmlCharLength(std::string_view text, size_t i) {
  const auto at = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = at(i);
  if (lead < 0x80) return 1;
  size_t length = 0;
  unsigned char low = 0x80;  // allowed range of the second byte
  unsigned char high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;   // overlong
    if (lead == 0xED) high = 0x9F;  // surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;   // overlong
    if (lead == 0xF4) high = 0x8F;  // above U+10FFFF
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  if (at(i + 1) < low || at(i + 1) > high) return 0;
  for (size_t k = 2; k < length; ++k) {
    if (at(i + k) < 0x80 || at(i + k) > 0xBF) return 0;
  }
  if (lead == 0xEF && at(i + 1) == 0xBF && at(i + 2) >= 0xBE) return 0;  // U+FFFE, U+FFFF
  return length;
}

// Text for XML character data and attribute values. Control characters other than tab,
// newline and carriage return are not allowed in XML 1.0 at all, not even escaped, so
// they become spaces; bytes that are not UTF-8 become U+FFFD.
std::string XmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const char c = text[i];
    const size_t length = XmlCharLength(text, i);
    if (length == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER
      ++i;
      continue;
    }
    if (length > 1) {
      out.append(text.substr(i, length));
      i += length;
      continue;
    }
    ++i;
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') {
          out += ' ';
        } else {
          out += c;
        }
    }
  }
  return out;
}

// CAP 1.2 §3.2.1: identifiers and sender "MUST NOT include spaces, commas or restricted
// characters (< and &)"; references are comma- and space-separated, so these would split.
std::string CapToken(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c == ' ' || c == ',' || c == '<' || c == '&' || static_cast<unsigned char>(c) < 0x20) {
      c = '_';
    }
  }
  return out.empty() ? std::string("_") : out;
}

// Percent-encodes everything but RFC 3986 unreserved characters, so that any snippet id
// makes a valid xs:anyURI path segment.
std::string PercentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0x0F];
    }
  }
  return out;
}

// CAP dateTime: whole seconds and a numeric offset; CAP 1.2 §3.3.2 forbids "Z" and writes
// UTC as "-00:00".
std::string CapTime(int64_t time_ns) {
  std::string text = FormatIsoUtc(time_ns, 0);
  if (!text.empty() && text.back() == 'Z') text.pop_back();
  return text.append("-00:00");
}

std::string FormatNumber(const char* format, double value) {
  char buffer[64];
  const int length = std::snprintf(buffer, sizeof(buffer), format, value);
  return std::string(buffer, static_cast<size_t>(std::max(length, 0)));
}

std::string_view StatusName(CapStatus status) {
  switch (status) {
    case CapStatus::kActual:
      return "Actual";
    case CapStatus::kExercise:
      return "Exercise";
    case CapStatus::kTest:
      return "Test";
  }
  return "Actual";
}

std::string_view ScopeName(CapScope scope) {
  switch (scope) {
    case CapScope::kPublic:
      return "Public";
    case CapScope::kRestricted:
      return "Restricted";
    case CapScope::kPrivate:
      return "Private";
  }
  return "Restricted";
}

std::string_view EventName(const std::string& label) {
  if (label == "gunfire") return "Gunfire";
  if (label == "probable_gunfire") return "Probable gunfire";
  return "Impulsive sound";
}

// The thresholds are documented in cap_alert.h; 0.8 and 0.5 are the dispatch policy's
// built-in defaults (classify/dispatch_policy.h), so certainty agrees with the label.
std::string_view Certainty(double p_gunfire) {
  if (p_gunfire >= 0.8) return "Observed";
  if (p_gunfire >= 0.5) return "Likely";
  if (p_gunfire >= 0.1) return "Possible";
  return "Unlikely";
}

std::string_view Severity(const Incident& incident) {
  if (incident.p_gunfire >= 0.8 && (incident.automatic_fire || incident.shooters > 1)) {
    return "Extreme";
  }
  if (incident.p_gunfire >= 0.5) return "Severe";
  if (incident.p_gunfire >= 0.1) return "Moderate";
  return "Minor";
}

// The incident's last change: what <sent> reports unless the caller knows better.
int64_t LastChangeNs(const Incident& incident) {
  int64_t at_ns = incident.last_shot_ns;
  if (incident.disposition.has_value()) at_ns = std::max(at_ns, incident.disposition->at_ns);
  return at_ns;
}

class XmlWriter {
 public:
  void Element(std::string_view name, std::string_view text, int depth) {
    Indent(depth);
    out_.append("<").append(name).append(">").append(XmlEscape(text));
    out_.append("</").append(name).append(">\n");
  }
  void Open(std::string_view name, int depth) {
    Indent(depth);
    out_.append("<").append(name).append(">\n");
  }
  void Close(std::string_view name, int depth) {
    Indent(depth);
    out_.append("</").append(name).append(">\n");
  }
  void Parameter(std::string_view name, std::string_view value, int depth) {
    Open("parameter", depth);
    Element("valueName", name, depth + 1);
    Element("value", value, depth + 1);
    Close("parameter", depth);
  }
  std::string& out() { return out_; }

 private:
  void Indent(int depth) { out_.append(static_cast<size_t>(depth) * 2, ' '); }
  std::string out_;
};

std::string Headline(const Incident& incident) {
  std::string headline(EventName(incident.label));
  headline.append(": ").append(std::to_string(incident.rounds));
  headline.append(incident.rounds == 1 ? " round" : " rounds");
  if (incident.automatic_fire) headline.append(", automatic fire");
  if (incident.shooters > 1) {
    headline.append(", ").append(std::to_string(incident.shooters)).append(" shooters");
  }
  return headline;
}

// One line per shot of the incident, by emission time: what a dispatcher reads first.
std::string Description(const Incident& incident, const std::vector<Shot>& shots,
                        const LocalFrame& frame) {
  std::vector<const Shot*> mine;
  for (const Shot& shot : shots) {
    if (shot.incident_id == incident.id ||
        std::find(incident.shot_ids.begin(), incident.shot_ids.end(), shot.id) !=
            incident.shot_ids.end()) {
      mine.push_back(&shot);
    }
  }
  std::sort(mine.begin(), mine.end(),
            [](const Shot* a, const Shot* b) { return a->fix.emission_ns < b->fix.emission_ns; });
  std::string text = Headline(incident);
  text.append(". p(gunfire) ").append(FormatNumber("%.2f", incident.p_gunfire)).append(".");
  for (const Shot* shot : mine) {
    text.append("\nshot ").append(shot->id).append(" at ");
    text.append(FormatIsoUtc(shot->fix.emission_ns, 3)).append(": ");
    text.append(shot->label.empty() ? std::string("unclassified") : shot->label);
    if (!shot->label.empty()) {
      // p of the shot's own label, so the line reads "gunfire 0.96".
      for (size_t k = 0; k < kShotClassNames.size(); ++k) {
        if (shot->label == kShotClassNames[k]) {
          text.append(" ").append(FormatNumber("%.2f", shot->p[k]));
        }
      }
    }
    if (frame.is_geodetic()) {
      const GeodeticPoint point = frame.Reverse(shot->fix.position_m);
      text.append(", ").append(FormatNumber("%.6f", point.lat_deg));
      text.append(",").append(FormatNumber("%.6f", point.lon_deg));
    }
    text.append(" +/- ").append(FormatNumber("%.0f", shot->fix.radius95_m)).append(" m (95 %)");
  }
  return text;
}

void WriteArea(const Incident& incident, const LocalFrame& frame, const CapOptions& options,
               XmlWriter& xml) {
  const bool sigma_known = std::isfinite(incident.position_sigma_m);
  const double radius_m = std::max(
      options.min_radius_m, sigma_known ? kRadius95PerSigma * incident.position_sigma_m : 0.0);
  xml.Open("area", 2);
  if (frame.is_geodetic()) {
    const GeodeticPoint point = frame.Reverse(incident.position_m);
    std::string desc("Latest shot position, 95 % circle");
    if (!sigma_known) desc.append(" (position uncertainty unknown: minimum radius)");
    xml.Element("areaDesc", desc, 3);
    // CAP circle: "lat,lon radius" in WGS84 degrees and kilometres.
    std::string circle = FormatNumber("%.6f", point.lat_deg);
    circle.append(",").append(FormatNumber("%.6f", point.lon_deg));
    circle.append(" ").append(FormatNumber("%.3f", radius_m / kMetresPerKilometre));
    xml.Element("circle", circle, 3);
  } else {
    // Without a geodetic frame there is nothing a CAP reader could place on a map.
    std::string desc("Local metric frame position x ");
    desc.append(FormatNumber("%.1f", incident.position_m.x())).append(" m, y ");
    desc.append(FormatNumber("%.1f", incident.position_m.y())).append(" m, radius ");
    desc.append(FormatNumber("%.0f", radius_m)).append(" m (no WGS84 frame)");
    xml.Element("areaDesc", desc, 3);
  }
  xml.Close("area", 2);
}

void WriteResource(const CapAudio& audio, const CapOptions& options, XmlWriter& xml) {
  xml.Open("resource", 2);
  std::string desc = audio.description;
  if (desc.empty()) {
    desc = "Audio snippet";
    if (!audio.sensor_id.empty()) desc.append(", sensor ").append(audio.sensor_id);
  }
  xml.Element("resourceDesc", desc, 3);
  xml.Element("mimeType", audio.mime_type, 3);
  if (audio.size_bytes >= 0) xml.Element("size", std::to_string(audio.size_bytes), 3);
  if (!audio.snippet_id.empty()) {
    xml.Element("uri",
                std::string(options.snippet_base_url).append(PercentEncode(audio.snippet_id)), 3);
  }
  if (!audio.sha1_hex.empty()) xml.Element("digest", audio.sha1_hex, 3);
  xml.Close("resource", 2);
}

}  // namespace

std::string CapIdentifier(const std::string& incident_id, int version) {
  return CapToken(std::string(incident_id).append(".v").append(std::to_string(version)));
}

std::string CapAlertXml(const Incident& incident, const std::vector<Shot>& shots,
                        const LocalFrame& frame, const CapOptions& options) {
  XmlWriter xml;
  xml.out().append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  xml.out().append("<alert xmlns=\"").append(kCapNamespace).append("\">\n");
  const std::string sender = CapToken(options.sender);
  xml.Element("identifier", CapIdentifier(incident.id, incident.version), 1);
  xml.Element("sender", sender, 1);
  xml.Element("sent", CapTime(options.sent_ns != 0 ? options.sent_ns : LastChangeNs(incident)), 1);
  xml.Element("status", StatusName(options.status), 1);
  const bool update = incident.version > 1;
  xml.Element("msgType", update ? "Update" : "Alert", 1);
  xml.Element("scope", ScopeName(options.scope), 1);
  if (options.scope == CapScope::kRestricted) xml.Element("restriction", options.restriction, 1);
  if (options.scope == CapScope::kPrivate) xml.Element("addresses", options.addresses, 1);
  if (update) {
    // CAP references are "sender,identifier,sent" of the alert this one updates.
    const int64_t previous_ns =
        options.previous_sent_ns != 0 ? options.previous_sent_ns : incident.first_shot_ns;
    std::string references = sender;
    references.append(",").append(CapIdentifier(incident.id, incident.version - 1));
    references.append(",").append(CapTime(previous_ns));
    xml.Element("references", references, 1);
  }
  xml.Element("incidents", CapToken(incident.id), 1);

  xml.Open("info", 1);
  xml.Element("language", "en-US", 2);
  xml.Element("category", "Security", 2);
  xml.Element("event", EventName(incident.label), 2);
  xml.Element("urgency", "Immediate", 2);
  xml.Element("severity", Severity(incident), 2);
  xml.Element("certainty", Certainty(incident.p_gunfire), 2);
  xml.Element("onset", CapTime(incident.first_shot_ns), 2);
  xml.Element("senderName", options.sender_name, 2);
  xml.Element("headline", Headline(incident), 2);
  xml.Element("description", Description(incident, shots, frame), 2);
  if (!options.incident_base_url.empty()) {
    xml.Element("web", std::string(options.incident_base_url).append(PercentEncode(incident.id)),
                2);
  }

  xml.Parameter("incident_id", incident.id, 2);
  xml.Parameter("incident_version", std::to_string(incident.version), 2);
  xml.Parameter("state", IncidentStateName(incident.state), 2);
  xml.Parameter("label", incident.label, 2);
  xml.Parameter("rounds", std::to_string(incident.rounds), 2);
  xml.Parameter("automatic_fire", incident.automatic_fire ? "true" : "false", 2);
  xml.Parameter("shooters", std::to_string(incident.shooters), 2);
  xml.Parameter("p_gunfire", FormatNumber("%.4f", incident.p_gunfire), 2);
  if (std::isfinite(incident.cadence_s)) {
    xml.Parameter("cadence_s", FormatNumber("%.3f", incident.cadence_s), 2);
  }
  if (std::isfinite(incident.movement_m)) {
    xml.Parameter("movement_m", FormatNumber("%.1f", incident.movement_m), 2);
  }
  if (std::isfinite(incident.position_sigma_m)) {
    xml.Parameter("position_sigma_m", FormatNumber("%.1f", incident.position_sigma_m), 2);
  }
  xml.Parameter("last_shot_utc", FormatIsoUtc(incident.last_shot_ns, 6), 2);
  for (const std::string& reason : incident.reasons) xml.Parameter("reason", reason, 2);
  if (incident.disposition.has_value()) {
    xml.Parameter("disposition", incident.disposition->code, 2);
  }
  for (const CapAudio& audio : options.audio) {
    if (audio.sha256_hex.empty()) continue;
    xml.Parameter("audio_sha256",
                  std::string(audio.snippet_id).append(" ").append(audio.sha256_hex), 2);
  }
  for (const CapAudio& audio : options.audio) WriteResource(audio, options, xml);
  WriteArea(incident, frame, options, xml);
  xml.Close("info", 1);
  xml.out().append("</alert>\n");
  return std::move(xml.out());
}

}  // namespace earshot
