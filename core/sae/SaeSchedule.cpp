#include "sae/SaeSchedule.h"

#include <algorithm>
#include <cmath>

namespace featurescope {

double SaeSchedule::endLearningRate(const SaeTrainingConfig& training)
{
    return training.lrEnd >= 0.0 ? training.lrEnd : training.learningRate / 10.0;
}

double SaeSchedule::learningRate(const SaeTrainingConfig& training, int step)
{
    const double lr = training.learningRate;
    const int warm = training.lrWarmupSteps, decay = training.lrDecaySteps;
    const int main = std::max(0, training.steps - warm - decay);
    if (step < warm) // factor 1/W at the first step, 1 at step W - 1
        return warm == 1 ? lr : lr * (1.0 / warm + (1.0 - 1.0 / warm) * step / double(warm - 1));
    step -= warm;
    const bool cosine = training.lrSchedule == SaeLrSchedule::Cosine;
    const double end = endLearningRate(training);
    if (step < main) {
        if (!cosine)
            return lr;
        constexpr double kPi = 3.14159265358979323846;
        return end + (lr - end) * 0.5 * (1.0 + std::cos(kPi * step / double(main)));
    }
    step -= main;
    // The decay starts where the main phase ends (lr_end after a cosine, lr after a constant) and reaches 0.
    const double start = cosine ? end : lr;
    if (decay <= 0)
        return start;
    return start * (1.0 - std::min(step, decay) / double(decay));
}

double SaeSchedule::defaultPenaltyWarmup(const SaeConfig& sae, const SaeTrainingConfig& training)
{
    if (sae.variant == SaeVariant::Anthropic2024)
        return training.l1WarmupFraction * training.steps;
    if (sae.variant == SaeVariant::JumpReLU && sae.jumpSparsity == SaeJumpSparsity::Quadratic)
        return training.steps;
    return 0.0;
}

double SaeSchedule::penaltyFactor(const SaeConfig& sae, const SaeTrainingConfig& training, int step)
{
    double warm = training.l1WarmupSteps;
    if (training.l1WarmupSteps < 0)
        warm = defaultPenaltyWarmup(sae, training);
    return warm > 0.0 ? std::min(1.0, (step + 1) / warm) : 1.0;
}

} // namespace featurescope
