#include "earshot/server/http_counters.h"

namespace earshot::server {

void HttpCounters::CountResponse(int status) {
  std::lock_guard lock(mutex_);
  ++responses_by_status_[status];
}

void HttpCounters::CountSubscriberDropped(const std::string& reason) {
  std::lock_guard lock(mutex_);
  ++subscribers_dropped_by_reason_[reason];
}

std::uint64_t HttpCounters::Responses(int status) const {
  std::lock_guard lock(mutex_);
  auto it = responses_by_status_.find(status);
  return it == responses_by_status_.end() ? 0 : it->second;
}

std::uint64_t HttpCounters::SubscribersDropped(const std::string& reason) const {
  std::lock_guard lock(mutex_);
  auto it = subscribers_dropped_by_reason_.find(reason);
  return it == subscribers_dropped_by_reason_.end() ? 0 : it->second;
}

std::map<int, std::uint64_t> HttpCounters::ResponsesByStatus() const {
  std::lock_guard lock(mutex_);
  return responses_by_status_;
}

std::string HttpCounters::PrometheusText() const {
  std::string text;
  auto line = [&text](const std::string& name, std::uint64_t value) {
    text.append(name).append(" ").append(std::to_string(value)).append("\n");
  };
  text.append("# HELP earshot_http_responses_total HTTP responses sent, by status.\n");
  text.append("# TYPE earshot_http_responses_total counter\n");
  {
    std::lock_guard lock(mutex_);
    for (const auto& [status, count] : responses_by_status_) {
      line(std::string("earshot_http_responses_total{status=\"")
               .append(std::to_string(status))
               .append("\"}"),
           count);
    }
  }
  text.append("# TYPE earshot_http_connections_accepted_total counter\n");
  line("earshot_http_connections_accepted_total", connections_accepted.load());
  text.append("# TYPE earshot_http_connections_open gauge\n");
  line("earshot_http_connections_open", static_cast<std::uint64_t>(connections_open.load()));
  text.append("# TYPE earshot_sse_subscribers_open gauge\n");
  line("earshot_sse_subscribers_open", static_cast<std::uint64_t>(subscribers_open.load()));
  text.append("# TYPE earshot_sse_events_published_total counter\n");
  line("earshot_sse_events_published_total", events_published.load());
  text.append("# HELP earshot_sse_subscribers_dropped_total Subscribers cut off, by reason.\n");
  text.append("# TYPE earshot_sse_subscribers_dropped_total counter\n");
  std::lock_guard lock(mutex_);
  for (const auto& [reason, count] : subscribers_dropped_by_reason_) {
    line(
        std::string("earshot_sse_subscribers_dropped_total{reason=\"").append(reason).append("\"}"),
        count);
  }
  return text;
}

}  // namespace earshot::server
