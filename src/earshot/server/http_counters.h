// Counts of what the HTTP layer did, for GET /api/v1/metrics.
//
// Every response is counted by status, so refusals (4xx, 5xx) can be told apart by what
// was wrong. The metrics body is Prometheus text exposition format 0.0.4, the format
// every monitoring stack scrapes:
//
//   earshot_http_responses_total{status="404"} 3
//   earshot_http_connections_open 2
//   earshot_sse_events_published_total 10
//   earshot_sse_subscribers_dropped_total{reason="queue_full"} 1
#ifndef EARSHOT_SERVER_HTTP_COUNTERS_H_
#define EARSHOT_SERVER_HTTP_COUNTERS_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace earshot::server {

class HttpCounters {
 public:
  void CountResponse(int status);
  void CountSubscriberDropped(const std::string& reason);

  std::uint64_t Responses(int status) const;
  std::uint64_t SubscribersDropped(const std::string& reason) const;
  std::map<int, std::uint64_t> ResponsesByStatus() const;

  std::atomic<std::int64_t> connections_open{0};
  std::atomic<std::uint64_t> connections_accepted{0};
  std::atomic<std::int64_t> subscribers_open{0};
  std::atomic<std::uint64_t> events_published{0};

  // Prometheus text exposition format 0.0.4.
  std::string PrometheusText() const;

 private:
  mutable std::mutex mutex_;
  std::map<int, std::uint64_t> responses_by_status_;
  std::map<std::string, std::uint64_t> subscribers_dropped_by_reason_;
};

}  // namespace earshot::server

#endif  // EARSHOT_SERVER_HTTP_COUNTERS_H_
