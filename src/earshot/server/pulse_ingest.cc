#include "earshot/server/pulse_ingest.h"

#include <array>
#include <sstream>
#include <utility>

#include "earshot/server/auth.h"

namespace earshot::server {
namespace {

using nlohmann::json;

// "pulses[3]" + the reader's "line 1, field x" made into "pulses[3], field x: ...".
std::string RequestMessage(std::size_t index, const Error& error) {
  std::string where = error.where;
  if (where.starts_with("line 1")) where.erase(0, 6);
  if (where.starts_with(", ")) where.erase(0, 2);
  std::string text = std::string("pulses[").append(std::to_string(index)).append("]");
  if (!where.empty()) text.append(", ").append(where);
  return text.append(": ").append(error.message);
}

std::string Field(std::size_t index, std::string_view field, std::string_view message) {
  return std::string("pulses[")
      .append(std::to_string(index))
      .append("], field ")
      .append(field)
      .append(": ")
      .append(message);
}

// Reads the optional snippet of pulse `index`; empty string when fine.
std::string ReadSnippet(const json& value, std::size_t index, const std::string& pulse_id,
                        std::optional<store::Snippet>* snippet) {
  if (!value.is_object()) return Field(index, "snippet", "expected an object");
  for (const auto& [key, unused] : value.items()) {
    if (key != "mime_type" && key != "data_base64" && key != "audio_base64" && key != "sha256")
      return Field(index, "snippet." + key,
                   "unknown key; expected mime_type, data_base64 and optionally sha256");
  }
  store::Snippet out;
  out.pulse_id = pulse_id;
  const json* mime = value.contains("mime_type") ? &value["mime_type"] : nullptr;
  if (mime == nullptr || !mime->is_string() ||
      (mime->get<std::string>() != "audio/wav" && mime->get<std::string>() != "audio/flac"))
    return Field(index, "snippet.mime_type", "expected \"audio/wav\" or \"audio/flac\"");
  out.media_type = mime->get<std::string>();
  // audio_base64 is accepted as an alias: early sensor builds sent it.
  const char* data_key = value.contains("data_base64") ? "data_base64" : "audio_base64";
  if (!value.contains(data_key) || !value[data_key].is_string())
    return Field(index, "snippet.data_base64", "expected the audio as a base64 string");
  if (!DecodeBase64(value[data_key].get<std::string>(), &out.bytes) || out.bytes.empty())
    return Field(index, "snippet.data_base64", "expected non-empty standard base64");
  if (value.contains("sha256")) {
    if (!value["sha256"].is_string())
      return Field(index, "snippet.sha256", "expected 64 lowercase hex digits");
    const std::string digest = ToHex(Sha256Of(
        std::string_view(reinterpret_cast<const char*>(out.bytes.data()), out.bytes.size())));
    if (value["sha256"].get<std::string>() != digest)
      return Field(index, "snippet.sha256",
                   "does not match the SHA-256 of the audio sent (damaged in transit?)");
  }
  *snippet = std::move(out);
  return {};
}

}  // namespace

bool DecodeBase64(const std::string& text, std::vector<unsigned char>* bytes) {
  static const std::array<int, 256> kValue = [] {
    std::array<int, 256> table;
    table.fill(-1);
    const std::string_view alphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (std::size_t i = 0; i < alphabet.size(); ++i)
      table[static_cast<unsigned char>(alphabet[i])] = static_cast<int>(i);
    return table;
  }();
  std::size_t end = text.size();
  while (end > 0 && text[end - 1] == '=' && text.size() - end < 2) --end;
  if (end % 4 == 1) return false;
  bytes->clear();
  bytes->reserve(end * 3 / 4);
  unsigned buffer = 0;
  int bits = 0;
  for (std::size_t i = 0; i < end; ++i) {
    const int value = kValue[static_cast<unsigned char>(text[i])];
    if (value < 0) return false;
    buffer = (buffer << 6) | static_cast<unsigned>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes->push_back(static_cast<unsigned char>((buffer >> bits) & 0xFF));
    }
  }
  return true;
}

Result<IngestBatch> ParseIngestBody(const json& body, const LocalFrame& frame,
                                    const std::vector<SensorRecord>& sensors) {
  if (!body.is_object() || !body.contains("pulses") || !body["pulses"].is_array())
    return Fail("request", "field pulses", "expected an object {\"pulses\": [...]}");
  const json& pulses = body["pulses"];
  if (pulses.size() > kMaxPulsesPerRequest)
    return Fail("request", "field pulses",
                std::string("expected at most ")
                    .append(std::to_string(kMaxPulsesPerRequest))
                    .append(" pulses, got ")
                    .append(std::to_string(pulses.size())));
  IngestBatch batch;
  for (std::size_t i = 0; i < pulses.size(); ++i) {
    const json& record = pulses[i];
    RefusedPulse refused{i, "", ""};
    if (record.is_object() && record.contains("pulse_id") && record["pulse_id"].is_string())
      refused.pulse_id = record["pulse_id"].get<std::string>();
    if (!record.is_object()) {
      refused.error =
          std::string("pulses[").append(std::to_string(i)).append("]: expected an object");
      batch.refused.push_back(std::move(refused));
      continue;
    }
    json without_snippet = record;
    without_snippet.erase("snippet");
    std::istringstream line(without_snippet.dump());
    PulseReadResult read = ParsePulsesJsonLines(line, "request", sensors);
    if (!read.refused.empty() || read.set.pulses.size() != 1) {
      refused.error = read.refused.empty()
                          ? std::string("pulses[").append(std::to_string(i)).append("]: not read")
                          : RequestMessage(i, read.refused.front());
      batch.refused.push_back(std::move(refused));
      continue;
    }
    Pulse pulse = std::move(read.set.pulses.front());
    if (read.set.frame.is_geodetic()) {
      if (!frame.is_geodetic()) {
        refused.error = Field(i, "sensor_position",
                              "expected a metric position (x_m, y_m, z_m): this deployment has "
                              "no geodetic frame (config \"frame\")");
        batch.refused.push_back(std::move(refused));
        continue;
      }
      // The reader placed it around its own origin; move it into the deployment's frame.
      pulse.sensor_position_m = frame.Forward(read.set.frame.Reverse(pulse.sensor_position_m));
    }
    std::optional<store::Snippet> snippet;
    if (record.contains("snippet")) {
      std::string error = ReadSnippet(record["snippet"], i, pulse.id, &snippet);
      if (!error.empty()) {
        refused.error = std::move(error);
        batch.refused.push_back(std::move(refused));
        continue;
      }
    }
    batch.indices.push_back(i);
    batch.pulses.push_back({std::move(pulse), std::move(snippet)});
  }
  return batch;
}

}  // namespace earshot::server
