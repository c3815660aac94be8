#include "earshot/sensor/pulse_id.h"

#include "earshot/digest/sha256.h"

namespace earshot::sensor {

std::string PulseIdFor(const std::string& sensor_id, int64_t onset_ns) {
  // The newline cannot occur in a sensor id, so no two (id, time) pairs hash the same text.
  std::string hex = digest::Sha256Hex(sensor_id + "\n" + std::to_string(onset_ns)).substr(0, 32);
  hex[12] = '8';  // version 8
  // Variant 10xx: keep the low two bits of the digit, set the high ones to 10.
  static constexpr char kHex[] = "0123456789abcdef";
  const int digit = hex[16] <= '9' ? hex[16] - '0' : hex[16] - 'a' + 10;
  hex[16] = kHex[0x8 | (digit & 0x3)];
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20, 12);
}

}  // namespace earshot::sensor
