#pragma once

#include <string>
#include <vector>

namespace featurescope {

// Published energy figures drawn as horizontal lines on the FLOP/J plot (docs/ARCHITECTURE.md §6).
struct EfficiencyReference {
    std::string id;      // "landauer", "cmos-ceiling", "brain", "horowitz-fp16-mac", "horowitz-fp32-mac"
    std::string label;   // short text for a plot
    double flopsPerJoule = 0.0;
    std::string source;
};

namespace energyref {
// Horowitz, "Computing's energy problem", ISSCC 2014, 45 nm: energy per operation in joules.
inline constexpr double horowitzFp16AddJ = 0.4e-12;
inline constexpr double horowitzFp16MulJ = 1.1e-12;
inline constexpr double horowitzFp32AddJ = 0.9e-12;
inline constexpr double horowitzFp32MulJ = 3.7e-12;
// Human brain: about 20 W for about 1e15 op/s (Carlsmith 2020's central estimate).
inline constexpr double brainWatts = 20.0;
inline constexpr double brainOpsPerSecond = 1e15;
// Epoch AI's CMOS ceiling: about 4.7e15 FP4 op/J (Ho, Erdil, Besiroglu 2023).
inline constexpr double cmosCeilingOpsPerJoule = 4.7e15;
// Koomey: computations per kWh doubled every 1.57 years (1946-2009).
inline constexpr double koomeyDoublingYears = 1.57;
} // namespace energyref

// The reference lines; the Landauer ceiling uses `bitsPerOp` erased per FLOP at `temperatureK`.
// Throws InputError for non-positive or non-finite arguments.
std::vector<EfficiencyReference> efficiencyReferences(double bitsPerOp, double temperatureK);

// Margolus-Levitin: at most 4E/h operations per second for energy E held (a speed bound, not dissipation).
double margolusLevitinOpsPerSecondPerJoule();

// The caveats shown beside the ratio, one sentence each.
std::vector<std::string> landauerCaveats();

} // namespace featurescope
