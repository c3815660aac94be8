// The local East-North-Up frame in which all computation happens, in metres.
//
// Two kinds of input reach Earshot: geodetic positions (WGS84 latitude, longitude and
// ellipsoidal height, as a deployed sensor's GPS reports them) and positions that are
// already metric in some local Cartesian frame (the live-fire dataset's anonymised
// coordinates). `LocalFrame` hides the difference: the solvers only ever see metres.
//
// A geodetic frame wraps GeographicLib::LocalCartesian: x points east, y north, z up,
// normal to the ellipsoid at the origin. Over a city (≤ 20 km) the frame's curvature
// error is below a centimetre in the horizontal. A metric frame is the identity.
//
//   LocalFrame frame = LocalFrame::Geodetic(40.44, -79.99, 250.0);
//   Eigen::Vector3d enu_m = frame.Forward({40.45, -79.98, 260.0});
//   GeodeticPoint back = frame.Reverse(enu_m);
#ifndef EARSHOT_CORE_LOCAL_FRAME_H_
#define EARSHOT_CORE_LOCAL_FRAME_H_

#include <Eigen/Core>
#include <GeographicLib/LocalCartesian.hpp>

namespace earshot {

struct GeodeticPoint {
  double lat_deg = 0.0;
  double lon_deg = 0.0;
  double height_m = 0.0;  // above the WGS84 ellipsoid
};

class LocalFrame {
 public:
  // Positions are already metric; Forward/Reverse are not used.
  static LocalFrame Metric() { return LocalFrame(); }
  // East-North-Up frame with its origin at the given point.
  static LocalFrame Geodetic(double lat_deg, double lon_deg, double height_m);

  bool is_geodetic() const { return geodetic_; }
  GeodeticPoint origin() const;

  // WGS84 → local ENU metres. Requires is_geodetic().
  Eigen::Vector3d Forward(const GeodeticPoint& point) const;
  // Local ENU metres → WGS84. Requires is_geodetic().
  GeodeticPoint Reverse(const Eigen::Vector3d& enu_m) const;

 private:
  LocalFrame() = default;
  bool geodetic_ = false;
  GeographicLib::LocalCartesian cartesian_;
};

}  // namespace earshot

#endif  // EARSHOT_CORE_LOCAL_FRAME_H_
