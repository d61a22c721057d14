#include "plots/LogNiceTicker.h"

#include <cmath>

QVector<double> LogNiceTicker::createTickVector(double tickStep, const QCPRange& range)
{
    Q_UNUSED(tickStep)
    QVector<double> ticks;
    const double lo = std::min(range.lower, range.upper), hi = std::max(range.lower, range.upper);
    if (!(lo > 0.0) || !std::isfinite(hi))
        return ticks;
    const int first = int(std::floor(std::log10(lo))), last = int(std::ceil(std::log10(hi)));
    for (const bool powersOnly : {false, true}) {
        ticks.clear();
        for (int e = first; e <= last; ++e)
            for (double m : {1.0, 2.0, 5.0}) {
                const double t = m * std::pow(10.0, e);
                if ((!powersOnly || m == 1.0) && t >= lo && t <= hi)
                    ticks << t;
            }
        if (ticks.size() <= 10)
            break;
    }
    return ticks;
}

int LogNiceTicker::getSubTickCount(double tickStep)
{
    Q_UNUSED(tickStep)
    return 0; // uneven gaps between ticks: sub-ticks would mislead
}
