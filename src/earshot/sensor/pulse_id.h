// Pulse ids that are the same whenever the same sensor hears the same pulse.
//
// The id is a UUID (RFC 9562 version 8, "custom") made from the SHA-256 of the sensor id
// and the onset time. A sensor that restarts and replays its audio, or re-sends a pulse
// after a lost acknowledgement, produces the same id again, so the spool and the receiver
// can drop the copy (DESIGN.md §6: replays are idempotent by pulse id). Two different
// pulses at one sensor cannot share an onset nanosecond: the detector keeps them
// at least 30 ms apart.
#ifndef EARSHOT_SENSOR_PULSE_ID_H_
#define EARSHOT_SENSOR_PULSE_ID_H_

#include <cstdint>
#include <string>

namespace earshot::sensor {

// "xxxxxxxx-xxxx-8xxx-yxxx-xxxxxxxxxxxx", lowercase hex.
std::string PulseIdFor(const std::string& sensor_id, int64_t onset_ns);

}  // namespace earshot::sensor

#endif  // EARSHOT_SENSOR_PULSE_ID_H_
