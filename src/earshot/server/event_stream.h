// Live push by Server-Sent Events (issue 6): new and updated incidents reach every
// subscribed client without the publisher ever waiting on a client.
//
// `Broadcaster::Publish` numbers each event (the SSE `id:`), keeps the most recent in a
// ring for clients that reconnect with `Last-Event-ID`, and appends the encoded frame to
// each subscriber's bounded queue. A subscriber whose queue is full (a client that stops
// reading) is dropped and counted under reason "queue_full"; the others never notice.
// The HTTP side (GET /api/v1/events) lives in HttpServer::HandleEventStream.
#ifndef EARSHOT_SERVER_EVENT_STREAM_H_
#define EARSHOT_SERVER_EVENT_STREAM_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "earshot/server/http_counters.h"

namespace earshot::server {

using EventFrame = std::shared_ptr<const std::string>;

// "id: 7\nevent: incident.updated\ndata: {...}\n\n". Newlines in `event_type` are removed,
// since they would end the field early.
std::string EncodeEventFrame(std::uint64_t id, std::string_view event_type,
                             const nlohmann::json& data);

// One client's queue of encoded frames. Filled by the Broadcaster, drained by the connection.
class EventSubscriber {
 public:
  EventSubscriber(std::size_t max_queued, std::function<void()> on_ready)
      : max_queued_(max_queued), on_ready_(std::move(on_ready)) {}

  // Everything queued so far, oldest first; empty when nothing is waiting.
  std::vector<EventFrame> TakeAll();

  // Set once the Broadcaster dropped this subscriber; its connection should close.
  bool dropped() const;

 private:
  friend class Broadcaster;
  // False (and the subscriber is marked dropped) when the queue is already full.
  bool Enqueue(EventFrame frame);
  void EnqueueUnbounded(EventFrame frame);

  const std::size_t max_queued_;
  const std::function<void()> on_ready_;  // wakes the connection; must not block
  mutable std::mutex mutex_;
  std::deque<EventFrame> queue_;
  bool dropped_ = false;
};

class Broadcaster {
 public:
  struct Options {
    std::size_t replay_capacity = 1024;           // events kept for Last-Event-ID
    std::size_t max_queued_per_subscriber = 256;  // more waiting: the subscriber is dropped
  };

  // `counters` may be null; when set it counts published events and dropped subscribers.
  explicit Broadcaster(Options options, HttpCounters* counters = nullptr);
  Broadcaster() : Broadcaster(Options{}) {}

  // Numbers and fans out one event; returns its id (1, 2, ...). Never waits on a client.
  std::uint64_t Publish(std::string_view event_type, const nlohmann::json& data);

  // A new subscriber. With `last_event_id`, the kept events after it are queued first;
  // when some of them are no longer kept, a "gap" event (no id) says so before them.
  // `on_ready` is called, from the publishing thread, whenever frames are queued.
  std::shared_ptr<EventSubscriber> Subscribe(std::optional<std::uint64_t> last_event_id,
                                             std::function<void()> on_ready);
  void Unsubscribe(const EventSubscriber* subscriber);

  std::size_t subscriber_count() const;
  std::uint64_t last_id() const;
  std::uint64_t dropped_count() const;

  void set_counters(HttpCounters* counters);

 private:
  struct Kept {
    std::uint64_t id;
    EventFrame frame;
  };
  const Options options_;
  mutable std::mutex mutex_;
  HttpCounters* counters_;
  std::uint64_t last_id_ = 0;
  std::uint64_t dropped_ = 0;
  std::deque<Kept> ring_;
  std::vector<std::shared_ptr<EventSubscriber>> subscribers_;
};

}  // namespace earshot::server

#endif  // EARSHOT_SERVER_EVENT_STREAM_H_
