#include "panels/energy/EnergyFigures.h"

#include "panels/energy/EnergyText.h"
#include "plots/ColorMaps.h"
#include "plots/LogScatterPlot.h"

#include "energy/EfficiencyTrend.h"
#include "energy/EnergyReferences.h"

#include <QHBoxLayout>

#include <algorithm>
#include <cmath>

using namespace featurescope;
using energytext::sci;

namespace {

// Okabe-Ito colours from the one registry: distinguishable with colour-blindness and in print.
const QColor kBlue = ColorMaps::okabeIto(ColorMaps::OkabeIto::Blue);
const QColor kOrange = ColorMaps::okabeIto(ColorMaps::OkabeIto::Orange);
const QColor kGreen = ColorMaps::okabeIto(ColorMaps::OkabeIto::BluishGreen);
const QColor kVermillion = ColorMaps::okabeIto(ColorMaps::OkabeIto::Vermillion);
const QColor kPurple = ColorMaps::okabeIto(ColorMaps::OkabeIto::ReddishPurple);
const QColor kGrey(110, 110, 110);

QCPScatterStyle marker(QCPScatterStyle::ScatterShape shape, const QColor& color, double size, bool filled)
{
    return QCPScatterStyle(shape, QPen(color, 1.6), filled ? QBrush(color) : QBrush(Qt::white), size);
}

// A log axis over the swept range and the chosen value, with room on both sides so a marker at either end (1 bit,
// 1 K) is drawn whole rather than cut at the axis edge.
void setLogRangeWithRoom(QCPAxis* axis, double sweptLo, double sweptHi, double value)
{
    const double lo = std::log10(std::min(sweptLo, value)), hi = std::log10(std::max(sweptHi, value));
    const double room = 0.04 * (hi - lo);
    axis->setRange(std::pow(10.0, lo - room), std::pow(10.0, hi + room));
}

} // namespace

EnergyFigures::EnergyFigures(QWidget* parent) : QWidget(parent)
{
    m_temperaturePlot = new LogScatterPlot(this);
    m_temperaturePlot->setObjectName(QStringLiteral("ratioVsTemperaturePlot"));
    m_temperaturePlot->setTitle(tr("Ratio vs. temperature"));
    m_temperaturePlot->setAxes(tr("temperature (K)"), LogScatterPlot::Scale::Log10, tr("actual / Landauer power"),
                               LogScatterPlot::Scale::Log10);
    m_temperaturePlot->setPowerTickLabels(m_temperaturePlot->xAxis, false);
    m_temperaturePlot->setLegendColumns(1);
    m_temperaturePlot->setToolTip(tr("The Landauer energy grows with T, so the ratio falls as 1/T."));

    m_bitsPlot = new LogScatterPlot(this);
    m_bitsPlot->setObjectName(QStringLiteral("ratioVsBitsPlot"));
    m_bitsPlot->setTitle(tr("Ratio vs. bits per op"));
    m_bitsPlot->setAxes(tr("bits erased per op"), LogScatterPlot::Scale::Log2, tr("actual / Landauer power"),
                        LogScatterPlot::Scale::Log10);
    m_bitsPlot->setLegendColumns(1);
    m_bitsPlot->setToolTip(tr("More bits erased per op raise the Landauer power, so the ratio falls as 1/bits."));

    m_trendPlot = new LogScatterPlot(this);
    m_trendPlot->setObjectName(QStringLiteral("efficiencyTrendPlot"));
    m_trendPlot->setTitle(tr("Accelerator efficiency over time (peak at TDP)"));
    m_trendPlot->setAxes(tr("year"), LogScatterPlot::Scale::Linear, tr("FLOP per joule"), LogScatterPlot::Scale::Log10);
    m_trendPlot->xAxis->setNumberFormat(QStringLiteral("f"));
    m_trendPlot->xAxis->setNumberPrecision(0);
    m_trendPlot->setLegendColumns(3);
    m_trendPlot->setMinimumWidth(420);
    m_trendPlot->setToolTip(tr("Points: each preset's peak FLOP/s at its TDP (hover a point for the chip). Lines: "
                               "least-squares fits of log10 FLOP/J against year, one per precision: the 16-bit trend "
                               "over the chips with a dense 16-bit tensor figure only, the FP32 trend over FP32 "
                               "figures only, so neither mixes precisions."));

    auto* row = new QHBoxLayout(this);
    row->setContentsMargins(0, 0, 0, 0);
    row->setSpacing(6);
    row->addWidget(m_temperaturePlot, 5);
    row->addWidget(m_bitsPlot, 5);
    row->addWidget(m_trendPlot, 9);
}

void EnergyFigures::show(const LandauerResult& result, const QString& chipName, const QString& selectedPreset,
                         PresetFigure figure)
{
    updateTemperaturePlot(result, chipName);
    updateBitsPlot(result, chipName);
    updateTrendPlot(result.input, selectedPreset, figure);
}

void EnergyFigures::updateTemperaturePlot(const LandauerResult& result, const QString& chipName)
{
    LogScatterPlot* plot = m_temperaturePlot;
    plot->clearContent();
    QVector<double> t, ratio;
    LandauerInput in = result.input;
    for (int i = 0; i <= 60; ++i) {
        in.temperatureK = std::pow(10.0, 3.0 * i / 60.0); // 1 K .. 1000 K
        t.append(in.temperatureK);
        ratio.append(LandauerCalculator::ratio(in));
    }
    plot->addCurve(chipName, t, ratio, QPen(kBlue, 2.2));
    plot->addSeries(tr("%1 K: %2").arg(sci(result.input.temperatureK), sci(result.ratio)),
                    {result.input.temperatureK}, {result.ratio},
                    {tr("%1 K: ratio %2").arg(sci(result.input.temperatureK), sci(result.ratio))},
                    QPen(kVermillion, 2), marker(QCPScatterStyle::ssCircle, kVermillion, 10, true));
    const QPen refPen(kGrey, 1.2, Qt::DashLine);
    plot->addVerticalReference(4.2, tr("He"), refPen);
    plot->addVerticalReference(77.0, tr("N\u2082"), refPen);
    plot->addVerticalReference(300.0, tr("room"), refPen);
    plot->fitRanges(0.25);
    setLogRangeWithRoom(plot->xAxis, 1.0, 1000.0, result.input.temperatureK);
    plot->replot(QCustomPlot::rpQueuedReplot);
}

void EnergyFigures::updateBitsPlot(const LandauerResult& result, const QString& chipName)
{
    LogScatterPlot* plot = m_bitsPlot;
    plot->clearContent();
    QVector<double> bits, ratio;
    LandauerInput in = result.input;
    for (int i = 0; i <= 40; ++i) {
        in.bitsPerOp = std::pow(2.0, 8.0 * i / 40.0); // 1 .. 256 bits
        bits.append(in.bitsPerOp);
        ratio.append(LandauerCalculator::ratio(in));
    }
    plot->addCurve(tr("%1 at %2 K").arg(chipName, sci(result.input.temperatureK)), bits, ratio, QPen(kBlue, 2.2));
    plot->addSeries(tr("%1: %2").arg(energytext::bitCount(result.input.bitsPerOp), sci(result.ratio)),
                    {result.input.bitsPerOp}, {result.ratio},
                    {tr("%1/op: ratio %2").arg(energytext::bitCount(result.input.bitsPerOp), sci(result.ratio))},
                    QPen(kVermillion, 2), marker(QCPScatterStyle::ssCircle, kVermillion, 10, true));
    const QPen refPen(kGrey, 1.2, Qt::DashLine);
    plot->addVerticalReference(8.0, tr("FP8"), refPen, 0.02);
    plot->addVerticalReference(16.0, tr("BF16"), refPen, 0.11);
    plot->addVerticalReference(32.0, tr("FP32"), refPen, 0.02);
    plot->fitRanges(0.25);
    setLogRangeWithRoom(plot->xAxis, 1.0, 256.0, result.input.bitsPerOp);
    plot->replot(QCustomPlot::rpQueuedReplot);
}

void EnergyFigures::updateTrendPlot(const LandauerInput& input, const QString& selected, PresetFigure figure)
{
    LogScatterPlot* plot = m_trendPlot;
    plot->clearContent();
    const auto& presets = hardwarePresets();

    QVector<double> denseX, denseY, estX, estY, fp32X, fp32Y, selX, selY;
    QStringList denseTips, estTips, fp32Tips, selTips;
    auto tip = [](const HardwarePreset& p, PresetFigure shown) {
        return QStringLiteral("%1 (%2, %3)\n%4 TFLOP/s %5 at %6 W%7\n%8 FLOP/J")
            .arg(QString::fromStdString(p.name), QString::fromStdString(p.vendor))
            .arg(p.year)
            .arg(sci(*p.tflops(shown), 4), energytext::presetFigureLabel(p, shown), sci(p.watts),
                 p.estimated ? QStringLiteral(" (power estimated)") : QString(), sci(*p.flopsPerJoule(shown)));
    };
    int lastYear = 0, firstYear = 9999;
    for (const auto& p : presets) {
        firstYear = std::min(firstYear, p.year);
        lastYear = std::max(lastYear, p.year);
        if (p.dense16Tflops) {
            auto& xs = p.estimated ? estX : denseX;
            auto& ys = p.estimated ? estY : denseY;
            (p.estimated ? estTips : denseTips).append(tip(p, PresetFigure::Dense16));
            xs.append(p.year);
            ys.append(*p.flopsPerJoule(PresetFigure::Dense16));
        }
        if (p.fp32Tflops) {
            fp32X.append(p.year);
            fp32Y.append(*p.flopsPerJoule(PresetFigure::Fp32));
            fp32Tips.append(tip(p, PresetFigure::Fp32));
        }
        if (QString::fromStdString(p.id) == selected) {
            if (p.tflops(figure)) {
                selX.append(p.year);
                selY.append(*p.flopsPerJoule(figure));
                selTips.append(tip(p, figure));
            }
        }
    }

    // Landauer ceiling for the chosen bits/op, temperature and op count.
    const double ceiling = LandauerCalculator::landauerFlopsPerJoule(input.bitsPerOp, input.temperatureK, input.count);
    // Each precision is fitted on its own figures: older chips have no 16-bit figure, and filling in their FP32 peak
    // would make the 16-bit trend look steeper than it is.
    const EfficiencyTrend headline = EfficiencyTrend::fit(presetTrendPoints(presets, PresetFigure::Dense16));
    const auto fp32Points = presetTrendPoints(presets, PresetFigure::Fp32);
    const auto meets = headline.yearReaching(ceiling);
    const double xMin = firstYear - 2.0;
    double xMax = 2060.0;
    if (meets && *meets < 2150.0)
        xMax = std::max(2040.0, std::ceil(*meets + 6.0));

    const auto references = efficiencyReferences(input.bitsPerOp, input.temperatureK);
    for (const auto& ref : references) {
        const QString label = QString::fromStdString(ref.label);
        if (ref.id == "landauer") {
            plot->addHorizontalReference(
                ceiling,
                tr("Landauer limit: %1/%2 at %3 K = %4 FLOP/J")
                    .arg(energytext::bitCount(input.bitsPerOp), input.count == OpCount::Mac ? tr("MAC") : tr("FLOP"),
                         sci(input.temperatureK), sci(ceiling)),
                QPen(kVermillion, 2.0), 0.01, Qt::AlignLeft | Qt::AlignBottom);
        } else if (ref.id == "cmos-ceiling") {
            plot->addHorizontalReference(ref.flopsPerJoule, label, QPen(kGrey, 1.5, Qt::DashLine), 0.995,
                                         Qt::AlignRight | Qt::AlignBottom);
        } else if (ref.id == "brain") {
            plot->addHorizontalReference(ref.flopsPerJoule, label, QPen(kGreen, 1.5, Qt::DashLine), 0.995,
                                         Qt::AlignRight | Qt::AlignBottom);
        } else if (ref.id == "horowitz-fp16-mac") {
            plot->addHorizontalReference(ref.flopsPerJoule, label + tr(" (0.75 pJ/FLOP)"),
                                         QPen(kPurple, 1.5, Qt::DotLine), 0.995, Qt::AlignRight | Qt::AlignBottom);
        } else if (ref.id == "horowitz-fp32-mac") {
            plot->addHorizontalReference(ref.flopsPerJoule, label + tr(" (2.3 pJ/FLOP)"),
                                         QPen(kPurple, 1.5, Qt::DotLine), 0.995, Qt::AlignRight | Qt::AlignTop);
        }
    }

    // Trend of the headline figure: solid over the data, dashed where it is an extrapolation.
    plot->addCurve(tr("16-bit trend: \u00d72 / %1 y").arg(headline.doublingYears(), 0, 'f', 1),
                   {double(firstYear), double(lastYear)},
                   {headline.valueAt(firstYear), headline.valueAt(lastYear)}, QPen(kBlue, 2.0));
    plot->addCurve(QString(), {double(lastYear), xMax}, {headline.valueAt(lastYear), headline.valueAt(xMax)},
                   QPen(kBlue, 1.6, Qt::DashLine), false);
    if (fp32Points.size() >= 2) {
        const EfficiencyTrend fp32 = EfficiencyTrend::fit(fp32Points);
        plot->addCurve(tr("FP32 trend: \u00d72 / %1 y").arg(fp32.doublingYears(), 0, 'f', 1),
                       {double(firstYear), xMax}, {fp32.valueAt(firstYear), fp32.valueAt(xMax)},
                       QPen(kOrange, 1.6, Qt::DashDotLine));
    }

    plot->addSeries(tr("16-bit dense peak"), denseX, denseY, denseTips, QPen(kBlue),
                    marker(QCPScatterStyle::ssCircle, kBlue, 8, true));
    plot->addSeries(tr("16-bit, est. power"), estX, estY, estTips, QPen(kBlue),
                    marker(QCPScatterStyle::ssCircle, kBlue, 8, false));
    plot->addSeries(tr("FP32 peak"), fp32X, fp32Y, fp32Tips, QPen(kOrange),
                    marker(QCPScatterStyle::ssSquare, kOrange, 7, true));
    if (!selX.isEmpty())
        plot->addSeries(tr("%1 (selected)").arg(QString::fromStdString(findHardwarePreset(selected.toStdString())->name)), selX, selY,
                        selTips, QPen(Qt::black),
                        QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(Qt::black, 2.0), Qt::NoBrush, 17));

    if (meets && *meets <= xMax) {
        plot->addSeries(QString(), {*meets}, {ceiling},
                        {tr("The 16-bit trend reaches the Landauer limit in %1").arg(std::round(*meets))},
                        QPen(kVermillion), marker(QCPScatterStyle::ssStar, kVermillion, 14, false), false, false);
        plot->addLabel(*meets, ceiling, tr("trend meets it \u2248 %1 ").arg(std::round(*meets)), kVermillion.darker(120),
                       Qt::AlignRight | Qt::AlignTop);
    } else {
        plot->addLabel(xMax, ceiling,
                       meets ? tr("trend meets it \u2248 %1 (off scale) ").arg(std::round(*meets))
                             : tr("trend never meets it "),
                       kVermillion.darker(120), Qt::AlignRight | Qt::AlignTop);
    }

    double yLo = 1e300;
    for (double y : denseY + estY + fp32Y)
        yLo = std::min(yLo, y);
    for (const auto& ref : references)
        yLo = std::min(yLo, ref.flopsPerJoule);
    plot->yAxis->setRange(std::pow(10.0, std::floor(std::log10(yLo) - 0.3)), ceiling * 40.0);
    plot->xAxis->setRange(xMin, xMax);
    plot->replot(QCustomPlot::rpQueuedReplot);
}
