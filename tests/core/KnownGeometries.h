#pragma once

// Feature directions whose geometry and measures are known in closed form, shared by the geometry, measures and
// plot tests so they all check against the same shapes.

#include <Eigen/Core>

#include <cmath>
#include <numbers>

// `count` vectors of length `radius` in the plane at angles 2*pi*k/count (a regular polygon).
inline Eigen::MatrixXf regularPolygon(int count, float radius = 1.0f)
{
    Eigen::MatrixXf W(2, count);
    for (int k = 0; k < count; ++k) {
        const double angle = 2.0 * std::numbers::pi * k / count;
        W(0, k) = radius * static_cast<float>(std::cos(angle));
        W(1, k) = radius * static_cast<float>(std::sin(angle));
    }
    return W;
}

// Four unit vectors with pairwise dot product -1/3.
inline Eigen::MatrixXf regularTetrahedron()
{
    Eigen::MatrixXf W(3, 4);
    W << 1, 1, -1, -1,
         1, -1, 1, -1,
         1, -1, -1, 1;
    return W / std::sqrt(3.0f);
}

// Two squares of unit vectors at heights +-h, the lower one turned by 45 degrees.
inline Eigen::MatrixXf squareAntiprism(double heightSquared)
{
    const double h = std::sqrt(heightSquared);
    const double r = std::sqrt(1.0 - heightSquared);
    Eigen::MatrixXf W(3, 8);
    for (int k = 0; k < 4; ++k) {
        const double upper = std::numbers::pi / 2 * k;
        const double lower = upper + std::numbers::pi / 4;
        W.col(2 * k) << float(r * std::cos(upper)), float(r * std::sin(upper)), float(h);
        W.col(2 * k + 1) << float(r * std::cos(lower)), float(r * std::sin(lower)), float(-h);
    }
    return W;
}
