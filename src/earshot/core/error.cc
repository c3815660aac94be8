#include "earshot/core/error.h"

namespace earshot {

std::string Error::ToString() const {
  std::string out;
  if (!source.empty()) out += source + ":";
  if (!where.empty()) out += where + ":";
  if (!out.empty()) out += " ";
  out += message;
  return out;
}

}  // namespace earshot
