#pragma once

#include <cstdint>

namespace featurescope {

// Named random streams of the experiments: each part of an experiment draws from Rng::deriveSeed(seed, stream), so
// the GUI and the command line, given one seed, draw the same numbers for the same purpose. Changing a value changes
// every result of that experiment for every seed: don't.
namespace RngStream {
constexpr std::uint64_t kSyntheticDirections = 0xDA7A; // the synthetic source's true feature directions
constexpr std::uint64_t kFinalEvaluation = 0xE7A1;     // the evaluation inputs of the final metrics
constexpr std::uint64_t kLiveEvaluation = 0x11FE;      // the smaller evaluation set of the live metrics
constexpr std::uint64_t kWeightShuffle = 0x5A1F;       // the randomized control's weight permutations
} // namespace RngStream

} // namespace featurescope
