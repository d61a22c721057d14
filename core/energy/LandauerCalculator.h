#pragma once

#include <string>
#include <vector>

namespace featurescope {

// What one "op" is when ops are counted: vendors quote FLOP/s and count a multiply-accumulate (MAC) as 2 FLOP.
enum class OpCount { Flop, Mac };

// Every convention that moves the answer by 2x or more is a parameter (docs/ARCHITECTURE.md §6).
struct LandauerInput {
    double temperatureK = 300.0;       // operating temperature of the logic
    double bitsPerOp = 16.0;           // bits irreversibly erased per op (16 for bf16 inputs, 32 for fp32 accumulation)
    double throughputTflops = 312.0;   // headline throughput in TFLOP/s (10^12 FLOP/s)
    OpCount count = OpCount::Flop;     // Mac: ops/s = FLOP/s / 2
    double utilization = 1.0;          // fraction of the headline actually sustained, in (0, 1]
    double powerW = 400.0;             // power drawn while doing that work (spec TDP or measured)
    double powerOverhead = 1.0;        // >= 1: multiplies powerW (host, network, cooling; 1 = the chip alone)
    bool sparseHeadline = false;       // the headline is a 2:4-sparse figure: halve it to get dense FLOP/s
};

// One line of the worked derivation shown by the GUI and printed by `featurescope energy --json`.
struct DerivationStep {
    std::string label;   // what this step computes
    std::string formula; // how, in plain symbols
    double value = 0.0;
    std::string unit;
};

struct LandauerResult {
    LandauerInput input;
    double energyPerBitJ = 0.0;     // E_b = k_B T ln 2
    double energyPerBitEv = 0.0;
    double energyPerBitKt = 0.0;    // E_b / (k_B T) = ln 2
    double headlineFlopsPerSecond = 0.0;
    double denseFlopsPerSecond = 0.0;     // after halving a sparse headline
    double effectiveFlopsPerSecond = 0.0; // after utilisation
    double opsPerSecond = 0.0;            // in the chosen count (FLOP or MAC)
    double powerW = 0.0;                  // powerW * powerOverhead
    double landauerPowerW = 0.0;          // bits/op * ops/s * E_b
    double ratio = 0.0;                   // powerW / landauerPowerW
    double bitErasuresPerOp = 0.0;        // how many erasures per op the power could pay for at E_b
    double joulesPerOp = 0.0;
    double joulesPerOpKt = 0.0;           // joulesPerOp / (k_B T)
    double joulesPerFlop = 0.0;
    double flopsPerJoule = 0.0;
    double landauerFlopsPerJoule = 0.0;   // the ceiling: FLOP/J if every op cost exactly bitsPerOp * E_b
    std::vector<DerivationStep> derivation;
};

// The Landauer-bound calculation: how far a real accelerator sits above k_B T ln 2 per erased bit.
class LandauerCalculator {
public:
    // Throws InputError with one line for T <= 0, throughput <= 0, power <= 0, bits <= 0, utilisation outside
    // (0, 1], overhead < 1, or any non-finite value.
    static void validate(const LandauerInput& input);
    static LandauerResult compute(const LandauerInput& input);

    // k_B T ln 2 in joules; throws InputError for T <= 0 or non-finite T.
    static double energyPerBit(double temperatureK);
    // The ratio alone (for sweeps), without building a derivation.
    static double ratio(const LandauerInput& input);
    // FLOP/J if each op erased exactly `bitsPerOp` bits at `temperatureK` and nothing else cost energy.
    static double landauerFlopsPerJoule(double bitsPerOp, double temperatureK, OpCount count = OpCount::Flop);
};

const char* opCountName(OpCount count); // "flop" or "mac"

} // namespace featurescope
