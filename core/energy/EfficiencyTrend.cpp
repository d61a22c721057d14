#include "energy/EfficiencyTrend.h"

#include "common/InputError.h"

#include <cmath>
#include <limits>

namespace featurescope {

EfficiencyTrend EfficiencyTrend::fit(const std::vector<TrendPoint>& points)
{
    if (points.size() < 2)
        throw InputError("a trend needs at least two points");
    double meanX = 0.0, meanY = 0.0;
    for (const auto& p : points) {
        if (!std::isfinite(p.year) || !std::isfinite(p.flopsPerJoule) || !(p.flopsPerJoule > 0.0))
            throw InputError("trend points need finite years and positive FLOP/J");
        meanX += p.year;
        meanY += std::log10(p.flopsPerJoule);
    }
    const double n = double(points.size());
    meanX /= n;
    meanY /= n;
    double sxx = 0.0, sxy = 0.0, syy = 0.0;
    for (const auto& p : points) {
        const double dx = p.year - meanX;
        const double dy = std::log10(p.flopsPerJoule) - meanY;
        sxx += dx * dx;
        sxy += dx * dy;
        syy += dy * dy;
    }
    if (!(sxx > 0.0))
        throw InputError("a trend needs points from at least two different years");
    EfficiencyTrend t;
    t.m_count = int(points.size());
    t.m_referenceYear = meanX;
    t.m_slope = sxy / sxx;
    t.m_intercept = meanY;
    t.m_rSquared = syy > 0.0 ? (sxy * sxy) / (sxx * syy) : 1.0;
    return t;
}

double EfficiencyTrend::growthPerYear() const { return std::pow(10.0, m_slope); }

double EfficiencyTrend::doublingYears() const
{
    return m_slope > 0.0 ? std::log10(2.0) / m_slope : std::numeric_limits<double>::infinity();
}

double EfficiencyTrend::valueAt(double year) const
{
    return std::pow(10.0, m_intercept + m_slope * (year - m_referenceYear));
}

std::optional<double> EfficiencyTrend::yearReaching(double flopsPerJoule) const
{
    if (!(flopsPerJoule > 0.0) || !std::isfinite(flopsPerJoule))
        return std::nullopt;
    const double target = std::log10(flopsPerJoule);
    if (m_slope == 0.0)
        return target == m_intercept ? std::optional<double>(m_referenceYear) : std::nullopt;
    const double year = m_referenceYear + (target - m_intercept) / m_slope;
    // A falling trend "reaches" higher values only in the past: report only the future direction.
    if (m_slope < 0.0 && target > m_intercept)
        return std::nullopt;
    return year;
}

std::vector<TrendPoint> presetTrendPoints(const std::vector<HardwarePreset>& presets,
                                          std::optional<PresetFigure> figure)
{
    std::vector<TrendPoint> points;
    for (const auto& p : presets) {
        const auto fpj = p.flopsPerJoule(figure.value_or(p.headlineFigure()));
        if (fpj)
            points.push_back({double(p.year), *fpj});
    }
    return points;
}

} // namespace featurescope
