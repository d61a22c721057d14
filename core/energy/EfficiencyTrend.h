#pragma once

#include "energy/HardwarePreset.h"

#include <optional>
#include <vector>

namespace featurescope {

struct TrendPoint {
    double year = 0.0;
    double flopsPerJoule = 0.0;
};

// Least-squares fit of log10(FLOP/J) against year: log10(y) = interceptLog10 + slopeLog10PerYear * (year - referenceYear).
class EfficiencyTrend {
public:
    // Throws InputError with fewer than two distinct years or a non-positive / non-finite value.
    static EfficiencyTrend fit(const std::vector<TrendPoint>& points);

    double slopeLog10PerYear() const { return m_slope; }
    double referenceYear() const { return m_referenceYear; }
    double interceptLog10() const { return m_intercept; }
    double rSquared() const { return m_rSquared; }
    int pointCount() const { return m_count; }

    double growthPerYear() const;  // factor per year, 10^slope
    double doublingYears() const;  // log10(2) / slope; +infinity when the trend is flat or falling
    double valueAt(double year) const;
    // The year the trend reaches `flopsPerJoule`; nullopt when it never does (flat or falling trend below it).
    std::optional<double> yearReaching(double flopsPerJoule) const;

private:
    double m_slope = 0.0;
    double m_intercept = 0.0;
    double m_referenceYear = 0.0;
    double m_rSquared = 0.0;
    int m_count = 0;
};

// One point per preset with the requested figure (nullopt: each preset's headline figure, 16-bit else FP32).
std::vector<TrendPoint> presetTrendPoints(const std::vector<HardwarePreset>& presets,
                                          std::optional<PresetFigure> figure = std::nullopt);

} // namespace featurescope
