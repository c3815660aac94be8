#include "earshot/core/fix.h"

namespace earshot {

const char* SolveModeName(SolveMode mode) {
  switch (mode) {
    case SolveMode::k2D:
      return "2d";
    case SolveMode::kFixedHeight:
      return "2.5d";
    case SolveMode::k3D:
      return "3d";
  }
  return "unknown";
}

}  // namespace earshot
