// Some rows of a feature matrix, for training on one part of a data set and scoring another
// (held-out scenes, incident folds, firing positions held out).
//
//   FeatureMatrix train_rows = SelectRows(all_rows, {0, 2, 5});
#ifndef EARSHOT_CLASSIFY_FEATURE_ROWS_H_
#define EARSHOT_CLASSIFY_FEATURE_ROWS_H_

#include <cstddef>
#include <vector>

#include "earshot/classify/gradient_boosted_model.h"

namespace earshot::classify {

// Rows `rows` of `from`, in that order, into a matrix with the same columns.
FeatureMatrix SelectRows(const FeatureMatrix& from, const std::vector<std::size_t>& rows);

}  // namespace earshot::classify

#endif  // EARSHOT_CLASSIFY_FEATURE_ROWS_H_
