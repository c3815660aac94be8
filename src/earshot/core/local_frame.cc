#include "earshot/core/local_frame.h"

#include "earshot/core/error.h"

namespace earshot {

LocalFrame LocalFrame::Geodetic(double lat_deg, double lon_deg, double height_m) {
  LocalFrame frame;
  frame.geodetic_ = true;
  frame.cartesian_.Reset(lat_deg, lon_deg, height_m);
  return frame;
}

GeodeticPoint LocalFrame::origin() const {
  return {cartesian_.LatitudeOrigin(), cartesian_.LongitudeOrigin(), cartesian_.HeightOrigin()};
}

Eigen::Vector3d LocalFrame::Forward(const GeodeticPoint& point) const {
  EARSHOT_CHECK(geodetic_);
  Eigen::Vector3d enu_m;
  cartesian_.Forward(point.lat_deg, point.lon_deg, point.height_m, enu_m.x(), enu_m.y(), enu_m.z());
  return enu_m;
}

GeodeticPoint LocalFrame::Reverse(const Eigen::Vector3d& enu_m) const {
  EARSHOT_CHECK(geodetic_);
  GeodeticPoint point;
  cartesian_.Reverse(enu_m.x(), enu_m.y(), enu_m.z(), point.lat_deg, point.lon_deg, point.height_m);
  return point;
}

}  // namespace earshot
