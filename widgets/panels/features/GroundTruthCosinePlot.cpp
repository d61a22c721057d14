#include "GroundTruthCosinePlot.h"

#include "plots/ColorMaps.h"
#include "plots/FeaturePalette.h"

#include <algorithm>
#include <cmath>

namespace {

constexpr int kMaxLabelledCells = 8; // up to 8 x 8 cells print their values

// Tick labels naming each true feature (rows) or matched latent (columns), when there are few enough to name.
QSharedPointer<QCPAxisTicker> indexTicker(int n, const std::function<QString(int)>& name)
{
    if (n > 16) {
        QSharedPointer<QCPAxisTickerFixed> fixed(new QCPAxisTickerFixed);
        fixed->setTickStep(std::max(1.0, std::pow(10.0, std::floor(std::log10(n / 4.0)))));
        fixed->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
        return fixed;
    }
    QSharedPointer<QCPAxisTickerText> text(new QCPAxisTickerText);
    for (int i = 0; i < n; ++i)
        text->addTick(i, name(i));
    return text;
}

} // namespace

GroundTruthCosinePlot::GroundTruthCosinePlot(QWidget* parent) : InteractivePlot(parent)
{
    setNotAntialiasedElements(QCP::aePlottables); // crisp cell edges
    setMinimumSize(420, 260);
    plotLayout()->clear();
    auto* outer = plotLayout();
    m_title = new QCPTextElement(this, tr("True features against their matched latents"), titleFont());
    outer->addElement(0, 0, m_title);
    auto* body = new QCPLayoutGrid;
    outer->addElement(1, 0, body);
    m_summary = new QCPTextElement(this, QString(), labelFont());
    outer->addElement(2, 0, m_summary);
    outer->setRowStretchFactors({0.001, 1.0, 0.001});

    m_encoderTitle = new QCPTextElement(this, tr("Encoder rows"), labelFont());
    m_decoderTitle = new QCPTextElement(this, tr("Decoder columns"), labelFont());
    m_encoderRect = new QCPAxisRect(this);
    m_decoderRect = new QCPAxisRect(this);
    m_scale = new QCPColorScale(this);
    body->addElement(0, 0, m_encoderTitle);
    body->addElement(0, 1, m_decoderTitle);
    body->addElement(1, 0, m_encoderRect);
    body->addElement(1, 1, m_decoderRect);
    body->addElement(1, 2, m_scale);
    body->setRowStretchFactors({0.001, 1.0});
    body->setColumnStretchFactors({1.0, 1.0, 0.001});
    auto* group = new QCPMarginGroup(this);
    for (QCPAxisRect* rect : {m_encoderRect, m_decoderRect}) {
        rect->setMarginGroup(QCP::msTop | QCP::msBottom, group);
        styleRect(rect);
    }
    m_scale->setMarginGroup(QCP::msTop | QCP::msBottom, group);
    // The decoder map keeps the encoder's left margin (its row labels) so that both maps are the same size.
    auto* sides = new QCPMarginGroup(this);
    m_encoderRect->setMarginGroup(QCP::msLeft, sides);
    m_decoderRect->setMarginGroup(QCP::msLeft, sides);
    m_scale->setType(QCPAxis::atRight);
    QCPColorGradient gradient = ColorMaps::divergingGradient();
    gradient.setNanHandling(QCPColorGradient::nhNanColor);
    gradient.setNanColor(ColorMaps::nanColor());
    m_scale->setGradient(gradient);
    m_scale->setDataRange(QCPRange(-1.0, 1.0));
    m_scale->setBarWidth(12);
    FeaturePalette::styleAxis(m_scale->axis(), tr("cosine"));
    m_encoderMap = new QCPColorMap(m_encoderRect->axis(QCPAxis::atBottom), m_encoderRect->axis(QCPAxis::atLeft));
    m_decoderMap = new QCPColorMap(m_decoderRect->axis(QCPAxis::atBottom), m_decoderRect->axis(QCPAxis::atLeft));
    for (QCPColorMap* map : {m_encoderMap, m_decoderMap}) {
        map->setColorScale(m_scale);
        map->setInterpolate(false);
    }
    m_scale->setDataRange(QCPRange(-1.0, 1.0));
    m_decoderRect->axis(QCPAxis::atLeft)->setTickLabels(false); // the rows are the encoder's
    // The default axis rect was cleared with the layout: point the plot's axes at the encoder's.
    xAxis = m_encoderRect->axis(QCPAxis::atBottom);
    yAxis = m_encoderRect->axis(QCPAxis::atLeft);
    m_empty = new QCPItemText(this);
    m_empty->setClipAxisRect(m_encoderRect);
    m_empty->position->setAxisRect(m_encoderRect);
    m_empty->position->setAxes(xAxis, yAxis);
    m_empty->position->setType(QCPItemPosition::ptAxisRectRatio);
    m_empty->position->setCoords(0.5, 0.5);
    m_empty->setFont(labelFont());
    m_empty->setColor(QColor(130, 130, 130));
    m_empty->setText(tr("Train to compare"));
}

void GroundTruthCosinePlot::styleRect(QCPAxisRect* rect)
{
    FeaturePalette::styleAxis(rect->axis(QCPAxis::atBottom), tr("matched latent"));
    FeaturePalette::styleAxis(rect->axis(QCPAxis::atLeft), rect == m_encoderRect ? tr("true feature") : QString());
    rect->axis(QCPAxis::atLeft)->setRangeReversed(true); // feature 0 on top
    for (QCPAxis* axis : {rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft)}) {
        axis->grid()->setVisible(false);
        axis->setSubTicks(false);
        axis->setRange(-0.5, 0.5);
    }
}

void GroundTruthCosinePlot::clear(const QString& emptyText)
{
    m_comparison = {};
    for (QCPColorMap* map : {m_encoderMap, m_decoderMap})
        map->data()->clear();
    for (QCPItemText* label : m_cellLabels)
        removeItem(label);
    m_cellLabels.clear();
    m_summary->setText(QString());
    m_empty->setText(emptyText);
    m_empty->setVisible(true);
    replot(rpQueuedReplot);
}

void GroundTruthCosinePlot::fillMap(QCPColorMap* map, QCPAxisRect* rect, const Eigen::MatrixXf& cosines)
{
    const int F = int(cosines.rows());
    // QCustomPlot needs two cells per dimension to know a cell's size: a single feature is split in two halves.
    const int cells = std::max(F, 2);
    map->data()->setSize(cells, cells);
    map->data()->setRange(F > 1 ? QCPRange(0, F - 1) : QCPRange(-0.25, 0.25), F > 1 ? QCPRange(0, F - 1) : QCPRange(-0.25, 0.25));
    for (int i = 0; i < cells; ++i)
        for (int j = 0; j < cells; ++j)
            map->data()->setCell(j, i, double(cosines(std::min(i, F - 1), std::min(j, F - 1))));
    auto column = [this](int j) {
        const int latent = m_comparison.matchedLatent[std::size_t(j)];
        return latent >= 0 ? QString::number(latent) : tr("none");
    };
    auto row = [this](int i) {
        const int parent = m_comparison.parentOf[std::size_t(i)];
        return parent >= 0 ? tr("%1 (child of %2)").arg(i).arg(parent) : QString::number(i);
    };
    rect->axis(QCPAxis::atBottom)->setTicker(indexTicker(F, column));
    // Few columns are named by their latents; many are numbered by the true feature they are matched to.
    rect->axis(QCPAxis::atBottom)->setLabel(F > 16 ? tr("latent matched to true feature") : tr("matched latent"));
    rect->axis(QCPAxis::atLeft)->setTicker(indexTicker(F, row));
    rect->axis(QCPAxis::atBottom)->setRange(-0.5, F - 0.5);
    rect->axis(QCPAxis::atLeft)->setRange(-0.5, F - 0.5);
    if (F > kMaxLabelledCells)
        return;
    for (int i = 0; i < F; ++i)
        for (int j = 0; j < F; ++j) {
            const float v = cosines(i, j);
            auto* label = new QCPItemText(this);
            label->setClipAxisRect(rect);
            label->position->setAxisRect(rect);
            label->position->setAxes(rect->axis(QCPAxis::atBottom), rect->axis(QCPAxis::atLeft));
            label->position->setCoords(j, i);
            label->setFont(textFont());
            label->setColor(std::abs(v) > 0.6f ? Qt::white : QColor(30, 30, 30));
            label->setText(std::isfinite(v) ? QString::number(std::abs(v) < 0.005f ? 0.0 : double(v), 'f', 2) : QString());
            m_cellLabels.push_back(label);
        }
}

void GroundTruthCosinePlot::setComparison(const featurescope::GroundTruthComparison& comparison, const QString& subject)
{
    clear(QString());
    m_comparison = comparison;
    if (comparison.featureCount() == 0) {
        clear(tr("No ground truth to compare"));
        return;
    }
    m_empty->setVisible(false);
    fillMap(m_encoderMap, m_encoderRect, comparison.encoderCosine);
    fillMap(m_decoderMap, m_decoderRect, comparison.decoderCosine);
    m_title->setText(subject.isEmpty() ? tr("True features against their matched latents")
                                       : tr("%1: true features against their matched latents").arg(subject));
    m_summary->setText(summary());
    replot(rpQueuedReplot);
}

QString GroundTruthCosinePlot::summary() const
{
    const auto& c = m_comparison;
    if (c.featureCount() == 0)
        return {};
    QStringList parts{tr("MCC %1").arg(c.mcc, 0, 'f', 3)};
    if (c.f1Mean >= 0.0)
        parts << tr("F1 %1").arg(c.f1Mean, 0, 'f', 3);
    if (c.shrinkageMean >= 0.0)
        parts << tr("shrinkage %1").arg(c.shrinkageMean, 0, 'f', 3);
    if (c.absorptionRate >= 0.0)
        parts << tr("absorption %1").arg(c.absorptionRate, 0, 'f', 2);
    parts << tr("L0 %1").arg(c.l0, 0, 'f', 2) << tr("explained variance %1").arg(c.explainedVariance, 0, 'f', 3);
    return parts.join(QStringLiteral(" · "));
}

QString GroundTruthCosinePlot::hoverText(const QPointF& pos) const
{
    const int F = m_comparison.featureCount();
    for (QCPAxisRect* rect : {m_encoderRect, m_decoderRect}) {
        if (F == 0 || !rect->rect().contains(pos.toPoint()))
            continue;
        const int j = int(std::lround(rect->axis(QCPAxis::atBottom)->pixelToCoord(pos.x())));
        const int i = int(std::lround(rect->axis(QCPAxis::atLeft)->pixelToCoord(pos.y())));
        if (i < 0 || j < 0 || i >= F || j >= F)
            return {};
        const bool encoder = rect == m_encoderRect;
        const float v = (encoder ? m_comparison.encoderCosine : m_comparison.decoderCosine)(i, j);
        const int latent = m_comparison.matchedLatent[std::size_t(j)];
        if (latent < 0)
            return tr("True feature %1 has no matched latent").arg(j);
        QString text = tr("True feature %1 · latent %2 (matched to true feature %3)\n%4 cosine %5")
                           .arg(i)
                           .arg(latent)
                           .arg(j)
                           .arg(encoder ? tr("encoder row") : tr("decoder column"))
                           .arg(double(v), 0, 'f', 3);
        if (encoder && i != j && v < -0.05f)
            text += tr("\nnegative: the latent is pushed down where feature %1 is active (absorption)").arg(i);
        return text;
    }
    return {};
}
