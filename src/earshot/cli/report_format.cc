#include "earshot/cli/report_format.h"

#include <cstdio>

namespace earshot::cli {

std::string Fixed(double value, int digits) {
  char text[48];
  std::snprintf(text, sizeof text, "%.*f", digits, value);
  return text;
}

std::string Percent(std::size_t part, std::size_t whole) {
  if (whole == 0) return "–";
  return Fixed(100.0 * static_cast<double>(part) / static_cast<double>(whole), 1).append(" %");
}

}  // namespace earshot::cli
