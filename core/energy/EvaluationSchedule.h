#pragma once

#include <vector>

namespace featurescope {

// A responsible-scaling rule (docs/ARCHITECTURE.md §6): evaluate after every 4x increase in effective compute and after every 3 months, whichever
// comes sooner. Compute grows at a constant factor per year.
struct EvaluationScheduleInput {
    double computeGrowthPerYear = 4.0; // effective-compute multiplier per year, >= 1 (1 = no growth)
    double computeStep = 4.0;          // evaluate after this much growth (> 1)
    double maxIntervalMonths = 3.0;    // ... or after this many months (> 0)
    double horizonMonths = 24.0;       // list evaluations up to here (> 0, at most 1200)
};

struct EvaluationEvent {
    enum class Trigger { Compute, Calendar };
    double months = 0.0;              // since the start
    double computeMultiple = 1.0;     // effective compute relative to the start
    double stepMultiple = 1.0;        // growth since the previous evaluation
    Trigger trigger = Trigger::Calendar;
};

class EvaluationSchedule {
public:
    // Months for effective compute to grow by `computeStep`; +infinity without growth. Throws InputError.
    static double monthsPerComputeStep(const EvaluationScheduleInput& input);
    // Evaluation times up to the horizon (at most 10 000; throws InputError beyond that or for bad input).
    static std::vector<EvaluationEvent> compute(const EvaluationScheduleInput& input);
};

} // namespace featurescope
