#include "SaeStudiesView.h"

#include "FeatureSplittingPlot.h"
#include "FeatureSplittingView.h"
#include "GroundTruthCosinePlot.h"
#include "GroundTruthView.h"
#include "StudyJobBar.h"
#include "SweepParetoPlot.h"
#include "SweepView.h"

#include "common/Panel.h"

SaeStudiesView::SaeStudiesView(QWidget* parent) : QTabWidget(parent)
{
    m_sweep = new SweepView(this);
    m_splitting = new FeatureSplittingView(this);
    m_groundTruth = new GroundTruthView(this);
    addTab(m_sweep, tr("Sweep"));
    setTabToolTip(SweepTab, tr("L0 against MSE over λ or k for several recipes, seeds aggregated"));
    addTab(m_splitting, tr("Feature splitting"));
    setTabToolTip(SplittingTab, tr("The same recipe at 1×, 2×, 4×, 8× width: how features split"));
    addTab(m_groundTruth, tr("Ground truth"));
    setTabToolTip(GroundTruthTab, tr("True features against the matched latents, encoder and decoder: absorption"));
    for (StudyJobBar* bar : {m_sweep->jobBar(), m_splitting->jobBar(), m_groundTruth->jobBar()}) {
        connect(bar, &StudyJobBar::workStarted, this, &SaeStudiesView::workStarted);
        connect(bar, &StudyJobBar::workProgress, this, &SaeStudiesView::workProgress);
        connect(bar, &StudyJobBar::workFinished, this, &SaeStudiesView::workFinished);
    }
    if (auto* panel = qobject_cast<Panel*>(parent)) {
        connect(this, &SaeStudiesView::workStarted, panel, &Panel::workStarted);
        connect(this, &SaeStudiesView::workProgress, panel, &Panel::workProgress);
        connect(this, &SaeStudiesView::workFinished, panel, &Panel::workFinished);
    }
}

void SaeStudiesView::setBaseConfig(std::function<featurescope::SaeExperimentConfig()> baseConfig)
{
    m_sweep->setBaseConfig(baseConfig);
    m_splitting->setBaseConfig(std::move(baseConfig));
}

void SaeStudiesView::setPanelSnapshot(std::shared_ptr<const FeatureSnapshot> snapshot)
{
    m_groundTruth->setPanelSnapshot(std::move(snapshot));
}

QStringList SaeStudiesView::figureNames()
{
    return {QStringLiteral("sweep"), QStringLiteral("feature-splitting"), QStringLiteral("ground-truth")};
}

QWidget* SaeStudiesView::figureWidget(const QString& name) const
{
    if (name == QLatin1String("sweep"))
        return m_sweep->plot();
    if (name == QLatin1String("feature-splitting"))
        return m_splitting->plot();
    if (name == QLatin1String("ground-truth"))
        return m_groundTruth->plot();
    return nullptr;
}

void SaeStudiesView::prepareForRender(const QString& figure)
{
    if (figure == QLatin1String("sweep")) {
        setCurrentIndex(SweepTab);
        m_sweep->waitForFinished();
        if (m_sweep->results().empty()) {
            m_sweep->start();
            m_sweep->waitForFinished();
        }
    } else if (figure == QLatin1String("feature-splitting")) {
        setCurrentIndex(SplittingTab);
        m_splitting->waitForFinished();
        if (!m_splitting->hasResult()) {
            m_splitting->start();
            m_splitting->waitForFinished();
        }
    } else if (figure == QLatin1String("ground-truth")) {
        setCurrentIndex(GroundTruthTab);
        m_groundTruth->waitForFinished();
        if (!m_groundTruth->hasResult()) {
            m_groundTruth->start();
            m_groundTruth->waitForFinished();
        }
    }
}

QString SaeStudiesView::figureCaption(const QString& figure) const
{
    if (figure == QLatin1String("sweep"))
        return m_sweep->caption();
    if (figure == QLatin1String("feature-splitting"))
        return m_splitting->caption();
    return m_groundTruth->caption();
}

bool SaeStudiesView::isBusy() const
{
    return m_sweep->isRunning() || m_splitting->isRunning() || m_groundTruth->isRunning();
}

void SaeStudiesView::cancel()
{
    m_sweep->cancel();
    m_splitting->cancel();
    m_groundTruth->cancel();
}
