#include "earshot/server/pipeline.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include "earshot/store/sqlite_store.h"

namespace earshot::server {
namespace {

namespace fs = std::filesystem;

// One bang heard by eight sensors on a 300 m ring: a fix the locator cannot miss.
std::vector<Pulse> RingPulses(const std::string& prefix, int64_t emission_ns) {
  std::vector<Pulse> pulses;
  const double c = SpeedOfSoundMps(15.0);
  const Eigen::Vector3d source(12.0, -30.0, 1.5);
  for (int i = 0; i < 8; ++i) {
    const double angle = 2.0 * 3.14159265358979 * i / 8.0;
    Pulse pulse;
    pulse.id = std::string(prefix).append(std::to_string(i));
    pulse.sensor_id = std::string("S").append(std::to_string(i));
    pulse.sensor_position_m = {300.0 * std::cos(angle), 300.0 * std::sin(angle), 6.0};
    pulse.onset_ns =
        emission_ns + static_cast<int64_t>((pulse.sensor_position_m - source).norm() / c * 1e9);
    pulse.onset_sigma_s = 1e-4;
    pulse.snr_db = 30.0;
    pulse.level_db_spl = 90.0;
    pulses.push_back(pulse);
  }
  return pulses;
}

class PipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           std::string("earshot_pipeline_test_")
               .append(std::to_string(::getpid()))
               .append("_")
               .append(::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto store = store::SqliteStore::Open((dir_ / "e.db").string());
    ASSERT_TRUE(store.has_value()) << store.error().ToString();
    store_ = std::move(*store);
    auto classifier = classify::ShotClassifier::Load(std::string(EARSHOT_SOURCE_DIR) +
                                                     "/models/shot_classifier.json");
    ASSERT_TRUE(classifier.has_value()) << classifier.error().ToString();
    classifier_.emplace(std::move(*classifier));
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<Pipeline> MakePipeline(const std::string& run, PipelineOptions options = {}) {
    PipelineParts parts;
    parts.store = store_.get();
    parts.broadcaster = &broadcaster_;
    parts.classifier = &*classifier_;
    parts.locate.id_prefix = "shot-" + run + "-";
    parts.incidents.id_prefix = "incident-" + run + "-";
    options.advance_interval_s = 0.05;
    return std::make_unique<Pipeline>(std::move(parts), options);
  }

  // Waits until the subscriber has seen `count` events; returns their frames joined.
  std::string WaitForEvents(EventSubscriber& subscriber, std::size_t count) {
    std::string joined;
    std::size_t seen = 0;
    for (int i = 0; i < 200 && seen < count; ++i) {
      for (const EventFrame& frame : subscriber.TakeAll()) {
        joined += *frame;
        ++seen;
      }
      if (seen < count) std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    return joined;
  }

  fs::path dir_;
  std::unique_ptr<store::SqliteStore> store_;
  std::optional<classify::ShotClassifier> classifier_;
  Broadcaster broadcaster_;
};

TEST_F(PipelineTest, LocatesStoresAndPublishesAShotAndItsIncident) {
  auto pipeline = MakePipeline("a");
  auto subscriber = broadcaster_.Subscribe(std::nullopt, nullptr);
  pipeline->Start();
  const std::vector<Pulse> pulses = RingPulses("p", int64_t{1714600000} * 1'000'000'000);
  ASSERT_TRUE(pipeline->TryReserve(pulses.size()));
  pipeline->Enqueue(pulses, 123, pulses.size());
  const std::string events = WaitForEvents(*subscriber, 2);
  EXPECT_NE(events.find("event: shot.new"), std::string::npos) << events;
  EXPECT_NE(events.find("event: incident.new"), std::string::npos) << events;
  EXPECT_NE(events.find("\"ingested_ns\":123"), std::string::npos) << events;
  EXPECT_NE(events.find("\"published_ns\""), std::string::npos) << events;
  auto counts = store_->Counts();
  ASSERT_TRUE(counts.has_value());
  EXPECT_EQ(counts->shots, 1);
  EXPECT_EQ(counts->incidents, 1);
  EXPECT_EQ(pipeline->counters().shots_new, 1u);
  EXPECT_EQ(pipeline->queue_depth(), 0u);

  auto incidents = store_->IncidentsChangedSince(0, 10);
  ASSERT_TRUE(incidents.has_value());
  ASSERT_EQ(incidents->size(), 1u);
  const std::string id = incidents->front().incident.id;
  EXPECT_EQ(id, "incident-a-1");

  // A person's decisions: each a new stored version, pushed.
  auto reviewed = pipeline->Review(id, "not_gunfire", "fireworks", "alice", 1, 5);
  ASSERT_TRUE(reviewed.has_value()) << reviewed.error().message;
  EXPECT_EQ(reviewed->version, 2);
  EXPECT_EQ(reviewed->state, IncidentState::kReviewed);
  EXPECT_EQ(reviewed->label, "not_gunfire");
  auto stale = pipeline->Review(id, "gunfire", "", "bob", 1, 6);
  ASSERT_FALSE(stale.has_value());
  EXPECT_EQ(stale.error().status, 409);
  EXPECT_EQ(pipeline->Review("nope", "gunfire", "", "bob", {}, 6).error().status, 404);
  EXPECT_EQ(pipeline->Review(id, "maybe", "", "bob", {}, 6).error().status, 400);
  auto disposed = pipeline->Dispose(id, "fireworks", "", "officer 12", /*close=*/true, 7);
  ASSERT_TRUE(disposed.has_value()) << disposed.error().message;
  EXPECT_EQ(disposed->state, IncidentState::kClosed);
  EXPECT_EQ(disposed->version, 4);  // the disposition, then the closing
  auto versions = store_->IncidentVersions(id);
  ASSERT_TRUE(versions.has_value());
  EXPECT_EQ(versions->size(), 4u);
  pipeline->Stop();

  // After a restart the tracker is empty; the stored incident still takes a review.
  auto restarted = MakePipeline("b");
  auto again = restarted->Review(id, "gunfire", "second look", "carol", {}, 8);
  ASSERT_TRUE(again.has_value()) << again.error().message;
  EXPECT_EQ(again->version, 5);
  EXPECT_EQ(again->label, "gunfire");
  EXPECT_EQ(again->state, IncidentState::kClosed);
  auto chain = store_->VerifyAuditChain();
  ASSERT_TRUE(chain.has_value());
  EXPECT_TRUE(chain->ok) << chain->reason;
}

TEST_F(PipelineTest, ABatchSpanningMoreThanTheHorizonIsLocatedWhole) {
  auto pipeline = MakePipeline("a");
  pipeline->Start();
  const int64_t t0 = int64_t{1714600000} * 1'000'000'000;
  std::vector<Pulse> pulses = RingPulses("p", t0);
  const std::vector<Pulse> later = RingPulses("q", t0 + int64_t{45} * 1'000'000'000);
  pulses.insert(pulses.end(), later.begin(), later.end());
  ASSERT_TRUE(pipeline->TryReserve(pulses.size()));
  pipeline->Enqueue(pulses, 1, pulses.size());
  for (int i = 0; i < 200 && pipeline->counters().shots_new < 2; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  EXPECT_EQ(pipeline->counters().shots_new, 2u);
}

TEST_F(PipelineTest, TheQueueRefusesWhatItCannotHold) {
  PipelineOptions options;
  options.max_queued_pulses = 10;
  auto pipeline = MakePipeline("a", options);
  EXPECT_FALSE(pipeline->TryReserve(11));
  EXPECT_TRUE(pipeline->TryReserve(8));
  EXPECT_FALSE(pipeline->TryReserve(3));
  pipeline->Release(8);
  EXPECT_TRUE(pipeline->TryReserve(10));
  // A request whose pulses were all duplicates gives its whole reservation back.
  pipeline->Enqueue({}, 1, 10);
  EXPECT_EQ(pipeline->queue_depth(), 0u);
}

}  // namespace
}  // namespace earshot::server
