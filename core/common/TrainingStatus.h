#pragma once

namespace featurescope {

// Where a training run stands; shared by every trainer in core (toy models, the MLP, SAEs).
enum class TrainingStatus { Running, Finished, Cancelled, Diverged };

} // namespace featurescope
