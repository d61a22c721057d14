#pragma once

#include "sae/SaeConfig.h"

namespace featurescope {

// The learning-rate and sparsity-coefficient schedules of SAE training, defined as SAELens defines them (see
// docs/ARCHITECTURE.md §5): a linear warm-up from lr/W to lr over the first W steps, then the main phase (constant,
// or cosine annealing from lr to lr_end), then a linear decay to 0 over the last D steps starting from lr_end
// (cosine) or lr (constant); the coefficient λ grows linearly from λ/N to λ over its first N warm-up steps.
class SaeSchedule {
public:
    // The learning rate of step `step` (0-based).
    static double learningRate(const SaeTrainingConfig& training, int step);
    // λ's multiplier at step `step`, in (0, 1]. The 2024 recipe warms λ up over l1WarmupFraction of the steps
    // unless l1WarmupSteps is set; the other recipes only when l1WarmupSteps > 0.
    // λ's warm-up in steps when the training config leaves it to the recipe (l1WarmupSteps < 0): the 2024 recipe
    // l1WarmupFraction of the steps; JumpReLU's quadratic loss the whole run (its gradient, ∝ L0/T − 1, is ~50 times
    // larger at the start, and Adam's second moment would remember that for ~1000 steps and stall θ); else none.
    static double defaultPenaltyWarmup(const SaeConfig& sae, const SaeTrainingConfig& training);
    static double penaltyFactor(const SaeConfig& sae, const SaeTrainingConfig& training, int step);
    // lr_end in force: the configured one, or lr / 10 (SAELens's default) when unset.
    static double endLearningRate(const SaeTrainingConfig& training);
};

} // namespace featurescope
