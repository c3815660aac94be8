#include "earshot/classify/feature_rows.h"

namespace earshot::classify {

FeatureMatrix SelectRows(const FeatureMatrix& from, const std::vector<std::size_t>& rows) {
  FeatureMatrix out{.feature_names = from.feature_names};
  const std::size_t columns = from.ColumnCount();
  out.values.reserve(rows.size() * columns);
  for (std::size_t r : rows) {
    const auto begin = from.values.begin() + static_cast<std::ptrdiff_t>(r * columns);
    out.values.insert(out.values.end(), begin, begin + static_cast<std::ptrdiff_t>(columns));
  }
  return out;
}

}  // namespace earshot::classify
