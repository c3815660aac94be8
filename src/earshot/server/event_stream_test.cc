#include "earshot/server/event_stream.h"

#include <atomic>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace earshot::server {
namespace {

using ::testing::HasSubstr;

std::string Joined(const std::vector<EventFrame>& frames) {
  std::string text;
  for (const auto& frame : frames) text.append(*frame);
  return text;
}

TEST(EventStreamTest, EncodesOneFramePerEvent) {
  EXPECT_EQ(EncodeEventFrame(7, "incident\n.new", {{"a", "x\ny"}}),
            "id: 7\nevent: incident.new\ndata: {\"a\":\"x\\ny\"}\n\n");
}

TEST(EventStreamTest, FansOutInOrderAndWakesSubscribers) {
  Broadcaster broadcaster;
  std::atomic<int> wakes = 0;
  auto a = broadcaster.Subscribe(std::nullopt, [&] { ++wakes; });
  auto b = broadcaster.Subscribe(std::nullopt, nullptr);
  EXPECT_EQ(broadcaster.Publish("x", 1), 1u);
  EXPECT_EQ(broadcaster.Publish("x", 2), 2u);
  EXPECT_EQ(wakes.load(), 2);
  EXPECT_EQ(Joined(a->TakeAll()), "id: 1\nevent: x\ndata: 1\n\nid: 2\nevent: x\ndata: 2\n\n");
  EXPECT_EQ(b->TakeAll().size(), 2u);
  EXPECT_TRUE(a->TakeAll().empty());
}

TEST(EventStreamTest, ReplaysAfterLastEventIdAndReportsAGap) {
  Broadcaster broadcaster(
      Broadcaster::Options{.replay_capacity = 3, .max_queued_per_subscriber = 10});
  for (int i = 1; i <= 5; ++i) broadcaster.Publish("x", i);
  auto recent = broadcaster.Subscribe(3, nullptr);
  EXPECT_EQ(Joined(recent->TakeAll()), "id: 4\nevent: x\ndata: 4\n\nid: 5\nevent: x\ndata: 5\n\n");
  auto old = broadcaster.Subscribe(1, nullptr);
  const std::string text = Joined(old->TakeAll());
  EXPECT_THAT(text, HasSubstr("event: gap\ndata: {\"first_replayed_id\":3,\"last_event_id\":1}"));
  EXPECT_THAT(text, HasSubstr("id: 3\n"));
  EXPECT_TRUE(broadcaster.Subscribe(5, nullptr)->TakeAll().empty());
}

TEST(EventStreamTest, DropsAFullSubscriberAndKeepsTheOthers) {
  HttpCounters counters;
  Broadcaster broadcaster(
      Broadcaster::Options{.replay_capacity = 8, .max_queued_per_subscriber = 2}, &counters);
  auto stuck = broadcaster.Subscribe(std::nullopt, nullptr);
  auto reader = broadcaster.Subscribe(std::nullopt, nullptr);
  for (int i = 0; i < 5; ++i) {
    broadcaster.Publish("x", i);
    reader->TakeAll();
  }
  EXPECT_TRUE(stuck->dropped());
  EXPECT_FALSE(reader->dropped());
  EXPECT_EQ(broadcaster.subscriber_count(), 1u);
  EXPECT_EQ(counters.SubscribersDropped("queue_full"), 1u);
  EXPECT_EQ(counters.events_published.load(), 5u);
}

}  // namespace
}  // namespace earshot::server
