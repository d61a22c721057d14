#include "SaeStudiesView.h"

#include "FeatureSplittingPlot.h"
#include "FeatureSplittingView.h"
#include "GroundTruthCosinePlot.h"
#include "GroundTruthView.h"
#include "StudyJobBar.h"
#include "SweepParetoPlot.h"
#include "SweepView.h"

#include "common/InputError.h"
#include "common/Panel.h"
#include "common/SettingsReader.h"

#include <QComboBox>

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

// ---- sessions ---------------------------------------------------------------------------------------------------

nlohmann::json SaeStudiesView::saveState() const
{
    nlohmann::json j = {{"tab", currentIndex()}, {"sweep_metric", m_sweep->plot()->metric()}};
    j["sweep"] = nlohmann::json::array();
    for (const auto& series : m_sweep->results())
        j["sweep"].push_back(series.toJson());
    if (m_splitting->hasResult())
        j["splitting"] = {{"result", m_splitting->result().toJson()}, {"caption", m_splitting->caption().toStdString()}};
    if (m_groundTruth->hasResult())
        j["ground_truth"] = {{"comparison", m_groundTruth->comparison().toJson()},
                             {"subject", m_groundTruth->subject().toStdString()},
                             {"caption", m_groundTruth->caption().toStdString()}};
    return j;
}

SaeStudiesView::State SaeStudiesView::readState(const nlohmann::json& j)
{
    State state;
    if (j.is_null())
        return state;
    const std::string where = "features panel state: studies";
    if (!j.is_object())
        throw featurescope::InputError(where + " must be a JSON object");
    const featurescope::SettingsReader r(j, where);
    state.tab = int(r.integer("tab", SweepTab, GroundTruthTab));
    state.sweepMetric = r.choice("sweep_metric", {"mse", "fvu", "mmcs", "mcc", "dead_fraction"});
    const nlohmann::json& sweep = r.raw("sweep");
    if (!sweep.is_array() || sweep.size() > 8)
        throw featurescope::InputError(where + ": \"sweep\" must be an array of at most 8 recipes");
    for (std::size_t i = 0; i < sweep.size(); ++i)
        state.sweep.push_back(featurescope::SaeSweepSeries::fromJson(sweep[i], where + ", sweep " + std::to_string(i)));
    if (r.has("splitting")) {
        const featurescope::SettingsReader s = r.object("splitting");
        state.splitting = featurescope::SaeSplittingResult::fromJson(s.raw("result"), where + ", splitting");
        state.splittingCaption = QString::fromStdString(s.text("caption", 1000));
    }
    if (r.has("ground_truth")) {
        const featurescope::SettingsReader g = r.object("ground_truth");
        state.groundTruth = featurescope::GroundTruthComparison::fromJson(g.raw("comparison"), where + ", ground truth");
        state.groundTruthSubject = QString::fromStdString(g.text("subject", 200));
        state.groundTruthCaption = QString::fromStdString(g.text("caption", 1000));
    }
    return state;
}

void SaeStudiesView::restoreState(const State& state)
{
    cancel();
    m_sweep->waitForFinished(); // what they deliver now would cover the restored results
    m_splitting->waitForFinished();
    m_groundTruth->waitForFinished();
    m_sweep->metricBox()->setCurrentIndex(std::max(0, m_sweep->metricBox()->findData(QString::fromStdString(state.sweepMetric))));
    m_sweep->setResults(state.sweep);
    if (state.splitting)
        m_splitting->setResult(*state.splitting, state.splittingCaption);
    if (state.groundTruth)
        m_groundTruth->showComparison(*state.groundTruth, state.groundTruthSubject, state.groundTruthCaption);
    setCurrentIndex(state.tab);
}
