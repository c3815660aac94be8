#include "earshot/sim/scene.h"

#include <array>
#include <utility>

namespace earshot::sim {
namespace {

constexpr std::array<std::pair<SourceKind, const char*>, 11> kKindNames = {{
    {SourceKind::kHandgun, "handgun"},
    {SourceKind::kRifle, "rifle"},
    {SourceKind::kShotgun, "shotgun"},
    {SourceKind::kFirecracker, "firecracker"},
    {SourceKind::kFireworkLift, "firework_lift"},
    {SourceKind::kFireworkBurst, "firework_burst"},
    {SourceKind::kBackfire, "backfire"},
    {SourceKind::kDoorSlam, "door_slam"},
    {SourceKind::kHammer, "hammer"},
    {SourceKind::kNailGun, "nail_gun"},
    {SourceKind::kBalloonPop, "balloon_pop"},
}};

}  // namespace

const char* SourceKindName(SourceKind kind) {
  for (const auto& [k, name] : kKindNames) {
    if (k == kind) return name;
  }
  return "unknown";
}

std::optional<SourceKind> SourceKindFromName(const std::string& name) {
  for (const auto& [k, n] : kKindNames) {
    if (name == n) return k;
  }
  return std::nullopt;
}

const char* EventClassName(EventClass event_class) {
  switch (event_class) {
    case EventClass::kGunfire:
      return "gunfire";
    case EventClass::kAerialFirework:
      return "aerial_firework";
    case EventClass::kFirecracker:
      return "firecracker";
    case EventClass::kOtherImpulsive:
      return "other_impulsive";
  }
  return "unknown";
}

EventClass ClassOfKind(SourceKind kind) {
  switch (kind) {
    case SourceKind::kHandgun:
    case SourceKind::kRifle:
    case SourceKind::kShotgun:
      return EventClass::kGunfire;
    case SourceKind::kFireworkLift:
    case SourceKind::kFireworkBurst:
      return EventClass::kAerialFirework;
    case SourceKind::kFirecracker:
      return EventClass::kFirecracker;
    case SourceKind::kBackfire:
    case SourceKind::kDoorSlam:
    case SourceKind::kHammer:
    case SourceKind::kNailGun:
    case SourceKind::kBalloonPop:
      return EventClass::kOtherImpulsive;
  }
  return EventClass::kOtherImpulsive;
}

}  // namespace earshot::sim
