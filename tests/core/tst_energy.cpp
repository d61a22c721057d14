// Landauer calculator, hardware presets, efficiency trend and evaluation schedule (docs/ARCHITECTURE.md §6).
#include "common/InputError.h"
#include "energy/EfficiencyTrend.h"
#include "energy/EnergyReferences.h"
#include "energy/EvaluationSchedule.h"
#include "energy/HardwarePreset.h"
#include "energy/HardwarePresetsData.h"
#include "energy/LandauerCalculator.h"
#include "energy/PhysicalConstants.h"

#include <nlohmann/json.hpp>

#include <QTest>

#include <algorithm>

#include <cmath>
#include <limits>
#include <numbers>

using namespace featurescope;

namespace {

bool relClose(double actual, double expected, double tolerance)
{
    return std::abs(actual - expected) <= tolerance * std::abs(expected);
}

QByteArray describe(double actual, double expected)
{
    return QByteArray("actual ") + QByteArray::number(actual, 'g', 10) + " expected " +
           QByteArray::number(expected, 'g', 10);
}

#define QCOMPARE_REL(actual, expected, tolerance)                                                                      \
    do {                                                                                                               \
        const double a_ = (actual), e_ = (expected);                                                                   \
        QVERIFY2(relClose(a_, e_, (tolerance)), describe(a_, e_).constData());                                         \
    } while (false)

LandauerInput seedInput(double watts)
{
    LandauerInput in;
    in.temperatureK = 300.0;
    in.bitsPerOp = 16.0;
    in.throughputTflops = 312.0;
    in.powerW = watts;
    return in;
}

} // namespace

class TestEnergy : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void constantsAreExact();
    void energyPerBit_data();
    void energyPerBit();
    void seedCase_data();
    void seedCase();
    void erasuresPerFlopAt400W();
    void conventions_data();
    void conventions();
    void derivationListsEverySteps();
    void validation_data();
    void validation();
    void presetsLoad();
    void presetFigures_data();
    void presetFigures();
    void presetLookup();
    void presetParserRejects_data();
    void presetParserRejects();
    void trendRecoversDoubling_data();
    void trendRecoversDoubling();
    void trendOnPresets();
    void sixteenBitTrendUsesSixteenBitFiguresOnly();
    void trendRejects();
    void references();
    void evaluationSchedule_data();
    void evaluationSchedule();
};

void TestEnergy::constantsAreExact()
{
    QCOMPARE(physics::kBoltzmann, 1.380649e-23);
    QCOMPARE(physics::ln2, 0.6931471805599453);
    QCOMPARE(physics::ln2, std::numbers::ln2);
    QCOMPARE(physics::elementaryCharge, 1.602176634e-19);
    QCOMPARE(physics::planck, 6.62607015e-34);
}

void TestEnergy::energyPerBit_data()
{
    QTest::addColumn<double>("temperature");
    QTest::addColumn<double>("joules");
    QTest::addColumn<double>("electronvolts");
    QTest::newRow("300 K") << 300.0 << 2.870979e-21 << 0.0179192;
    QTest::newRow("77 K") << 77.0 << 2.870979e-21 * 77.0 / 300.0 << 0.0179192 * 77.0 / 300.0;
    QTest::newRow("1 K") << 1.0 << 2.870979e-21 / 300.0 << 0.0179192 / 300.0;
}

void TestEnergy::energyPerBit()
{
    QFETCH(double, temperature);
    QFETCH(double, joules);
    QFETCH(double, electronvolts);
    QCOMPARE_REL(LandauerCalculator::energyPerBit(temperature), joules, 1e-6);
    LandauerInput in = seedInput(400.0);
    in.temperatureK = temperature;
    const LandauerResult r = LandauerCalculator::compute(in);
    QCOMPARE_REL(r.energyPerBitJ, joules, 1e-6);
    QCOMPARE_REL(r.energyPerBitEv, electronvolts, 1e-5);
    QCOMPARE_REL(r.energyPerBitKt, std::numbers::ln2, 1e-15);
}

void TestEnergy::seedCase_data()
{
    QTest::addColumn<double>("watts");
    QTest::addColumn<double>("ratio");
    QTest::newRow("A100 PCIe 40 GB, 250 W") << 250.0 << 1.74e7;
    QTest::newRow("A100 PCIe 80 GB, 300 W") << 300.0 << 2.09e7;
    QTest::newRow("A100 SXM4, 400 W") << 400.0 << 2.79e7;
}

void TestEnergy::seedCase()
{
    QFETCH(double, watts);
    QFETCH(double, ratio);
    const LandauerResult r = LandauerCalculator::compute(seedInput(watts));
    QCOMPARE_REL(r.opsPerSecond, 312e12, 1e-12);
    QCOMPARE_REL(r.landauerPowerW, 1.433e-5, 5e-4);
    QCOMPARE_REL(r.ratio, ratio, 3e-3);
    QCOMPARE_REL(LandauerCalculator::ratio(seedInput(watts)), r.ratio, 1e-12);
    QCOMPARE_REL(r.flopsPerJoule, 312e12 / watts, 1e-12);
    QCOMPARE_REL(r.joulesPerFlop, watts / 312e12, 1e-12);
    QCOMPARE_REL(r.landauerFlopsPerJoule, 1.0 / (16.0 * 2.870979e-21), 1e-6);
}

void TestEnergy::erasuresPerFlopAt400W()
{
    const LandauerResult r = LandauerCalculator::compute(seedInput(400.0));
    QCOMPARE_REL(r.bitErasuresPerOp, 4.47e8, 2e-3); // "about 4.5e8 bit erasures per FLOP"
    QCOMPARE_REL(r.bitErasuresPerOp, r.ratio * 16.0, 1e-12);
    QCOMPARE_REL(r.joulesPerOpKt, r.bitErasuresPerOp * std::numbers::ln2, 1e-12);
}

void TestEnergy::conventions_data()
{
    QTest::addColumn<int>("count");
    QTest::addColumn<double>("utilization");
    QTest::addColumn<bool>("sparse");
    QTest::addColumn<double>("overhead");
    QTest::addColumn<double>("bits");
    QTest::addColumn<double>("expectedOpsPerSecond");
    QTest::addColumn<double>("ratioFactor"); // relative to the 400 W ratio
    QTest::newRow("FLOP (seed)") << int(OpCount::Flop) << 1.0 << false << 1.0 << 16.0 << 312e12 << 1.0;
    QTest::newRow("MAC halves ops") << int(OpCount::Mac) << 1.0 << false << 1.0 << 16.0 << 156e12 << 2.0;
    QTest::newRow("50% utilisation") << int(OpCount::Flop) << 0.5 << false << 1.0 << 16.0 << 156e12 << 2.0;
    QTest::newRow("2:4-sparse headline") << int(OpCount::Flop) << 1.0 << true << 1.0 << 16.0 << 156e12 << 2.0;
    QTest::newRow("32 bits/op") << int(OpCount::Flop) << 1.0 << false << 1.0 << 32.0 << 312e12 << 0.5;
    QTest::newRow("1.5x overhead") << int(OpCount::Flop) << 1.0 << false << 1.5 << 16.0 << 312e12 << 1.5;
    QTest::newRow("all at once") << int(OpCount::Mac) << 0.4 << true << 2.0 << 32.0 << 312e12 * 0.5 * 0.4 * 0.5
                                 << (2.0 / (0.5 * 0.4 * 0.5)) * 0.5;
}

void TestEnergy::conventions()
{
    QFETCH(int, count);
    QFETCH(double, utilization);
    QFETCH(bool, sparse);
    QFETCH(double, overhead);
    QFETCH(double, bits);
    QFETCH(double, expectedOpsPerSecond);
    QFETCH(double, ratioFactor);
    LandauerInput in = seedInput(400.0);
    in.count = OpCount(count);
    in.utilization = utilization;
    in.sparseHeadline = sparse;
    in.powerOverhead = overhead;
    in.bitsPerOp = bits;
    const LandauerResult base = LandauerCalculator::compute(seedInput(400.0));
    const LandauerResult r = LandauerCalculator::compute(in);
    QCOMPARE_REL(r.opsPerSecond, expectedOpsPerSecond, 1e-12);
    QCOMPARE_REL(r.ratio, base.ratio * ratioFactor, 1e-12);
    QCOMPARE_REL(r.powerW, 400.0 * overhead, 1e-12);
    // FLOP/J counts FLOPs actually done whatever the op convention.
    QCOMPARE_REL(r.flopsPerJoule, r.effectiveFlopsPerSecond / r.powerW, 1e-12);
}

void TestEnergy::derivationListsEverySteps()
{
    LandauerInput in = seedInput(400.0);
    in.sparseHeadline = true;
    in.utilization = 0.5;
    in.count = OpCount::Mac;
    const LandauerResult r = LandauerCalculator::compute(in);
    QVERIFY(r.derivation.size() >= 10);
    bool sawSparse = false, sawRatio = false, sawMac = false;
    for (const auto& step : r.derivation) {
        QVERIFY(!step.label.empty());
        QVERIFY(!step.formula.empty());
        QVERIFY(std::isfinite(step.value));
        sawSparse |= step.label.find("sparse") != std::string::npos;
        sawMac |= step.formula.find("MAC") != std::string::npos;
        if (step.label.find("Ratio") != std::string::npos) {
            sawRatio = true;
            QCOMPARE(step.value, r.ratio);
        }
    }
    QVERIFY(sawSparse);
    QVERIFY(sawRatio);
    QVERIFY(sawMac);
}

void TestEnergy::validation_data()
{
    QTest::addColumn<QString>("field");
    QTest::addColumn<double>("value");
    QTest::addColumn<QString>("message");
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();
    QTest::newRow("T = 0") << "temperature" << 0.0 << "temperature";
    QTest::newRow("T < 0") << "temperature" << -5.0 << "temperature";
    QTest::newRow("T NaN") << "temperature" << nan << "temperature";
    QTest::newRow("throughput 0") << "throughput" << 0.0 << "throughput";
    QTest::newRow("throughput inf") << "throughput" << inf << "throughput";
    QTest::newRow("watts 0") << "watts" << 0.0 << "power";
    QTest::newRow("watts < 0") << "watts" << -1.0 << "power";
    QTest::newRow("bits 0") << "bits" << 0.0 << "bits per op";
    QTest::newRow("utilisation 0") << "utilization" << 0.0 << "utilisation";
    QTest::newRow("utilisation > 1") << "utilization" << 1.01 << "utilisation";
    QTest::newRow("utilisation NaN") << "utilization" << nan << "utilisation";
    QTest::newRow("overhead < 1") << "overhead" << 0.5 << "overhead";
}

void TestEnergy::validation()
{
    QFETCH(QString, field);
    QFETCH(double, value);
    QFETCH(QString, message);
    LandauerInput in = seedInput(400.0);
    if (field == QLatin1String("temperature"))
        in.temperatureK = value;
    else if (field == QLatin1String("throughput"))
        in.throughputTflops = value;
    else if (field == QLatin1String("watts"))
        in.powerW = value;
    else if (field == QLatin1String("bits"))
        in.bitsPerOp = value;
    else if (field == QLatin1String("utilization"))
        in.utilization = value;
    else if (field == QLatin1String("overhead"))
        in.powerOverhead = value;
    try {
        LandauerCalculator::compute(in);
        QFAIL("no InputError thrown");
    } catch (const InputError& error) {
        const std::string what = error.what();
        QVERIFY2(what.find(message.toStdString()) != std::string::npos, error.what());
        QVERIFY(what.find('\n') == std::string::npos);
    }
    QVERIFY_THROWS_EXCEPTION(InputError, LandauerCalculator::ratio(in));
}

void TestEnergy::presetsLoad()
{
    const auto& presets = hardwarePresets();
    QVERIFY(presets.size() >= 16);
    for (const auto& p : presets) {
        QVERIFY(!p.id.empty());
        QVERIFY(!p.name.empty());
        QVERIFY(!p.source.empty());
        QVERIFY(p.year >= 2010 && p.year <= 2030);
        QVERIFY(p.watts > 0.0);
        QVERIFY(p.dense16Tflops || p.fp32Tflops);
        QVERIFY(p.headlineFlopsPerJoule() > 0.0);
    }
    // The compiled-in text is the resources file, parsed once.
    QCOMPARE(parseHardwarePresets(hardwarePresetsJsonText()).size(), presets.size());
}

void TestEnergy::presetFigures_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<int>("year");
    QTest::addColumn<double>("dense16");  // 0 = none
    QTest::addColumn<double>("fp32");     // 0 = none
    QTest::addColumn<double>("watts");
    QTest::addColumn<bool>("estimated");
    QTest::newRow("GTX 580") << "GTX 580" << 2010 << 0.0 << 1.581 << 244.0 << false;
    QTest::newRow("K80") << "Tesla K80 (board)" << 2014 << 0.0 << 8.74 << 300.0 << false;
    QTest::newRow("P100") << "P100 SXM2" << 2016 << 21.2 << 10.6 << 300.0 << false;
    QTest::newRow("V100") << "V100 SXM2" << 2017 << 125.0 << 15.7 << 300.0 << false;
    QTest::newRow("A100 SXM4") << "A100 SXM4" << 2020 << 312.0 << 19.5 << 400.0 << false;
    QTest::newRow("A100 PCIe 40") << "A100 PCIe 40 GB" << 2020 << 312.0 << 19.5 << 250.0 << false;
    QTest::newRow("A100 PCIe 80") << "A100 PCIe 80 GB" << 2020 << 312.0 << 19.5 << 300.0 << false;
    QTest::newRow("TPU v4") << "TPU v4" << 2021 << 275.0 << 0.0 << 170.0 << true;
    QTest::newRow("H100 SXM5") << "H100 SXM5" << 2022 << 989.4 << 66.9 << 700.0 << false;
    QTest::newRow("H100 PCIe") << "H100 PCIe" << 2022 << 756.0 << 51.2 << 350.0 << false;
    QTest::newRow("TPU v5e") << "TPU v5e" << 2023 << 197.0 << 0.0 << 140.0 << true;
    QTest::newRow("MI300X") << "Instinct MI300X" << 2023 << 1307.4 << 163.4 << 750.0 << false;
    QTest::newRow("H200") << "H200 SXM" << 2024 << 989.4 << 66.9 << 700.0 << false;
    QTest::newRow("B200") << "B200 (HGX)" << 2024 << 2250.0 << 75.0 << 1000.0 << false;
    QTest::newRow("GB200") << "GB200 (per GPU)" << 2025 << 2500.0 << 80.0 << 1200.0 << false;
}

void TestEnergy::presetFigures()
{
    QFETCH(QString, name);
    QFETCH(int, year);
    QFETCH(double, dense16);
    QFETCH(double, fp32);
    QFETCH(double, watts);
    QFETCH(bool, estimated);
    const HardwarePreset* p = findHardwarePreset(name.toStdString());
    QVERIFY2(p, qPrintable(name));
    QCOMPARE(p->year, year);
    QCOMPARE(p->dense16Tflops.has_value(), dense16 > 0.0);
    if (dense16 > 0.0)
        QCOMPARE(*p->dense16Tflops, dense16);
    QCOMPARE(p->fp32Tflops.has_value(), fp32 > 0.0);
    if (fp32 > 0.0)
        QCOMPARE(*p->fp32Tflops, fp32);
    QCOMPARE(p->watts, watts);
    QCOMPARE(p->estimated, estimated);
    QCOMPARE(p->headlineFigure(), dense16 > 0.0 ? PresetFigure::Dense16 : PresetFigure::Fp32);
}

void TestEnergy::presetLookup()
{
    QVERIFY(findHardwarePreset("a100-sxm4"));
    QCOMPARE(findHardwarePreset("A100-SXM4"), findHardwarePreset("a100 sxm4"));
    QVERIFY(!findHardwarePreset("no-such-chip"));
    QVERIFY_THROWS_EXCEPTION(InputError, hardwarePreset("no-such-chip"));
    const auto j = toJson(hardwarePreset("tpu-v4"));
    QVERIFY(j["fp32_tflops"].is_null());
    QCOMPARE(j["estimated"].get<bool>(), true);
    // The A100 SXM4 preset gives the ratio of docs/ARCHITECTURE.md §6 (about 2.8e7).
    const HardwarePreset& a100 = hardwarePreset("a100-sxm4");
    LandauerInput in;
    in.throughputTflops = a100.headlineTflops();
    in.powerW = a100.watts;
    QCOMPARE_REL(LandauerCalculator::compute(in).ratio, 2.79e7, 3e-3);
}

void TestEnergy::presetParserRejects_data()
{
    QTest::addColumn<QString>("json");
    QTest::addColumn<QString>("message");
    const QString good = QStringLiteral(
        R"({"id":"x","name":"X","vendor":"V","year":2020,"dense16_tflops":1,"dense16_precision":"BF16",)"
        R"("fp32_tflops":null,"watts":10,"estimated":false,"source":"s","notes":""})");
    QTest::newRow("not JSON") << "{" << "not valid JSON";
    QTest::newRow("no presets") << "{}" << "presets";
    QTest::newRow("empty") << R"({"presets":[]})" << "empty";
    QTest::newRow("missing watts") << QString(good).replace(QStringLiteral("\"watts\":10,"), QString()).prepend(
                                          QStringLiteral("{\"presets\":[")).append(QStringLiteral("]}"))
                                   << "watts";
    QTest::newRow("negative watts") << QString(good).replace(QStringLiteral("\"watts\":10"), QStringLiteral("\"watts\":-1"))
                                           .prepend(QStringLiteral("{\"presets\":[")).append(QStringLiteral("]}"))
                                    << "positive";
    QTest::newRow("duplicate id") << QStringLiteral("{\"presets\":[%1,%1]}").arg(good) << "duplicate";
    QTest::newRow("no figures") << QString(good).replace(QStringLiteral("\"dense16_tflops\":1"),
                                                         QStringLiteral("\"dense16_tflops\":null"))
                                       .prepend(QStringLiteral("{\"presets\":[")).append(QStringLiteral("]}"))
                                << "neither";
}

void TestEnergy::presetParserRejects()
{
    QFETCH(QString, json);
    QFETCH(QString, message);
    try {
        parseHardwarePresets(json.toStdString());
        QFAIL("no InputError thrown");
    } catch (const InputError& error) {
        QVERIFY2(std::string(error.what()).find(message.toStdString()) != std::string::npos, error.what());
    }
}

void TestEnergy::trendRecoversDoubling_data()
{
    QTest::addColumn<double>("doubling");
    QTest::addColumn<double>("start");
    QTest::newRow("2 years") << 2.0 << 1e10;
    QTest::newRow("Koomey 1.57 years") << 1.57 << 3e9;
    QTest::newRow("3.6 years") << 3.6 << 1e11;
}

void TestEnergy::trendRecoversDoubling()
{
    QFETCH(double, doubling);
    QFETCH(double, start);
    std::vector<TrendPoint> points;
    for (int year = 2010; year <= 2025; year += 3)
        points.push_back({double(year), start * std::pow(2.0, (year - 2010) / doubling)});
    const EfficiencyTrend trend = EfficiencyTrend::fit(points);
    QCOMPARE_REL(trend.doublingYears(), doubling, 1e-9);
    QCOMPARE_REL(trend.growthPerYear(), std::pow(2.0, 1.0 / doubling), 1e-9);
    QCOMPARE_REL(trend.rSquared(), 1.0, 1e-9);
    QCOMPARE_REL(trend.valueAt(2010.0), start, 1e-9);
    // Exactly 20 doublings after 2010.
    const auto year = trend.yearReaching(start * std::pow(2.0, 20.0));
    QVERIFY(year.has_value());
    QCOMPARE_REL(*year, 2010.0 + 20.0 * doubling, 1e-9);
}

void TestEnergy::trendOnPresets()
{
    const auto points = presetTrendPoints(hardwarePresets());
    QCOMPARE(points.size(), hardwarePresets().size());
    const EfficiencyTrend trend = EfficiencyTrend::fit(points);
    // Leading hardware improves FLOP/J by tens of percent a year: a doubling within 1-4 years.
    QVERIFY2(trend.doublingYears() > 1.0 && trend.doublingYears() < 4.0,
             QByteArray::number(trend.doublingYears()).constData());
    const double ceiling = LandauerCalculator::landauerFlopsPerJoule(16.0, 300.0);
    const auto meets = trend.yearReaching(ceiling);
    QVERIFY(meets.has_value());
    QVERIFY(*meets > 2030.0 && *meets < 2200.0);
    // The FP32-only trend has fewer points (TPUs publish no FP32 figure).
    QVERIFY(presetTrendPoints(hardwarePresets(), PresetFigure::Fp32).size() < points.size());
}

// The 16-bit trend is fitted on 16-bit figures alone: filling in FP32 peaks for chips without a 16-bit tensor figure
// (GTX 580, K80) steepens it to a ~1.9-year doubling, where the 16-bit chips alone double every ~2.9 years.
void TestEnergy::sixteenBitTrendUsesSixteenBitFiguresOnly()
{
    const auto& presets = hardwarePresets();
    const auto points = presetTrendPoints(presets, PresetFigure::Dense16);
    const auto withSixteenBit = std::count_if(presets.begin(), presets.end(),
                                              [](const HardwarePreset& p) { return p.dense16Tflops.has_value(); });
    QCOMPARE(std::ptrdiff_t(points.size()), std::ptrdiff_t(withSixteenBit));
    QVERIFY(points.size() < presets.size());
    const EfficiencyTrend sixteen = EfficiencyTrend::fit(points);
    const EfficiencyTrend mixed = EfficiencyTrend::fit(presetTrendPoints(presets));
    QVERIFY2(sixteen.doublingYears() > 2.5 && sixteen.doublingYears() < 3.3,
             QByteArray::number(sixteen.doublingYears()).constData());
    QVERIFY(sixteen.doublingYears() > mixed.doublingYears() + 0.5);
    const double ceiling = LandauerCalculator::landauerFlopsPerJoule(16.0, 300.0);
    QVERIFY(*sixteen.yearReaching(ceiling) > *mixed.yearReaching(ceiling) + 10.0);
}

void TestEnergy::trendRejects()
{
    QVERIFY_THROWS_EXCEPTION(InputError, EfficiencyTrend::fit({{2020.0, 1e12}}));
    QVERIFY_THROWS_EXCEPTION(InputError, EfficiencyTrend::fit({{2020.0, 1e12}, {2020.0, 2e12}}));
    QVERIFY_THROWS_EXCEPTION(InputError, EfficiencyTrend::fit({{2020.0, 1e12}, {2021.0, 0.0}}));
    const EfficiencyTrend falling = EfficiencyTrend::fit({{2020.0, 2e12}, {2021.0, 1e12}});
    QVERIFY(std::isinf(falling.doublingYears()));
    QVERIFY(!falling.yearReaching(1e15).has_value());
}

void TestEnergy::references()
{
    const auto refs = efficiencyReferences(16.0, 300.0);
    auto find = [&](const std::string& id) {
        for (const auto& r : refs)
            if (r.id == id)
                return r.flopsPerJoule;
        return 0.0;
    };
    QCOMPARE_REL(find("landauer"), 1.0 / (16.0 * 2.870979e-21), 1e-6);
    QCOMPARE_REL(find("brain"), 5e13, 1e-12);
    QCOMPARE_REL(find("cmos-ceiling"), 4.7e15, 1e-12);
    QCOMPARE_REL(find("horowitz-fp16-mac"), 1.0 / 0.75e-12, 1e-12);
    QCOMPARE_REL(find("horowitz-fp32-mac"), 1.0 / 2.3e-12, 1e-12);
    // Halving the bits doubles the ceiling; doubling T halves it.
    QCOMPARE_REL(efficiencyReferences(8.0, 300.0).front().flopsPerJoule, 2.0 * find("landauer"), 1e-12);
    QCOMPARE_REL(efficiencyReferences(16.0, 600.0).front().flopsPerJoule, 0.5 * find("landauer"), 1e-12);
    QCOMPARE_REL(margolusLevitinOpsPerSecondPerJoule(), 6.04e33, 1e-3);
    QCOMPARE(landauerCaveats().size(), std::size_t(4));
    QVERIFY_THROWS_EXCEPTION(InputError, efficiencyReferences(0.0, 300.0));
}

void TestEnergy::evaluationSchedule_data()
{
    QTest::addColumn<double>("growth");
    QTest::addColumn<double>("interval"); // expected months between evaluations
    QTest::addColumn<bool>("computeTriggered");
    QTest::addColumn<int>("countIn24Months");
    QTest::newRow("no growth: calendar") << 1.0 << 3.0 << false << 8;
    QTest::newRow("4x/year: 4x takes 12 months") << 4.0 << 3.0 << false << 8;
    QTest::newRow("128x/year: 4x takes 3.4 months") << 128.0 << 3.0 << false << 8;
    QTest::newRow("4096x/year: 4x takes 2 months") << 4096.0 << 2.0 << true << 12;
}

void TestEnergy::evaluationSchedule()
{
    QFETCH(double, growth);
    QFETCH(double, interval);
    QFETCH(bool, computeTriggered);
    QFETCH(int, countIn24Months);
    EvaluationScheduleInput in;
    in.computeGrowthPerYear = growth;
    in.horizonMonths = 24.0;
    const auto events = EvaluationSchedule::compute(in);
    QCOMPARE(int(events.size()), countIn24Months);
    QCOMPARE_REL(events.front().months, interval, 1e-9);
    QCOMPARE(events.front().trigger == EvaluationEvent::Trigger::Compute, computeTriggered);
    QVERIFY(events.front().stepMultiple <= 4.0 + 1e-9);
    QCOMPARE_REL(events.back().computeMultiple, std::pow(growth, events.back().months / 12.0), 1e-9);
    in.computeGrowthPerYear = 0.5;
    QVERIFY_THROWS_EXCEPTION(InputError, EvaluationSchedule::compute(in));
}

QTEST_GUILESS_MAIN(TestEnergy)
#include "tst_energy.moc"
