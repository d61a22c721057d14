#include "ScaleLabPlots.h"

#include "ScaleLabText.h"

#include "plots/FeaturePalette.h"
#include "plots/LogScatterPlot.h"

#include <QHBoxLayout>
#include <QLocale>

#include <algorithm>
#include <cmath>

using CoreLab = featurescope::ScaleInvarianceLab;
using featurescope::ScaleInvariancePoint;
using featurescope::ScaleInvarianceSummary;
using scalelab::grouped;
using scalelab::number;
using scalelab::tr;

namespace {

QPen seriesPen(const QColor& color, double width = 2.2, Qt::PenStyle style = Qt::SolidLine)
{
    QPen pen(color, width, style);
    pen.setCapStyle(Qt::RoundCap);
    pen.setJoinStyle(Qt::RoundJoin);
    return pen;
}

QCPScatterStyle dots(const QColor& color, double size = 6.0)
{
    return QCPScatterStyle(QCPScatterStyle::ssCircle, color, Qt::white, size);
}

QCPItemLine* verticalMarker(QCustomPlot* plot)
{
    auto* line = new QCPItemLine(plot);
    line->setPen(QPen(QColor(40, 40, 40), 1.2, Qt::DashLine));
    line->start->setTypeY(QCPItemPosition::ptAxisRectRatio);
    line->end->setTypeY(QCPItemPosition::ptAxisRectRatio);
    line->start->setCoords(1.0, 0.0);
    line->end->setCoords(1.0, 1.0);
    line->setSelectable(false);
    return line;
}

QCPGraph* markerGraph(QCustomPlot* plot)
{
    QCPGraph* graph = plot->addGraph();
    graph->setName(tr("at the slider's c"));
    graph->setLineStyle(QCPGraph::lsNone);
    graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(QColor(20, 20, 20), 2.0), Qt::NoBrush, 13));
    graph->setSelectable(QCP::stNone);
    graph->removeFromLegend();
    return graph;
}

// The fraction of the samples whose prediction is the one at c = 1.
double unchangedFraction(const CoreLab& lab, const ScaleInvariancePoint& p)
{
    return 1.0 - double(p.predictionsChanged) / std::max(1, lab.samples());
}

// The dimensionalities in increasing order, every `stride`-th one.
void sortedValues(const Eigen::VectorXf& d, std::size_t stride, QVector<double>& rank, QVector<double>& values)
{
    std::vector<float> sorted(d.data(), d.data() + d.size());
    std::sort(sorted.begin(), sorted.end());
    for (std::size_t k = 0; k < sorted.size(); k += stride) {
        rank.append(double(k));
        values.append(sorted[k]);
    }
}

QPen unitPen() { return QPen(FeaturePalette::referenceColor(), 1.0, Qt::DotLine); }

} // namespace

ScaleLabPlots::ScaleLabPlots(QWidget* parent) : QWidget(parent)
{
    m_measures = new LogScatterPlot(this);
    m_measures->setObjectName(QStringLiteral("scale-measures"));
    m_output = new LogScatterPlot(this);
    m_output->setObjectName(QStringLiteral("scale-output"));
    for (LogScatterPlot* plot : {m_measures, m_output})
        plot->legend->setMargins(QMargins(4, 2, 4, 6)); // room for descenders under the last legend row
    auto* row = new QHBoxLayout(this);
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(m_measures, 1);
    row->addWidget(m_output, 1);
    m_measures->setTitle(tr("Features per dimension against c"));
    m_output->setTitle(tr("What the model does"));
}

void ScaleLabPlots::showSweep(const CoreLab& lab, const std::vector<ScaleInvariancePoint>& points,
                              const ScaleInvarianceSummary& summary)
{
    drawMeasures(lab, points, summary);
    drawOutput(lab, points, summary);
    placeMarkers(lab.kind());
    m_measures->replot(QCustomPlot::rpQueuedReplot);
    m_output->replot(QCustomPlot::rpQueuedReplot);
}

void ScaleLabPlots::replotNow()
{
    m_measures->replot();
    m_output->replot();
}

void ScaleLabPlots::drawMeasures(const CoreLab& lab, const std::vector<ScaleInvariancePoint>& points,
                                 const ScaleInvarianceSummary& summary)
{
    LogScatterPlot* plot = m_measures;
    plot->clearContent();
    plot->setAxes(lab.kind() == CoreLab::Kind::Classifier ? tr("scale c of W1 (log)") : tr("scale c of W (log)"),
                  LogScatterPlot::Scale::Log10, tr("value (log)"), LogScatterPlot::Scale::Log10);
    plot->setPowerTickLabels(plot->xAxis, false);
    plot->setPowerTickLabels(plot->yAxis, false);
    const bool classifier = lab.kind() == CoreLab::Kind::Classifier;
    plot->setTitle(classifier ? tr("Features per dimension grows as c\u00b2; D\u1d62 and accuracy stay flat")
                              : tr("Features per dimension grows as c\u00b2; D\u1d62 stays flat"));
    QVector<double> x, fpd, meanD, accuracy, dotX, dotY;
    QStringList fpdLabels, meanLabels, accuracyLabels;
    // Every feature's D_i as a faint dot at each c (thinned for wide matrices so the plot stays light).
    const int stride = std::max(1, lab.features() / 400);
    for (const auto& p : points) {
        x.append(p.scale);
        fpd.append(p.featuresPerDimension);
        meanD.append(p.meanDimensionality);
        fpdLabels.append(tr("c = %1: features per dimension %2").arg(number(p.scale), number(p.featuresPerDimension, 4)));
        meanLabels.append(tr("c = %1: mean D\u1d62 %2").arg(number(p.scale), number(p.meanDimensionality, 6)));
        if (classifier) {
            accuracy.append(p.accuracy);
            accuracyLabels.append(tr("c = %1: accuracy %2 %").arg(number(p.scale), number(100.0 * p.accuracy, 4)));
        }
        for (Eigen::Index i = 0; i < p.dimensionality.size(); i += stride)
            if (p.dimensionality[i] > 0.0f) {
                dotX.append(p.scale);
                dotY.append(p.dimensionality[i]);
            }
    }
    QColor dotColor = FeaturePalette::featureColor(2);
    dotColor.setAlpha(classifier || lab.features() > 50 ? 40 : 160);
    plot->addSeries(stride > 1 ? tr("D\u1d62 of every %1th feature").arg(stride) : tr("D\u1d62 of each feature"), dotX, dotY,
                    {}, Qt::NoPen, QCPScatterStyle(QCPScatterStyle::ssDisc, dotColor, dotColor, 4), false);
    plot->addSeries(tr("mean D\u1d62"), x, meanD, meanLabels, seriesPen(FeaturePalette::featureColor(2)),
                    dots(FeaturePalette::featureColor(2), 5), true);
    if (classifier)
        plot->addSeries(tr("test accuracy"), x, accuracy, accuracyLabels, seriesPen(FeaturePalette::featureColor(1)),
                        dots(FeaturePalette::featureColor(1), 5), true);
    plot->addSeries(tr("features per dimension \u2016cW\u2016\u00b2/m"), x, fpd, fpdLabels,
                    seriesPen(FeaturePalette::featureColor(0), 2.6), dots(FeaturePalette::featureColor(0), 5), true);
    plot->addVerticalReference(1.0, tr("c = 1 (as trained)"), QPen(FeaturePalette::referenceColor(), 1.0, Qt::DotLine));
    plot->setLegendColumns(classifier ? 2 : 3);
    plot->fitRanges(0.12);
    if (!points.empty()) {
        // The measured slope, written beside the steep line.
        const auto& p = points[points.size() * 3 / 5];
        plot->addLabel(p.scale * 1.12, p.featuresPerDimension,
                       tr("slope %1").arg(
                           QLocale::c().toString(summary.featuresPerDimensionSlope, 'f', 2)),
                       FeaturePalette::featureColor(0).darker(115), Qt::AlignLeft | Qt::AlignTop);
    }
}

void ScaleLabPlots::drawOutput(const CoreLab& lab, const std::vector<ScaleInvariancePoint>& points,
                               const ScaleInvarianceSummary& summary)
{
    m_output->clearContent();
    switch (lab.kind()) {
    case CoreLab::Kind::TiedToy:
    case CoreLab::Kind::UntiedToy: drawToyLoss(lab, points, summary); break;
    case CoreLab::Kind::Classifier: drawClassifierOutput(lab, points); break;
    case CoreLab::Kind::Matrix: drawMatrixDimensionalities(lab); break;
    }
}

void ScaleLabPlots::drawToyLoss(const CoreLab& lab, const std::vector<ScaleInvariancePoint>& points,
                                const ScaleInvarianceSummary& summary)
{
    LogScatterPlot* plot = m_output;
    QVector<double> x;
    for (const auto& p : points)
        x.append(p.scale);
    const bool tied = lab.kind() == CoreLab::Kind::TiedToy;
    plot->setAxes(tr("scale c of W (log)"), LogScatterPlot::Scale::Log10, tr("reconstruction loss (log)"),
                  LogScatterPlot::Scale::Log10);
    plot->setPowerTickLabels(plot->xAxis, false);
    plot->setPowerTickLabels(plot->yAxis, false);
    plot->setTitle(tied ? tr("Tied toy model: the loss has its minimum at c \u2248 1")
                        : tr("Untied toy model: encoder \u00d7 c, decoder \u00f7 c costs nothing"));
    QVector<double> loss, encoderOnly;
    QStringList labels, encoderLabels;
    for (const auto& p : points) {
        loss.append(p.loss);
        encoderOnly.append(p.lossEncoderOnly);
        labels.append(tr("c = %1: loss %2").arg(number(p.scale), number(p.loss, 4)));
        encoderLabels.append(tr("c = %1: loss %2 (encoder only)").arg(number(p.scale), number(p.lossEncoderOnly, 4)));
    }
    if (!tied)
        plot->addSeries(tr("loss, encoder \u00d7 c only"), x, encoderOnly, encoderLabels,
                        seriesPen(FeaturePalette::featureColor(3)), dots(FeaturePalette::featureColor(3), 5), true);
    plot->addSeries(tied ? tr("loss, W \u2192 cW (encoder and decoder)")
                         : tr("loss, encoder \u00d7 c and decoder \u00f7 c"),
                    x, loss, labels, seriesPen(FeaturePalette::featureColor(1), 2.6),
                    dots(FeaturePalette::featureColor(1), 5), true);
    plot->addVerticalReference(1.0, tr("c = 1 (as trained)"), unitPen());
    plot->setLegendColumns(2);
    plot->fitRanges(0.12);
    if (tied && std::isfinite(summary.bestLoss) && summary.bestLoss > 0.0) {
        plot->yAxis->setRangeLower(std::min(plot->yAxis->range().lower, summary.bestLoss / 3.0));
        plot->addLabel(summary.bestScale * 1.1, summary.bestLoss / 1.6,
                       tr("minimum %1 at c = %2").arg(number(summary.bestLoss), number(summary.bestScale)),
                       FeaturePalette::featureColor(1).darker(130), Qt::AlignLeft | Qt::AlignVCenter);
    }
}

void ScaleLabPlots::drawClassifierOutput(const CoreLab& lab, const std::vector<ScaleInvariancePoint>& points)
{
    LogScatterPlot* plot = m_output;
    QVector<double> x;
    for (const auto& p : points)
        x.append(p.scale);
    plot->setAxes(tr("scale c of W1 (log)"), LogScatterPlot::Scale::Log10, tr("probability / fraction"),
                  LogScatterPlot::Scale::Linear);
    plot->setPowerTickLabels(plot->xAxis, false);
    plot->setTitle(tr("The softmax sharpens with c; the argmax does not move"));
    QVector<double> maxP, unchanged, accuracy;
    QStringList maxLabels, unchangedLabels;
    for (const auto& p : points) {
        maxP.append(p.meanMaxProbability);
        unchanged.append(unchangedFraction(lab, p));
        accuracy.append(p.accuracy);
        maxLabels.append(tr("c = %1: mean max probability %2, KL from c = 1 %3 nats")
                             .arg(number(p.scale), number(p.meanMaxProbability), number(p.meanKlFromReference)));
        unchangedLabels.append(tr("c = %1: %2 of %3 predictions as at c = 1")
                                   .arg(number(p.scale), grouped(lab.samples() - p.predictionsChanged),
                                        grouped(lab.samples())));
    }
    plot->addSeries(tr("predictions equal to c = 1 (fraction)"), x, unchanged, unchangedLabels,
                    seriesPen(FeaturePalette::featureColor(2)), dots(FeaturePalette::featureColor(2), 5), true);
    plot->addSeries(tr("test accuracy"), x, accuracy, {}, seriesPen(FeaturePalette::featureColor(1), 2.0, Qt::DashLine),
                    QCPScatterStyle(QCPScatterStyle::ssNone), true);
    plot->addSeries(tr("mean max softmax probability"), x, maxP, maxLabels,
                    seriesPen(FeaturePalette::featureColor(4), 2.6), dots(FeaturePalette::featureColor(4), 5), true);
    plot->addVerticalReference(1.0, tr("c = 1 (as trained)"), unitPen());
    plot->setLegendColumns(2);
    plot->fitRanges(0.12);
    plot->yAxis->setRange(0.0, 1.08);
}

void ScaleLabPlots::drawMatrixDimensionalities(const CoreLab& lab)
{
    LogScatterPlot* plot = m_output;
    plot->setAxes(tr("feature, sorted by D\u1d62 at c = 1"), LogScatterPlot::Scale::Linear, tr("D\u1d62"),
                  LogScatterPlot::Scale::Linear);
    plot->setTitle(tr("Every D\u1d62, at c = 1 (line) and at the slider's c (dots)"));
    const Eigen::VectorXf& d = lab.reference().dimensionality;
    QVector<double> rank, values;
    sortedValues(d, 1, rank, values);
    plot->addCurve(tr("D\u1d62 at c = 1"), rank, values, seriesPen(FeaturePalette::featureColor(2), 2.6));
    plot->setLegendColumns(2);
    plot->fitRanges(0.12);
    plot->yAxis->setRange(0.0, 1.05);
}

void ScaleLabPlots::placeMarkers(CoreLab::Kind kind)
{
    m_measuresLine = verticalMarker(m_measures);
    m_measuresMarker = markerGraph(m_measures);
    m_outputLine = kind == CoreLab::Kind::Matrix ? nullptr : verticalMarker(m_output);
    m_outputMarker = markerGraph(m_output);
    if (kind == CoreLab::Kind::Matrix) {
        m_outputMarker->setScatterStyle(dots(FeaturePalette::featureColor(1), 5));
        m_outputMarker->setName(tr("D\u1d62 at the slider's c"));
        m_outputMarker->addToLegend();
    }
}

void ScaleLabPlots::showPoint(const CoreLab& lab, const ScaleInvariancePoint& p)
{
    if (!m_measuresMarker)
        return;
    const CoreLab::Kind kind = lab.kind();

    QVector<double> mx{p.scale, p.scale}, my{p.featuresPerDimension, p.meanDimensionality};
    if (kind == CoreLab::Kind::Classifier) {
        mx.append(p.scale);
        my.append(p.accuracy);
    }
    m_measuresMarker->setData(mx, my);
    m_measuresLine->start->setCoords(p.scale, 0.0);
    m_measuresLine->end->setCoords(p.scale, 1.0);
    if (m_outputLine) {
        m_outputLine->start->setCoords(p.scale, 0.0);
        m_outputLine->end->setCoords(p.scale, 1.0);
    }
    switch (kind) {
    case CoreLab::Kind::TiedToy:
        m_outputMarker->setData({p.scale}, {p.loss});
        break;
    case CoreLab::Kind::UntiedToy:
        m_outputMarker->setData({p.scale, p.scale}, {p.loss, p.lossEncoderOnly});
        break;
    case CoreLab::Kind::Classifier:
        m_outputMarker->setData({p.scale, p.scale},
                                {p.meanMaxProbability, unchangedFraction(lab, p)});
        break;
    case CoreLab::Kind::Matrix: {
        QVector<double> rank, values;
        const std::size_t stride = std::max<std::size_t>(1, p.dimensionality.size() / 60); // dots over the line
        sortedValues(p.dimensionality, stride, rank, values);
        m_outputMarker->setData(rank, values);
        break;
    }
    }

    m_measures->replot(QCustomPlot::rpQueuedReplot);
    m_output->replot(QCustomPlot::rpQueuedReplot);
}
