#include "earshot/server/http_rate_limiter.h"

#include <algorithm>

namespace earshot::server {

HttpRateLimiter::HttpRateLimiter(double rate_per_s)
    : rate_per_s_(rate_per_s), capacity_(std::max(1.0, rate_per_s)) {}

bool HttpRateLimiter::Allow(const std::string& key, Clock::time_point now) {
  if (rate_per_s_ <= 0) return true;
  std::lock_guard lock(mutex_);
  auto [it, inserted] = buckets_.try_emplace(key, Bucket{capacity_, now});
  Bucket& bucket = it->second;
  if (!inserted) {
    const double elapsed_s = std::chrono::duration<double>(now - bucket.refilled_at).count();
    bucket.tokens = std::min(capacity_, bucket.tokens + std::max(0.0, elapsed_s) * rate_per_s_);
    bucket.refilled_at = now;
  }
  if (bucket.tokens < 1.0) return false;
  bucket.tokens -= 1.0;
  return true;
}

}  // namespace earshot::server
