#include "cli/EnergyCommand.h"

#include "cli/ArgumentParser.h"
#include "common/InputError.h"
#include "energy/EfficiencyTrend.h"
#include "energy/EnergyReferences.h"
#include "energy/HardwarePreset.h"
#include "energy/LandauerCalculator.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iomanip>
#include <iostream>
#include <limits>
#include <sstream>

using featurescope::InputError;
using nlohmann::json;
namespace fs = featurescope;

namespace {

std::string sci(double x, int digits = 4)
{
    std::ostringstream s;
    s << std::setprecision(digits) << x;
    return s.str();
}

int listPresets(bool asJson)
{
    const auto& presets = fs::hardwarePresets();
    if (asJson) {
        json list = json::array();
        for (const auto& p : presets)
            list.push_back(fs::toJson(p));
        std::cout << json{{"presets", list}}.dump(2) << "\n";
        return 0;
    }
    std::cout << std::left << std::setw(16) << "id" << std::setw(20) << "name" << std::setw(6) << "year"
              << std::right << std::setw(10) << "16-bit" << std::setw(9) << "FP32" << std::setw(8) << "W"
              << "  FLOP/J\n";
    for (const auto& p : presets) {
        std::cout << std::left << std::setw(16) << p.id << std::setw(20) << p.name << std::setw(6) << p.year
                  << std::right << std::setw(10) << (p.dense16Tflops ? sci(*p.dense16Tflops) : "-") << std::setw(9)
                  << (p.fp32Tflops ? sci(*p.fp32Tflops) : "-") << std::setw(8) << sci(p.watts)
                  << (p.estimated ? "* " : "  ") << sci(p.headlineFlopsPerJoule(), 3) << "\n";
    }
    std::cout << "(TFLOP/s; 16-bit = dense BF16/FP16 tensor peak; * = estimated figure)\n";
    return 0;
}

} // namespace

int EnergyCommand::run(const std::vector<std::string>& arguments)
{
    ArgumentParser args("energy",
                        {{"preset", true, "hardware preset id or name (see --list-presets); default a100-sxm4"},
                         {"figure", true, "preset figure: dense16 (default) or fp32"},
                         {"tflops", true, "throughput in TFLOP/s (overrides the preset's)"},
                         {"watts", true, "power in W (overrides the preset's)"},
                         {"temperature", true, "temperature in K (default 300)"},
                         {"bits-per-op", true, "bits erased per op (default 16)"},
                         {"count", true, "count ops as flop (default) or mac (1 MAC = 2 FLOP)"},
                         {"utilization", true, "fraction of peak sustained, in (0, 1] (default 1)"},
                         {"overhead", true, "power multiplier for host/cooling, >= 1 (default 1)"},
                         {"sparse", false, "the throughput is a 2:4-sparse headline: halve it"},
                         {"list-presets", false, "list the hardware presets"}});
    args.parse(arguments);
    if (args.flag("help")) {
        std::cout << args.helpText();
        return 0;
    }
    if (args.flag("list-presets"))
        return listPresets(args.flag("json"));

    // With no preset and no explicit throughput: the A100 SXM4 case of docs/ARCHITECTURE.md §6.
    const bool explicitFigures = args.has("tflops");
    const fs::HardwarePreset* preset = nullptr;
    if (args.has("preset"))
        preset = &fs::hardwarePreset(args.text("preset"));
    else if (!explicitFigures)
        preset = &fs::hardwarePreset("a100-sxm4");

    fs::PresetFigure figure = fs::PresetFigure::Dense16;
    const std::string figureName = args.text("figure", "dense16");
    if (figureName == "fp32")
        figure = fs::PresetFigure::Fp32;
    else if (figureName != "dense16")
        throw InputError("option --figure expects dense16 or fp32, got '" + figureName + "'");

    fs::LandauerInput in;
    if (preset) {
        if (!args.has("figure") && !preset->dense16Tflops)
            figure = fs::PresetFigure::Fp32;
        const auto tflops = preset->tflops(figure);
        if (!tflops && !explicitFigures)
            throw InputError("preset " + preset->id + " has no " + fs::presetFigureName(figure) + " figure");
        in.throughputTflops = tflops.value_or(0.0);
        in.powerW = preset->watts;
    } else if (!args.has("watts")) {
        throw InputError("--tflops without a preset needs --watts too");
    }
    const double inf = std::numeric_limits<double>::infinity();
    in.throughputTflops = args.number("tflops", in.throughputTflops);
    in.powerW = args.number("watts", in.powerW);
    in.temperatureK = args.number("temperature", 300.0);
    in.bitsPerOp = args.number("bits-per-op", 16.0);
    in.utilization = args.number("utilization", 1.0);
    in.powerOverhead = args.number("overhead", 1.0, 1.0, inf);
    in.sparseHeadline = args.flag("sparse");
    const std::string count = args.text("count", "flop");
    if (count == "mac")
        in.count = fs::OpCount::Mac;
    else if (count != "flop")
        throw InputError("option --count expects flop or mac, got '" + count + "'");

    const fs::LandauerResult r = fs::LandauerCalculator::compute(in); // throws InputError on bad values

    if (args.flag("json")) {
        json derivation = json::array();
        for (const auto& step : r.derivation)
            derivation.push_back(
                {{"label", step.label}, {"formula", step.formula}, {"value", step.value}, {"unit", step.unit}});
        json references = json::array();
        for (const auto& ref : fs::efficiencyReferences(in.bitsPerOp, in.temperatureK))
            references.push_back({{"id", ref.id}, {"label", ref.label}, {"flop_per_joule", ref.flopsPerJoule},
                                  {"source", ref.source}});
        json j;
        j["preset"] = preset ? json(preset->id) : json(nullptr);
        j["preset_name"] = preset ? json(preset->name) : json(nullptr);
        j["preset_estimated"] = preset ? json(preset->estimated) : json(nullptr);
        j["figure"] = preset ? json(fs::presetFigureName(figure)) : json(nullptr);
        j["temperature_k"] = in.temperatureK;
        j["bits_per_op"] = in.bitsPerOp;
        j["count"] = fs::opCountName(in.count);
        j["utilization"] = in.utilization;
        j["sparse_headline"] = in.sparseHeadline;
        j["throughput_tflops"] = in.throughputTflops;
        j["headline_flops_per_second"] = r.headlineFlopsPerSecond;
        j["effective_flops_per_second"] = r.effectiveFlopsPerSecond;
        j["ops_per_second"] = r.opsPerSecond;
        j["power_overhead"] = in.powerOverhead;
        j["power_w"] = r.powerW;
        j["landauer_j_per_bit"] = r.energyPerBitJ;
        j["landauer_ev_per_bit"] = r.energyPerBitEv;
        j["landauer_kt_per_bit"] = r.energyPerBitKt;
        j["landauer_power_w"] = r.landauerPowerW;
        j["ratio"] = r.ratio;
        j["bit_erasures_per_op"] = r.bitErasuresPerOp;
        j["joules_per_op"] = r.joulesPerOp;
        j["joules_per_op_kt"] = r.joulesPerOpKt;
        j["joules_per_flop"] = r.joulesPerFlop;
        j["flop_per_joule"] = r.flopsPerJoule;
        j["landauer_flop_per_joule"] = r.landauerFlopsPerJoule;
        j["derivation"] = derivation;
        j["references"] = references;
        j["caveats"] = fs::landauerCaveats();
        std::cout << j.dump(2) << "\n";
        return 0;
    }

    const std::string opName = in.count == fs::OpCount::Mac ? "MAC" : "FLOP";
    std::cout << (preset ? preset->name + (preset->estimated ? " (estimated figures)" : "") : std::string("custom"))
              << ": " << sci(in.throughputTflops) << " TFLOP/s" << (in.sparseHeadline ? " (sparse, halved)" : "")
              << " x " << sci(in.utilization * 100.0) << " % utilisation at " << sci(r.powerW) << " W\n"
              << "Landauer energy at " << sci(in.temperatureK) << " K: " << sci(r.energyPerBitJ) << " J/bit ("
              << sci(r.energyPerBitEv) << " eV)\n"
              << "Landauer power (" << sci(in.bitsPerOp) << (in.bitsPerOp == 1.0 ? " bit/" : " bits/") << opName
              << " x " << sci(r.opsPerSecond) << " "
              << opName << "/s): " << sci(r.landauerPowerW) << " W\n"
              << "ratio actual/Landauer: " << sci(r.ratio, 3) << "  (" << sci(r.bitErasuresPerOp, 3)
              << " bit erasures per " << opName << "; " << sci(r.flopsPerJoule, 3) << " FLOP/J)\n";
    return 0;
}
