#include "energy/LandauerCalculator.h"

#include "common/InputError.h"
#include "energy/PhysicalConstants.h"

#include <cmath>
#include <sstream>

namespace featurescope {

namespace {

std::string show(double x)
{
    std::ostringstream s;
    s.precision(6);
    s << x;
    return s.str();
}

void requireFinite(double x, const char* what)
{
    if (!std::isfinite(x))
        throw InputError(std::string(what) + " must be a finite number");
}

void requirePositive(double x, const char* what, const char* unit)
{
    requireFinite(x, what);
    if (!(x > 0.0))
        throw InputError(std::string(what) + " must be greater than 0 " + unit + ", got " + show(x));
}

} // namespace

const char* opCountName(OpCount count) { return count == OpCount::Mac ? "mac" : "flop"; }

double LandauerCalculator::energyPerBit(double temperatureK)
{
    requirePositive(temperatureK, "temperature", "K");
    return physics::kBoltzmann * temperatureK * physics::ln2;
}

void LandauerCalculator::validate(const LandauerInput& in)
{
    requirePositive(in.temperatureK, "temperature", "K");
    requirePositive(in.bitsPerOp, "bits per op", "bits");
    requirePositive(in.throughputTflops, "throughput", "TFLOP/s");
    requirePositive(in.powerW, "power", "W");
    requireFinite(in.utilization, "utilisation");
    if (!(in.utilization > 0.0 && in.utilization <= 1.0))
        throw InputError("utilisation must be in (0, 1], got " + show(in.utilization));
    requireFinite(in.powerOverhead, "power overhead");
    if (!(in.powerOverhead >= 1.0))
        throw InputError("power overhead must be at least 1, got " + show(in.powerOverhead));
}

double LandauerCalculator::landauerFlopsPerJoule(double bitsPerOp, double temperatureK, OpCount count)
{
    requirePositive(bitsPerOp, "bits per op", "bits");
    const double perOp = bitsPerOp * energyPerBit(temperatureK);
    return (count == OpCount::Mac ? 2.0 : 1.0) / perOp;
}

double LandauerCalculator::ratio(const LandauerInput& in)
{
    validate(in);
    double flops = in.throughputTflops * 1e12 * in.utilization;
    if (in.sparseHeadline)
        flops *= 0.5;
    const double ops = in.count == OpCount::Mac ? flops * 0.5 : flops;
    return in.powerW * in.powerOverhead / (in.bitsPerOp * ops * energyPerBit(in.temperatureK));
}

LandauerResult LandauerCalculator::compute(const LandauerInput& in)
{
    validate(in);
    LandauerResult r;
    r.input = in;
    const double kT = physics::kBoltzmann * in.temperatureK;
    r.energyPerBitJ = kT * physics::ln2;
    r.energyPerBitEv = r.energyPerBitJ / physics::elementaryCharge;
    r.energyPerBitKt = physics::ln2;
    r.headlineFlopsPerSecond = in.throughputTflops * 1e12;
    r.denseFlopsPerSecond = in.sparseHeadline ? r.headlineFlopsPerSecond * 0.5 : r.headlineFlopsPerSecond;
    r.effectiveFlopsPerSecond = r.denseFlopsPerSecond * in.utilization;
    r.opsPerSecond = in.count == OpCount::Mac ? r.effectiveFlopsPerSecond * 0.5 : r.effectiveFlopsPerSecond;
    r.powerW = in.powerW * in.powerOverhead;
    r.landauerPowerW = in.bitsPerOp * r.opsPerSecond * r.energyPerBitJ;
    r.ratio = r.powerW / r.landauerPowerW;
    r.joulesPerOp = r.powerW / r.opsPerSecond;
    r.joulesPerOpKt = r.joulesPerOp / kT;
    r.bitErasuresPerOp = r.joulesPerOp / r.energyPerBitJ;
    r.joulesPerFlop = r.powerW / r.effectiveFlopsPerSecond;
    r.flopsPerJoule = r.effectiveFlopsPerSecond / r.powerW;
    r.landauerFlopsPerJoule = r.effectiveFlopsPerSecond / r.landauerPowerW;

    const std::string opName = in.count == OpCount::Mac ? "MAC" : "FLOP";
    auto& d = r.derivation;
    d.push_back({"Energy per erased bit", "E_b = k_B T ln 2", r.energyPerBitJ, "J"});
    d.push_back({"  in electronvolts", "E_b / e", r.energyPerBitEv, "eV"});
    d.push_back({"Headline throughput", show(in.throughputTflops) + " TFLOP/s", r.headlineFlopsPerSecond, "FLOP/s"});
    if (in.sparseHeadline)
        d.push_back({"Dense throughput (2:4-sparse headline)", "headline / 2", r.denseFlopsPerSecond, "FLOP/s"});
    if (in.utilization != 1.0)
        d.push_back({"Sustained throughput", "dense x " + show(in.utilization) + " utilisation",
                     r.effectiveFlopsPerSecond, "FLOP/s"});
    d.push_back({"Ops/s, counted as " + opName,
                 in.count == OpCount::Mac ? "FLOP/s / 2 (1 MAC = 2 FLOP)" : "ops/s = FLOP/s", r.opsPerSecond,
                 opName + "/s"});
    if (in.powerOverhead != 1.0)
        d.push_back({"Power P with overhead", show(in.powerW) + " W x " + show(in.powerOverhead), r.powerW, "W"});
    else
        d.push_back({"Power P", "as given", r.powerW, "W"});
    d.push_back({"Landauer power", "P_L = " + show(in.bitsPerOp) + " x ops/s x E_b", r.landauerPowerW, "W"});
    d.push_back({"Ratio actual / Landauer", "P / P_L", r.ratio, "x"});
    d.push_back({"Erasures the power pays for", "P / (ops/s x E_b)", r.bitErasuresPerOp, "per " + opName});
    d.push_back({"Energy per " + opName, "P / ops/s", r.joulesPerOp, "J"});
    d.push_back({"  in units of kT", "/ k_B T", r.joulesPerOpKt, "kT"});
    if (in.count == OpCount::Mac)
        d.push_back({"Energy per FLOP", "P / FLOP/s", r.joulesPerFlop, "J/FLOP"});
    d.push_back({"Efficiency", "FLOP/s / P", r.flopsPerJoule, "FLOP/J"});
    return r;
}

} // namespace featurescope
