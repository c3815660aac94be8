// Token-bucket rate limit per principal (API token): at most `rate_per_s` requests per
// second sustained, with bursts up to one second's worth.
#ifndef EARSHOT_SERVER_HTTP_RATE_LIMITER_H_
#define EARSHOT_SERVER_HTTP_RATE_LIMITER_H_

#include <chrono>
#include <map>
#include <mutex>
#include <string>

namespace earshot::server {

class HttpRateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  // rate_per_s <= 0 turns the limit off.
  explicit HttpRateLimiter(double rate_per_s);

  // Takes one token from `key`'s bucket; false when it is empty (answer 429).
  bool Allow(const std::string& key, Clock::time_point now = Clock::now());

 private:
  struct Bucket {
    double tokens;
    Clock::time_point refilled_at;
  };
  double rate_per_s_;
  double capacity_;
  std::mutex mutex_;
  // Keys are authenticated principals, so the map is bounded by the token file.
  std::map<std::string, Bucket> buckets_;
};

}  // namespace earshot::server

#endif  // EARSHOT_SERVER_HTTP_RATE_LIMITER_H_
