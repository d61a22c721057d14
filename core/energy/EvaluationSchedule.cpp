#include "energy/EvaluationSchedule.h"

#include "common/InputError.h"

#include <cmath>
#include <limits>

namespace featurescope {

namespace {
void validate(const EvaluationScheduleInput& in)
{
    if (!std::isfinite(in.computeGrowthPerYear) || !(in.computeGrowthPerYear >= 1.0))
        throw InputError("compute growth must be a finite factor of at least 1 per year");
    if (!std::isfinite(in.computeStep) || !(in.computeStep > 1.0))
        throw InputError("the compute step must be a finite factor greater than 1");
    if (!std::isfinite(in.maxIntervalMonths) || !(in.maxIntervalMonths > 0.0))
        throw InputError("the evaluation interval must be a positive number of months");
    if (!std::isfinite(in.horizonMonths) || !(in.horizonMonths > 0.0) || in.horizonMonths > 1200.0)
        throw InputError("the horizon must be between 0 and 1200 months");
}
} // namespace

double EvaluationSchedule::monthsPerComputeStep(const EvaluationScheduleInput& in)
{
    validate(in);
    if (in.computeGrowthPerYear == 1.0)
        return std::numeric_limits<double>::infinity();
    return 12.0 * std::log(in.computeStep) / std::log(in.computeGrowthPerYear);
}

std::vector<EvaluationEvent> EvaluationSchedule::compute(const EvaluationScheduleInput& in)
{
    const double computeMonths = monthsPerComputeStep(in);
    const bool computeFirst = computeMonths < in.maxIntervalMonths;
    const double interval = computeFirst ? computeMonths : in.maxIntervalMonths;
    const double count = std::floor(in.horizonMonths / interval + 1e-9);
    if (count > 10000.0)
        throw InputError("more than 10000 evaluations within the horizon: shorten it or lower the growth");
    std::vector<EvaluationEvent> events;
    const double growthPerMonth = std::pow(in.computeGrowthPerYear, 1.0 / 12.0);
    for (int k = 1; k <= int(count); ++k) {
        EvaluationEvent e;
        e.months = k * interval;
        e.computeMultiple = std::pow(growthPerMonth, e.months);
        e.stepMultiple = std::pow(growthPerMonth, interval);
        e.trigger = computeFirst ? EvaluationEvent::Trigger::Compute : EvaluationEvent::Trigger::Calendar;
        events.push_back(e);
    }
    return events;
}

} // namespace featurescope
