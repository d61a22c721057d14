#include "toy/LossTrend.h"

#include <algorithm>
#include <cmath>

namespace featurescope {

LossTrend measureLossTrend(const std::vector<float>& history, double threshold)
{
    LossTrend trend;
    const std::size_t window = std::max<std::size_t>(20, history.size() / 10);
    if (history.size() < 2 * window)
        return trend; // too short to tell
    double last = 0, previous = 0;
    for (std::size_t k = 0; k < window; ++k) {
        last += history[history.size() - 1 - k];
        previous += history[history.size() - 1 - window - k];
    }
    if (!std::isfinite(last) || !std::isfinite(previous) || !(previous > 0))
        return trend;
    trend.relativeDrop = (previous - last) / previous;
    trend.stillFalling = trend.relativeDrop > threshold;
    return trend;
}

} // namespace featurescope
