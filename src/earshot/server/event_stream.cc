#include "earshot/server/event_stream.h"

#include <algorithm>

namespace earshot::server {

std::string EncodeEventFrame(std::uint64_t id, std::string_view event_type,
                             const nlohmann::json& data) {
  std::string frame("id: ");
  frame.append(std::to_string(id)).append("\nevent: ");
  for (char c : event_type) {
    if (c != '\n' && c != '\r') frame.push_back(c);
  }
  // dump(-1) writes no newlines (they are escaped inside strings), so one data line suffices.
  frame.append("\ndata: ")
      .append(data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))
      .append("\n\n");
  return frame;
}

std::vector<EventFrame> EventSubscriber::TakeAll() {
  std::lock_guard lock(mutex_);
  std::vector<EventFrame> frames(queue_.begin(), queue_.end());
  queue_.clear();
  return frames;
}

bool EventSubscriber::dropped() const {
  std::lock_guard lock(mutex_);
  return dropped_;
}

bool EventSubscriber::Enqueue(EventFrame frame) {
  std::lock_guard lock(mutex_);
  if (dropped_) return false;
  if (queue_.size() >= max_queued_) {
    dropped_ = true;
    queue_.clear();  // the connection closes; nothing queued will be sent
    return false;
  }
  queue_.push_back(std::move(frame));
  return true;
}

void EventSubscriber::EnqueueUnbounded(EventFrame frame) {
  std::lock_guard lock(mutex_);
  queue_.push_back(std::move(frame));
}

Broadcaster::Broadcaster(Options options, HttpCounters* counters)
    : options_(options), counters_(counters) {}

void Broadcaster::set_counters(HttpCounters* counters) {
  std::lock_guard lock(mutex_);
  counters_ = counters;
}

std::uint64_t Broadcaster::Publish(std::string_view event_type, const nlohmann::json& data) {
  std::vector<std::shared_ptr<EventSubscriber>> to_wake;
  std::uint64_t id = 0;
  {
    std::lock_guard lock(mutex_);
    id = ++last_id_;
    auto frame = std::make_shared<const std::string>(EncodeEventFrame(id, event_type, data));
    ring_.push_back({id, frame});
    while (ring_.size() > options_.replay_capacity) ring_.pop_front();
    if (counters_ != nullptr) ++counters_->events_published;
    to_wake.reserve(subscribers_.size());
    std::erase_if(subscribers_, [&](const std::shared_ptr<EventSubscriber>& subscriber) {
      if (subscriber->Enqueue(frame)) {
        to_wake.push_back(subscriber);
        return false;
      }
      ++dropped_;
      if (counters_ != nullptr) counters_->CountSubscriberDropped("queue_full");
      to_wake.push_back(subscriber);  // so its connection sees dropped() and closes
      return true;
    });
  }
  // Outside the lock: a wake-up posts work to the connection and returns at once.
  for (const auto& subscriber : to_wake) {
    if (subscriber->on_ready_) subscriber->on_ready_();
  }
  return id;
}

std::shared_ptr<EventSubscriber> Broadcaster::Subscribe(std::optional<std::uint64_t> last_event_id,
                                                        std::function<void()> on_ready) {
  auto subscriber =
      std::make_shared<EventSubscriber>(options_.max_queued_per_subscriber, std::move(on_ready));
  bool queued = false;
  {
    std::lock_guard lock(mutex_);
    if (last_event_id && *last_event_id < last_id_) {
      // Replay at most one queue's worth, newest last, so a reconnect cannot overflow at once.
      std::size_t first = 0;
      const std::size_t limit = options_.max_queued_per_subscriber;
      while (first < ring_.size() && ring_[first].id <= *last_event_id) ++first;
      if (ring_.size() - first > limit) first = ring_.size() - limit;
      const std::uint64_t oldest_replayed = first < ring_.size() ? ring_[first].id : last_id_ + 1;
      if (oldest_replayed > *last_event_id + 1) {
        nlohmann::json gap = {{"last_event_id", *last_event_id},
                              {"first_replayed_id", oldest_replayed}};
        subscriber->EnqueueUnbounded(std::make_shared<const std::string>(
            std::string("event: gap\ndata: ").append(gap.dump()).append("\n\n")));
      }
      for (std::size_t i = first; i < ring_.size(); ++i) {
        subscriber->EnqueueUnbounded(ring_[i].frame);
      }
      queued = true;
    }
    subscribers_.push_back(subscriber);
  }
  if (queued && subscriber->on_ready_) subscriber->on_ready_();
  return subscriber;
}

void Broadcaster::Unsubscribe(const EventSubscriber* subscriber) {
  std::lock_guard lock(mutex_);
  std::erase_if(subscribers_, [subscriber](const auto& s) { return s.get() == subscriber; });
}

std::size_t Broadcaster::subscriber_count() const {
  std::lock_guard lock(mutex_);
  return subscribers_.size();
}

std::uint64_t Broadcaster::last_id() const {
  std::lock_guard lock(mutex_);
  return last_id_;
}

std::uint64_t Broadcaster::dropped_count() const {
  std::lock_guard lock(mutex_);
  return dropped_;
}

}  // namespace earshot::server
