// The background level a pulse is measured against: the median energy of the recent
// 10 ms blocks that held no pulse. A median, because wind gusts and distant bangs make
// the background skewed; blocks inside a pulse are left out so that a burst of
// automatic fire is measured against the quiet before it, not against itself.
#ifndef EARSHOT_DETECT_INTERNAL_NOISE_FLOOR_H_
#define EARSHOT_DETECT_INTERNAL_NOISE_FLOOR_H_

#include <algorithm>
#include <cstddef>
#include <vector>

namespace earshot::detect::internal {

class NoiseFloor {
 public:
  // `blocks` of history (e.g. 150 blocks of 10 ms = 1.5 s).
  explicit NoiseFloor(size_t blocks) : energies_(blocks, 0.0), scratch_(blocks) {}

  // Mean energy (mean square) of one finished block without a pulse.
  void AddBlock(double mean_square) {
    energies_[next_] = mean_square;
    next_ = (next_ + 1) % energies_.size();
    if (count_ < energies_.size()) ++count_;
    const size_t mid = count_ / 2;
    scratch_.assign(energies_.begin(), energies_.begin() + static_cast<long>(count_));
    std::nth_element(scratch_.begin(), scratch_.begin() + static_cast<long>(mid), scratch_.end());
    median_ = scratch_[mid];
  }

  // Median block energy; 0 until the first block.
  double mean_square() const { return median_; }
  size_t blocks_seen() const { return count_; }

 private:
  std::vector<double> energies_;
  std::vector<double> scratch_;
  size_t next_ = 0;
  size_t count_ = 0;
  double median_ = 0.0;
};

}  // namespace earshot::detect::internal

#endif  // EARSHOT_DETECT_INTERNAL_NOISE_FLOOR_H_
