#include "energy/EnergyReferences.h"

#include "energy/LandauerCalculator.h"
#include "energy/PhysicalConstants.h"

#include <sstream>

namespace featurescope {

namespace {
std::string show(double x)
{
    std::ostringstream s;
    s.precision(3);
    s << x;
    return s.str();
}
} // namespace

std::vector<EfficiencyReference> efficiencyReferences(double bitsPerOp, double temperatureK)
{
    using namespace energyref;
    const double landauer = LandauerCalculator::landauerFlopsPerJoule(bitsPerOp, temperatureK, OpCount::Flop);
    // A multiply-accumulate is 2 FLOP: one add plus one multiply.
    const double fp16MacPerFlop = (horowitzFp16AddJ + horowitzFp16MulJ) / 2.0;
    const double fp32MacPerFlop = (horowitzFp32AddJ + horowitzFp32MulJ) / 2.0;
    return {
        {"landauer", "Landauer limit, " + show(bitsPerOp) + " bits/FLOP at " + show(temperatureK) + " K", landauer,
         "k_B T ln 2 per erased bit (Landauer 1961)"},
        {"cmos-ceiling", "CMOS ceiling (Epoch AI, FP4)", cmosCeilingOpsPerJoule,
         "Ho, Erdil, Besiroglu 2023: ~4.7e15 FP4 op/J"},
        {"brain", "Human brain (20 W, 1e15 op/s)", brainOpsPerSecond / brainWatts,
         "Carlsmith 2020, central estimate"},
        {"horowitz-fp16-mac", "Horowitz 45 nm FP16 MAC", 1.0 / fp16MacPerFlop,
         "Horowitz, ISSCC 2014: FP16 add 0.4 pJ + multiply 1.1 pJ per MAC (2 FLOP)"},
        {"horowitz-fp32-mac", "Horowitz 45 nm FP32 MAC", 1.0 / fp32MacPerFlop,
         "Horowitz, ISSCC 2014: FP32 add 0.9 pJ + multiply 3.7 pJ per MAC (2 FLOP)"},
    };
}

double margolusLevitinOpsPerSecondPerJoule() { return 4.0 / physics::planck; }

std::vector<std::string> landauerCaveats()
{
    return {
        "Landauer bounds irreversible erasure, not bit flips: reversible operations can in principle cost less.",
        "Real CMOS switches about 1e6 transistors per FLOP, each far above kT ln 2.",
        "Reliable bits need about kT ln(1/p_error) rather than kT ln 2.",
        "Cooling the chip does not help once the refrigerator's own work is counted.",
    };
}

} // namespace featurescope
