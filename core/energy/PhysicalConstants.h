#pragma once

// Exact SI constants (2019 redefinition) used by the energy calculations. No Qt, no dependencies.
namespace featurescope::physics {

inline constexpr double kBoltzmann = 1.380649e-23;       // J/K, exact
inline constexpr double ln2 = 0.6931471805599453;        // ln 2 (== std::numbers::ln2)
inline constexpr double elementaryCharge = 1.602176634e-19; // C, exact; also J per eV
inline constexpr double planck = 6.62607015e-34;         // J*s, exact

} // namespace featurescope::physics
