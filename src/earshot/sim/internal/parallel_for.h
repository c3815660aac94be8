// Runs independent tasks on a few threads. Each task writes only its own result slot, so
// the output does not depend on the schedule or on the number of threads (the simulator's
// output must be byte-identical for a seed, whatever --threads says).
#ifndef EARSHOT_SIM_INTERNAL_PARALLEL_FOR_H_
#define EARSHOT_SIM_INTERNAL_PARALLEL_FOR_H_

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

namespace earshot::sim::internal {

// Calls task(i) for every i in [0, n) on up to `threads` workers (1: on this thread).
template <typename Task>
void ParallelFor(int n, int threads, const Task& task) {
  threads = std::clamp(threads, 1, std::max(n, 1));
  if (threads == 1) {
    for (int i = 0; i < n; ++i) task(i);
    return;
  }
  std::atomic<int> next{0};
  std::vector<std::thread> workers;
  workers.reserve(static_cast<size_t>(threads));
  for (int w = 0; w < threads; ++w) {
    workers.emplace_back([&] {
      for (int i = next.fetch_add(1); i < n; i = next.fetch_add(1)) task(i);
    });
  }
  for (std::thread& worker : workers) worker.join();
}

}  // namespace earshot::sim::internal

#endif  // EARSHOT_SIM_INTERNAL_PARALLEL_FOR_H_
