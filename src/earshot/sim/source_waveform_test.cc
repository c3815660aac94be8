#include "earshot/sim/source_waveform.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <vector>

#include <gtest/gtest.h>

#include "earshot/audio/fft.h"

namespace earshot::sim {
namespace {

constexpr double kSpeedOfSoundMps = 343.0;

constexpr SourceKind kAllKinds[] = {
    SourceKind::kHandgun,     SourceKind::kRifle,        SourceKind::kShotgun,
    SourceKind::kFirecracker, SourceKind::kFireworkLift, SourceKind::kFireworkBurst,
    SourceKind::kBackfire,    SourceKind::kDoorSlam,     SourceKind::kHammer,
    SourceKind::kNailGun,     SourceKind::kBalloonPop};
constexpr SourceKind kGuns[] = {SourceKind::kHandgun, SourceKind::kRifle, SourceKind::kShotgun};

double PeakAbs(const std::vector<float>& samples) {
  double peak = 0.0;
  for (const float v : samples) peak = std::max(peak, std::abs(static_cast<double>(v)));
  return peak;
}

double DbSpl(double pressure_pa) { return 20.0 * std::log10(pressure_pa / 20e-6); }

Emission EmissionOf(SourceKind kind, double level_db, uint64_t seed) {
  Emission emission;
  emission.kind = kind;
  emission.peak_db_spl_at_1m = level_db;
  emission.axis = Eigen::Vector3d::UnitX();
  emission.waveform_seed = seed;
  emission.bullet_speed_mps = TraitsOf(kind).bullet_speed_mps;
  return emission;
}

// ---- Friedlander -------------------------------------------------------------------

TEST(FriedlanderTest, PeakAtFrontZeroAtPositivePhaseNegativeAfter) {
  for (const double b : {0.35, 1.0, 1.3, 2.0}) {
    EXPECT_DOUBLE_EQ(FriedlanderPa(0.0, 250.0, 0.5e-3, b), 250.0);
    EXPECT_NEAR(FriedlanderPa(0.5e-3, 250.0, 0.5e-3, b), 0.0, 1e-12);
    EXPECT_LT(FriedlanderPa(0.7e-3, 250.0, 0.5e-3, b), 0.0);
    EXPECT_EQ(FriedlanderPa(-1e-6, 250.0, 0.5e-3, b), 0.0);  // before the front
    // The deepest point of the negative phase: t = T (1 + 1/b), −P e^−(b+1) / b.
    EXPECT_NEAR(FriedlanderPa(0.5e-3 * (1.0 + 1.0 / b), 250.0, 0.5e-3, b),
                -250.0 * std::exp(-(b + 1.0)) / b, 1e-9);
  }
}

TEST(FriedlanderTest, PositivePhaseImpulseIsTheClosedForm) {
  // ∫0^T P (1 − t/T) e^(−b t/T) dt = P T (b − 1 + e^−b) / b², by Simpson's rule.
  const double peak = 180.0, duration = 0.6e-3;
  for (const double b : {0.5, 1.0, 1.2, 3.0}) {
    const int steps = 2000;
    const double h = duration / steps;
    double sum = FriedlanderPa(0.0, peak, duration, b) + FriedlanderPa(duration, peak, duration, b);
    for (int i = 1; i < steps; ++i) {
      sum += (i % 2 == 1 ? 4.0 : 2.0) * FriedlanderPa(i * h, peak, duration, b);
    }
    const double integral = sum * h / 3.0;
    const double closed_form = peak * duration * (b - 1.0 + std::exp(-b)) / (b * b);
    EXPECT_NEAR(integral, closed_form, 1e-9 * peak * duration) << "b " << b;
  }
}

// ---- Traits ------------------------------------------------------------------------

TEST(TraitsTest, EveryKindHasSaneParameters) {
  for (const SourceKind kind : kAllKinds) {
    const SourceTraits& t = TraitsOf(kind);
    SCOPED_TRACE(SourceKindName(kind));
    EXPECT_LT(t.peak_db_spl_at_1m_min, t.peak_db_spl_at_1m_max);
    EXPECT_GE(t.peak_db_spl_at_1m_min, 100.0);
    EXPECT_LE(t.peak_db_spl_at_1m_max, 175.0);
    EXPECT_GT(t.positive_phase_s, 0.0);
    EXPECT_LT(t.positive_phase_s, 5e-3);
    EXPECT_GT(t.dominant_frequency_hz, 20.0);
    EXPECT_GE(t.front_to_back_db, 0.0);
    EXPECT_GE(t.cadence_s, 0.0);
  }
  const SourceTraits& handgun = TraitsOf(SourceKind::kHandgun);
  EXPECT_GE(handgun.peak_db_spl_at_1m_min, 150.0);
  EXPECT_LE(handgun.peak_db_spl_at_1m_max, 165.0);
  EXPECT_GE(handgun.positive_phase_s, 0.3e-3);
  EXPECT_LE(handgun.positive_phase_s, 1e-3);
  // Automatic fire: 600–1000 rounds a minute.
  for (const SourceKind kind : {SourceKind::kHandgun, SourceKind::kRifle}) {
    EXPECT_GE(TraitsOf(kind).cadence_s, 0.06);
    EXPECT_LE(TraitsOf(kind).cadence_s, 0.1);
  }
  const SourceTraits& rifle = TraitsOf(SourceKind::kRifle);
  EXPECT_GE(rifle.bullet_speed_mps, 850.0);
  EXPECT_LE(rifle.bullet_speed_mps, 950.0);
  EXPECT_GT(rifle.peak_db_spl_at_1m_max, handgun.peak_db_spl_at_1m_max);
  for (const SourceKind kind : kGuns) EXPECT_GT(TraitsOf(kind).front_to_back_db, 3.0);
  EXPECT_EQ(TraitsOf(SourceKind::kFireworkBurst).front_to_back_db, 0.0);
}

// ---- Directivity -------------------------------------------------------------------

TEST(DirectivityTest, ZeroOnAxisMinusFrontToBackBehindMonotonicBetween) {
  for (const SourceKind kind : kAllKinds) {
    const double front_to_back = TraitsOf(kind).front_to_back_db;
    EXPECT_DOUBLE_EQ(DirectivityDb(kind, 1.0), 0.0);
    EXPECT_DOUBLE_EQ(DirectivityDb(kind, -1.0), -front_to_back);
    double previous = DirectivityDb(kind, -1.0);
    for (double c = -0.9; c <= 1.0; c += 0.1) {
      EXPECT_GE(DirectivityDb(kind, c), previous);
      previous = DirectivityDb(kind, c);
    }
  }
}

// ---- Blasts ------------------------------------------------------------------------

TEST(BlastTest, PeakIsTheRequestedLevelForEveryKindRateAndSeed) {
  for (const SourceKind kind : kAllKinds) {
    const SourceTraits& traits = TraitsOf(kind);
    for (const double rate_hz : {8000.0, 12000.0, 48000.0}) {
      for (uint64_t seed = 1; seed <= 4; ++seed) {
        const double level =
            traits.peak_db_spl_at_1m_min +
            0.3 * seed * (traits.peak_db_spl_at_1m_max - traits.peak_db_spl_at_1m_min) / 1.2;
        const std::vector<float> blast =
            BlastAt1mPa(EmissionOf(kind, level, seed), Eigen::Vector3d::UnitX(), rate_hz);
        SCOPED_TRACE(testing::Message()
                     << SourceKindName(kind) << " " << rate_hz << " Hz seed " << seed);
        ASSERT_GE(blast.size(), 10u);
        EXPECT_NEAR(DbSpl(PeakAbs(blast)), level, 0.5);
        EXPECT_EQ(blast[0], 0.0f);  // sample 0 is the front
        EXPECT_NE(blast[1], 0.0f);  // and it rises within one sample
        for (const float v : blast) ASSERT_TRUE(std::isfinite(v));
      }
    }
  }
}

TEST(BlastTest, DirectivityLowersTheLevelBehind) {
  for (const SourceKind kind : kAllKinds) {
    const Emission emission = EmissionOf(kind, 150.0, 7);
    const Eigen::Vector3d side(0.0, 1.0, 0.0), behind(-1.0, 0.0, 0.0);
    const double front_db = DbSpl(PeakAbs(BlastAt1mPa(emission, emission.axis, 12000.0)));
    const double side_db = DbSpl(PeakAbs(BlastAt1mPa(emission, side, 12000.0)));
    const double behind_db = DbSpl(PeakAbs(BlastAt1mPa(emission, behind, 12000.0)));
    EXPECT_NEAR(front_db, 150.0, 0.5) << SourceKindName(kind);
    EXPECT_NEAR(side_db, 150.0 + DirectivityDb(kind, 0.0), 0.5) << SourceKindName(kind);
    EXPECT_NEAR(behind_db, 150.0 - TraitsOf(kind).front_to_back_db, 0.5) << SourceKindName(kind);
  }
}

TEST(BlastTest, GunBlastsHaveANegativePhaseAndTensOfMilliseconds) {
  for (const SourceKind kind : kGuns) {
    const std::vector<float> blast =
        BlastAt1mPa(EmissionOf(kind, 155.0, 3), Eigen::Vector3d::UnitX(), 12000.0);
    const double peak = PeakAbs(blast);
    const float lowest = *std::min_element(blast.begin(), blast.end());
    EXPECT_LT(lowest, -0.1 * peak) << SourceKindName(kind);
    EXPECT_GE(blast.size() / 12000.0, 0.02) << SourceKindName(kind);
    // The positive phase: the first zero crossing after the peak, near T (the sampler and
    // the round's variation move it a little).
    size_t k = 1;
    while (k < blast.size() && blast[k] > 0.0f) ++k;
    const double crossing_s = (k - 0.5) / 12000.0;
    EXPECT_NEAR(crossing_s, TraitsOf(kind).positive_phase_s,
                0.4 * TraitsOf(kind).positive_phase_s + 1.0 / 12000.0)
        << SourceKindName(kind);
  }
}

TEST(BlastTest, BurstsAreLongerThanShotsAndSomeCrackle) {
  size_t shortest = 1u << 30, longest = 0;
  for (uint64_t seed = 0; seed < 20; ++seed) {
    const size_t length = BlastAt1mPa(EmissionOf(SourceKind::kFireworkBurst, 150.0, seed),
                                      Eigen::Vector3d::UnitZ(), 12000.0)
                              .size();
    shortest = std::min(shortest, length);
    longest = std::max(longest, length);
  }
  EXPECT_GE(shortest / 12000.0, 0.3);
  EXPECT_GE(longest / 12000.0, 1.0);  // a crackling shell among twenty
}

TEST(BlastTest, SameSeedSameSamplesOtherSeedOtherRound) {
  const Emission a = EmissionOf(SourceKind::kHandgun, 158.0, 42);
  const Eigen::Vector3d toward = Eigen::Vector3d(1.0, 1.0, 0.0).normalized();
  EXPECT_EQ(BlastAt1mPa(a, toward, 12000.0), BlastAt1mPa(a, toward, 12000.0));
  Emission b = a;
  b.waveform_seed = 43;
  const std::vector<float> first = BlastAt1mPa(a, toward, 12000.0);
  const std::vector<float> second = BlastAt1mPa(b, toward, 12000.0);
  EXPECT_NE(first, second);
  EXPECT_NEAR(DbSpl(PeakAbs(first)), DbSpl(PeakAbs(second)), 1e-3);  // the level is the scene's
}

// The energy spectrum of each kind's blast peaks near its trait's dominant frequency
// (within half an octave), so the pulse-only mode and the audio mode agree.
TEST(BlastTest, EnergyPeaksNearTheDominantFrequency) {
  constexpr double kRateHz = 48000.0;
  constexpr int kSize = 1 << 16;
  audio::RealFft fft(kSize);
  for (const SourceKind kind : kAllKinds) {
    std::vector<double> average(kSize / 2 + 1, 0.0);
    for (uint64_t seed = 0; seed < 8; ++seed) {
      std::vector<float> blast =
          BlastAt1mPa(EmissionOf(kind, 140.0, seed), Eigen::Vector3d::UnitX(), kRateHz);
      blast.resize(std::min<size_t>(blast.size(), kSize));
      const std::vector<double> power = audio::PowerSpectrum(fft, blast);
      for (size_t k = 0; k < power.size(); ++k) average[k] += power[k];
    }
    // Energy per third of an octave, from 20 Hz up.
    double best_hz = 0.0, best_energy = -1.0;
    for (double center = 20.0; center < 10000.0; center *= std::pow(2.0, 1.0 / 12.0)) {
      const double lo = center * std::pow(2.0, -1.0 / 6.0), hi = center * std::pow(2.0, 1.0 / 6.0);
      double energy = 0.0;
      for (int k = static_cast<int>(std::ceil(lo * kSize / kRateHz));
           k <= static_cast<int>(hi * kSize / kRateHz); ++k) {
        energy += average[static_cast<size_t>(k)];
      }
      if (energy > best_energy) {
        best_energy = energy;
        best_hz = center;
      }
    }
    EXPECT_NEAR(std::log2(best_hz / TraitsOf(kind).dominant_frequency_hz), 0.0, 0.5)
        << SourceKindName(kind) << ": spectrum peaks at " << best_hz << " Hz";
  }
}

// ---- The bullet's shock wave -------------------------------------------------------

Emission RifleShot(double speed_mps) {
  Emission emission = EmissionOf(SourceKind::kRifle, 160.0, 1);
  emission.position_m = Eigen::Vector3d(10.0, 20.0, 1.5);
  emission.axis = Eigen::Vector3d(1.0, 0.0, 0.0);
  emission.bullet_speed_mps = speed_mps;
  return emission;
}

TEST(BulletShockTest, ArrivesBeforeTheBlastAheadOfTheShooter) {
  const Emission shot = RifleShot(900.0);
  for (const double down_range : {20.0, 100.0, 300.0}) {
    for (const double miss : {2.0, 15.0, 60.0}) {
      const Eigen::Vector3d receiver = shot.position_m + Eigen::Vector3d(down_range, miss, 0.0);
      const std::optional<ShockArrival> shock = BulletShockAt(shot, receiver, kSpeedOfSoundMps);
      if (down_range < miss * kSpeedOfSoundMps / std::sqrt(900.0 * 900.0 - 343.0 * 343.0)) {
        EXPECT_FALSE(shock.has_value());  // outside the cone
        continue;
      }
      ASSERT_TRUE(shock.has_value()) << down_range << " " << miss;
      const double blast_s = (receiver - shot.position_m).norm() / kSpeedOfSoundMps;
      EXPECT_LT(shock->time_after_shot_s, blast_s);
      EXPECT_NEAR(shock->miss_distance_m, miss, 1e-9);
    }
  }
}

constexpr double kConstantSpeed = std::numeric_limits<double>::infinity();

TEST(BulletShockTest, ConstantSpeedArrivalIsTheClosedFormAndTheEarliestWavelet) {
  const double v = 900.0, c = kSpeedOfSoundMps;
  const Emission shot = RifleShot(v);
  const double along = 150.0, miss = 25.0;
  const Eigen::Vector3d receiver = shot.position_m + Eigen::Vector3d(along, 0.0, miss);
  const std::optional<ShockArrival> shock = BulletShockAt(shot, receiver, c, 800.0, kConstantSpeed);
  ASSERT_TRUE(shock.has_value());
  // By hand: t = along/v + b √(v² − c²) / (c v).
  const double expected_s = along / v + miss * std::sqrt(v * v - c * c) / (c * v);
  EXPECT_NEAR(shock->time_after_shot_s, expected_s, 1e-12);
  // It is the first of all the wavelets the bullet sends: min over s of s/v + |r − p(s)|/c.
  double earliest = 1e9;
  for (double s = 0.0; s <= 400.0; s += 0.001) {
    const Eigen::Vector3d point = shot.position_m + s * Eigen::Vector3d::UnitX();
    earliest = std::min(earliest, s / v + (receiver - point).norm() / c);
  }
  EXPECT_NEAR(shock->time_after_shot_s, earliest, 1e-7);
  // The ray to the receiver is normal to the Mach cone: it leaves the trajectory at
  // acos(c/v), so the cone's surface makes the Mach angle asin(c/v) with it.
  const double cos_ray = (receiver - shock->emission_point_m).normalized().x();
  EXPECT_NEAR(cos_ray, c / v, 1e-12);
  EXPECT_NEAR(std::numbers::pi / 2 - std::acos(cos_ray), std::asin(c / v), 1e-12);
}

TEST(BulletShockTest, WithDragTheShockIsStillTheEarliestWaveletAndComesLater) {
  const double v0 = 900.0, c = kSpeedOfSoundMps, decay_m = kBulletSpeedDecayLengthM;
  const Emission shot = RifleShot(v0);
  const Eigen::Vector3d receiver = shot.position_m + Eigen::Vector3d(300.0, 40.0, 0.0);
  const std::optional<ShockArrival> shock = BulletShockAt(shot, receiver, c);
  ASSERT_TRUE(shock.has_value());
  // Flight time to s with v(s) = v0 e^(−s/L): (L/v0)(e^(s/L) − 1).
  double earliest = 1e9;
  for (double s = 0.0; s <= 800.0; s += 0.001) {
    const Eigen::Vector3d point = shot.position_m + s * Eigen::Vector3d::UnitX();
    earliest =
        std::min(earliest, decay_m / v0 * std::expm1(s / decay_m) + (receiver - point).norm() / c);
  }
  EXPECT_NEAR(shock->time_after_shot_s, earliest, 1e-7);
  // The local Mach condition at the emission point.
  const double s = (shock->emission_point_m - shot.position_m).x();
  const double cos_ray = (receiver - shock->emission_point_m).normalized().x();
  EXPECT_NEAR(cos_ray, c / (v0 * std::exp(-s / decay_m)), 1e-9);
  const std::optional<ShockArrival> constant =
      BulletShockAt(shot, receiver, c, 800.0, kConstantSpeed);
  ASSERT_TRUE(constant.has_value());
  EXPECT_GT(shock->time_after_shot_s, constant->time_after_shot_s);
  EXPECT_LT(shock->time_after_shot_s, (receiver - shot.position_m).norm() / c);  // before the blast
}

TEST(BulletShockTest, NoneBehindTheMuzzleWhenSubsonicOrPastTheRange) {
  const Emission shot = RifleShot(900.0);
  const Eigen::Vector3d behind = shot.position_m + Eigen::Vector3d(-50.0, 10.0, 0.0);
  EXPECT_FALSE(BulletShockAt(shot, behind, kSpeedOfSoundMps).has_value());
  const Eigen::Vector3d ahead = shot.position_m + Eigen::Vector3d(200.0, 10.0, 0.0);
  EXPECT_TRUE(BulletShockAt(shot, ahead, kSpeedOfSoundMps).has_value());
  EXPECT_FALSE(BulletShockAt(RifleShot(320.0), ahead, kSpeedOfSoundMps).has_value());
  EXPECT_FALSE(BulletShockAt(RifleShot(0.0), ahead, kSpeedOfSoundMps).has_value());
  EXPECT_FALSE(BulletShockAt(shot, ahead, kSpeedOfSoundMps, 100.0).has_value());
  // Far down range the slowing bullet has gone transonic (1.1 c at L ln(v0/1.1c) ≈ 870 m)
  // before the point that would reach the receiver; at constant speed it still cracks.
  const Eigen::Vector3d far = shot.position_m + Eigen::Vector3d(1500.0, 10.0, 0.0);
  EXPECT_FALSE(BulletShockAt(shot, far, kSpeedOfSoundMps, 3000.0).has_value());
  EXPECT_TRUE(BulletShockAt(shot, far, kSpeedOfSoundMps, 3000.0, kConstantSpeed).has_value());
}

TEST(BulletShockTest, WhithamScalingOfDurationAndPeak) {
  const Emission shot = RifleShot(900.0);
  const auto at_miss = [&](double miss) {
    return *BulletShockAt(shot, shot.position_m + Eigen::Vector3d(400.0, miss, 0.0),
                          kSpeedOfSoundMps, 800.0, kConstantSpeed);
  };
  const ShockArrival near = at_miss(5.0), far = at_miss(80.0);
  // Sixteen times the distance: twice the duration, an eighth of the peak.
  EXPECT_NEAR(far.duration_s / near.duration_s, 2.0, 1e-9);
  EXPECT_NEAR(far.peak_pa / near.peak_pa, 1.0 / 8.0, 1e-9);
  // The 5.56 mm bullet at 900 m/s, 10 m off: about 0.19 ms and 175 Pa (139 dB).
  const ShockArrival ten = at_miss(10.0);
  EXPECT_NEAR(ten.duration_s, 0.19e-3, 0.02e-3);
  EXPECT_NEAR(ten.peak_pa, 175.0, 10.0);
}

TEST(NWaveTest, StartsAtTheFrontCarriesNoNetImpulseAndKeepsItsPeakWhenResolved) {
  ShockArrival shock;
  shock.peak_pa = 40.0;
  shock.duration_s = 0.25e-3;
  for (const double rate_hz : {8000.0, 12000.0, 48000.0, 192000.0}) {
    const std::vector<float> wave = NWavePa(shock, rate_hz);
    EXPECT_EQ(wave[0], 0.0f);
    EXPECT_GT(wave[1], 0.0f);
    double sum = 0.0;
    for (const float v : wave) {
      ASSERT_TRUE(std::isfinite(v));
      sum += v;
      EXPECT_LE(std::abs(v), shock.peak_pa * (1.0 + 1e-6));
    }
    EXPECT_NEAR(sum, 0.0, 1e-4 * shock.peak_pa);
    EXPECT_LE(wave.size(), static_cast<size_t>(shock.duration_s * rate_hz) + 3);
  }
  const std::vector<float> resolved = NWavePa(shock, 192000.0);
  EXPECT_NEAR(PeakAbs(resolved), shock.peak_pa, 0.05 * shock.peak_pa);
}

}  // namespace
}  // namespace earshot::sim
