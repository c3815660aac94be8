#include "earshot/detect/features.h"

namespace earshot::detect {

std::map<std::string, double> FeatureMap(const Features& features) {
  std::map<std::string, double> named;
  for (size_t i = 0; i < kFeatureNames.size(); ++i) {
    named.emplace(std::string(kFeatureNames[i]), features[i]);
  }
  return named;
}

}  // namespace earshot::detect
